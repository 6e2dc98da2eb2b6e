"""What can go wrong in a command, and the exit status each kind of failure gives."""

BAD_INPUT = 2  # exit status for anything wrong in what was asked (argparse's own)
MISSING_TOOL = 1  # exit status when a program (Graphviz's dot) is missing
# A missing optional package (an extra) that was asked for is bad input: BAD_INPUT,
# with a message naming the extra, such as pip install 'tapegrad[plot]'.


class CLIError(Exception):
    """Something wrong in what the user asked: reported in one line, exit status 2.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tapegrad.training import read_checkpoint
    >>> try:
    ...     read_checkpoint(Path("no/such/model.json"))
    ... except CLIError as error:
    ...     print(error)
    no/such/model.json: no such checkpoint file
    """

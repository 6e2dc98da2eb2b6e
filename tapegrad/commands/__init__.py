"""The four subcommands, one module each: `demo`, `train`, `predict` and `graph`.

Each module's ``run_*`` function takes the parsed arguments of its
subcommand (see `tapegrad.cli.build_parser`), writes its outputs whole or not
at all, and raises `tapegrad.errors.CLIError` for bad input.
"""

"""A griffe extension for the API reference: bare ``>>>`` examples render as code.

Many short docstrings end with a doctest and no ``Examples`` heading. Markdown
would read its ``>>>`` lines as nested quotes (and ``[a][b]`` as a link), so
this extension files them under an ``Examples`` section, which mkdocstrings
renders as a Python console block. The docstrings themselves are unchanged.
"""

from __future__ import annotations

import re

import griffe

_HAS_EXAMPLES = re.compile(r"^Examples\n-{3,}$", re.MULTILINE)
_FIRST_DOCTEST = re.compile(r"^(?=>>> )", re.MULTILINE)


class BareDoctestsAsExamples(griffe.Extension):
    """Put a docstring's first bare ``>>>`` line under an ``Examples`` heading."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: object) -> None:
        docstring = obj.docstring
        if docstring is None or ">>> " not in docstring.value:
            return
        if _HAS_EXAMPLES.search(docstring.value):
            return
        docstring.value = _FIRST_DOCTEST.sub("\nExamples\n--------\n", docstring.value, count=1)

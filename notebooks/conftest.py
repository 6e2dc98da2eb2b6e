"""pytest runs each notebook (``--nbmake``), never its ``.py`` source: importing it would run it."""

collect_ignore_glob = ["*.py"]

"""``python -m tapegrad``: the ``tapegrad`` command (see `tapegrad.cli`)."""

from tapegrad.cli import main

if __name__ == "__main__":  # not when imported, as by pytest's doctest collection
    raise SystemExit(main())

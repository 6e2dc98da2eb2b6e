"""``python -m nn``: the ``tapegrad`` command (see `nn.cli`)."""

from nn.cli import main

if __name__ == "__main__":  # not when imported, as by pytest's doctest collection
    raise SystemExit(main())

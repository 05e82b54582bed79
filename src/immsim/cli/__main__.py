"""``python -m immsim.cli``: the same command line as the ``immsim`` script."""

from immsim.cli import main

raise SystemExit(main())

"""``python -m immsim``: the same command line as the installed ``immsim`` script.

Kept so that a checkout run with ``PYTHONPATH=src`` (no install) reaches the CLI, exit statuses
and located error messages included.
"""

import sys

from immsim.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""``python -m rebalance``: the ``rebalance`` command."""

import sys

from rebalance.cli import main

if __name__ == "__main__":
    sys.exit(main())

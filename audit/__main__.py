"""``python -m audit URL``: the engine's command line, without Django."""

import sys

from audit.engine import cli_main

if __name__ == "__main__":
    sys.exit(cli_main())

"""``python -m audit URL``: the engine's command line, without Django."""

import sys

from audit.engine.cli import main

if __name__ == "__main__":
    sys.exit(main())

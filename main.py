"""ArtSeek entry point: a command (see --help), or the desktop window when none is given."""

import sys

from artseek.cli import main

if __name__ == "__main__":
    sys.exit(main())

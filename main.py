"""ArtSeek entry point: a command (see --help), or the desktop window when none is given."""

import multiprocessing
import sys

from artseek.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # decode worker processes in the packaged app
    sys.exit(main())

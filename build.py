"""Build the sample site in this folder: the same as `briefings build .`."""

import sys
from pathlib import Path

from briefings.cli import main

if __name__ == "__main__":
    sys.exit(main(["build", str(Path(__file__).resolve().parent), *sys.argv[1:]]))

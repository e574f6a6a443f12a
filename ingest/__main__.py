"""`python -m ingest [PATH...]`: the same as `argmap ingest`."""

import sys

from argmap.cli import main

if __name__ == "__main__":
    sys.exit(main(["ingest", *sys.argv[1:]]))

"""`python -m workers`: the same as `warmline worker`."""

import sys

from warmline.cli import main

main(["worker", *sys.argv[1:]])

"""`python -m workers`: the same as `warmline worker`."""

from warmline.cli import main

main(["worker"])

"""`python -m warmline ...`: the same as the `warmline` command."""

from warmline.cli import main

main()

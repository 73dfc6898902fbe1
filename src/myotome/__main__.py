"""`python -m myotome` runs the CLI."""

from myotome.cli import main

main()

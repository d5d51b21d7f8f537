"""``python -m igfkg`` runs the command line."""

from igfkg.cli import main

main()

"""``python -m facilitator.cli`` runs the same command as ``facilitator``."""

from facilitator.cli import main

main()

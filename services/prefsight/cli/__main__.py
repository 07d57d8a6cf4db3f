"""``python -m prefsight.cli``."""

from prefsight.cli import main

main()

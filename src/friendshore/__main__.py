"""``python -m friendshore`` runs the command line."""

from friendshore.interfaces.cli import main

if __name__ == "__main__":
    main()

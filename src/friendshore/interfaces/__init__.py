"""Interfaces: the command line (``cli``). Thin: they call the layers above."""

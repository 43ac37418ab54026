"""Numerical models on numpy/scipy/pyfixest: structural gravity (estimation and general equilibrium)."""

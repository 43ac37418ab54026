"""Readers for the real sources, one module each. Source-native names live only here."""

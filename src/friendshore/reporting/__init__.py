"""Reporting: published-result reproductions, tables and charts, the brief."""

"""Codes, names and vocabularies: countries (ISO3), products, technologies, country groups."""

"""Metrics: pure functions from Ibis tables to Ibis tables, the same on DuckDB and Spark.

Import the module you need (``friendshore.metrics.dependence``, ``...supply_risk``, ...); the
method parameters live in ``friendshore.metrics.parameters``, which loads no query engine.
"""

"""The dashboard: static files (HTML, JavaScript, CSS) served by the API's application.

The Vega libraries and the world map it loads from ``/static/vendor/`` are the npm packages the
brief uses too (``friendshore.reporting.assets``), served by the application from where
``make assets`` installed them: one copy, one way to match map features to ISO3 codes.
"""

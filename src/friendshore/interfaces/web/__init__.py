"""The dashboard: static files (HTML, JavaScript, CSS) served by the API's application.

``static/vendor/`` holds Vega, Vega-Lite, vega-embed and the world map (TopoJSON), installed from
the npm registry at build time (``make web``); see ``web/README.md``.
"""

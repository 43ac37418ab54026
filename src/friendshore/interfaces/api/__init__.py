"""The web API (FastAPI): the CLI's analyses over HTTP, JSON or CSV, with provenance.

``create_app(settings)`` builds the application; ``serve`` runs it on uvicorn. Endpoints are
declared in ``endpoints.py`` (one line per analysis) and generated from the analyses' signatures.
"""

from friendshore.interfaces.api.app import Limits, create_app

__all__ = ["Limits", "create_app"]

"""friendshore: technology supply-chain security analytics on real data.

The package is layered (see docs/architecture.md): ``sources`` read the publishers' files,
``nomenclature`` holds codes and vocabularies, ``warehouse`` stores validated tables,
``metrics`` computes on Ibis tables, and ``interfaces`` expose it all (CLI, API).
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("friendshore")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]

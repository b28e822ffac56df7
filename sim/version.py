"""Bouche's version: the installed package's, or ``0.0.0+source`` in a source tree. Imports nothing from sim."""

from importlib import metadata as _metadata

__all__ = ["__version__"]

try:
    __version__ = _metadata.version("bouche")
except _metadata.PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"

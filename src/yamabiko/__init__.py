"""Yamabiko, a self-hosted weblog engine."""

__version__ = "0.1.0"

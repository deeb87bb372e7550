"""Vardesk: self-hosted clinical genome interpretation server."""

__version__ = "0.1.0"

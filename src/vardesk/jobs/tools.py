"""Built-in job tools. Each module of the data path registers its own tools here as it lands."""

from __future__ import annotations

"""The exam form's names: resolution and search live in the core (``myotome.kb.search``).

Kept so that the form's imports read as before; the names endpoint calls the core directly.
"""

from __future__ import annotations

from myotome.kb.search import KINDS, MAX_NAME, Resolution, resolve, search

MAX_QUERY = MAX_NAME

__all__ = ["KINDS", "MAX_QUERY", "Resolution", "resolve", "search"]

"""The anatomical knowledge base: YAML data, its typed loader and name resolution."""

from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.loader import DATA_DIR, KBError, load_kb
from myotome.kb.names import AmbiguousName, LookupFailed, UnknownName, normalize

__all__ = ["DATA_DIR", "AmbiguousName", "KBError", "KnowledgeBase", "LookupFailed", "UnknownName", "load_kb", "normalize"]

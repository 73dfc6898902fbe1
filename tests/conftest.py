from __future__ import annotations

import pytest

from myotome.kb import KnowledgeBase, load_kb


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real, packaged knowledge base."""
    return load_kb()

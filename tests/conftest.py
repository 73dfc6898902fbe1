from __future__ import annotations

import pytest

from myotome.kb import KnowledgeBase, load_kb

pytest_plugins = ["tests.strict_skips"]


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real, packaged knowledge base."""
    return load_kb()

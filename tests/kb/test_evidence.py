"""evidence.yaml: every localisation weight cites its references, checked by the loader.

The weights themselves belong to myotome.localize (tests/test_localize.py); these tests
check only that each one says where it comes from. The error table writes a small
evidence.yaml into a copy of the tiny KB (tests/kb/tiny), whose references are 'book'
and 'paper'.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, load_kb

TINY = Path(__file__).parent / "tiny"


def weights(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any], str]]:
    """(where, mapping, reason key) for every reasoned weight in the evidence table."""
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        yield from weights(value, f"{path}.{key}" if path else str(key))
    for key in node:
        if key == "reason" or str(key).endswith("_reason"):
            yield path, node, str(key)


def test_every_weight_cites_known_references_or_says_it_is_a_convention(kb: KnowledgeBase) -> None:
    found = list(weights({k: v for k, v in kb.evidence.items() if k != "meta"}))
    assert len(found) >= 20  # reflex, sensory, skin and paraspinal grades, the single weights, the shares
    uncited = []
    for where, node, reason in found:
        sources = node.get(reason.replace("reason", "sources"))
        if sources is None and not (reason == "reason" and node.get("basis") == "convention"):
            uncited.append(where)
        assert all(s in kb.references for s in sources or []), where
    assert uncited == []


def test_conventions_say_so_in_their_reason(kb: KnowledgeBase) -> None:
    conventions = [(where, node) for where, node, _ in weights(dict(kb.evidence)) if node.get("basis") == "convention"]
    assert conventions  # the bilateral ratio
    assert [where for where, node in conventions if "convention" not in node["reason"]] == []


def test_the_one_level_either_way_share_cites_bogduk_and_the_multifidus_study(kb: KnowledgeBase) -> None:
    assert kb.evidence["paraspinal"]["neighbour_sources"] == ["bogduk_1982", "kang_2013"]


# ---------------------------------------------------------------------------
# The loader's check


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def write_evidence(directory: Path, body: dict[str, Any]) -> None:
    (directory / "evidence.yaml").write_text(yaml.safe_dump({"meta": {"entity": "evidence", "version": "test.1"}, **body}))


GOOD = {
    "reflex": {"absent": {"weight": 1.0, "reason": "level-specific", "sources": ["book"]}},
    "sides": {"bilateral_ratio": 0.6, "basis": "convention", "reason": "project convention"},
    "paraspinal": {"neighbour_share": 0.5, "neighbour_reason": "one level either way", "neighbour_sources": ["paper"]},
}


def test_a_cited_evidence_table_loads(tiny: Path) -> None:
    write_evidence(tiny, GOOD)
    assert load_kb(tiny).evidence["reflex"]["absent"]["sources"] == ["book"]


ERRORS = [
    # (evidence.yaml body, message expected)
    (
        {"reflex": {"absent": {"weight": 1.0, "reason": "level-specific"}}},
        r"evidence.yaml: reflex.absent: cite the references behind this weight in 'sources', or mark it 'basis: convention'",
    ),
    (
        {"reflex": {"absent": {"weight": 1.0, "reason": "level-specific", "sources": ["nowhere"]}}},
        r"evidence.yaml: reflex.absent, field 'sources': unknown reference id 'nowhere'",
    ),
    ({"weakness": {"weight": 0.5, "reason": "moderate", "sources": []}}, r"evidence.yaml: weakness, field 'sources': expected a list"),
    (
        {"paraspinal": {"neighbour_share": 0.5, "neighbour_reason": "one level either way"}},
        r"evidence.yaml: paraspinal: cite the references behind this weight in 'neighbour_sources'",
    ),
]


@pytest.mark.parametrize(("body", "message"), ERRORS)
def test_the_loader_refuses_an_uncited_weight(tiny: Path, body: dict[str, Any], message: str) -> None:
    write_evidence(tiny, body)
    with pytest.raises(KBError, match=message):
        load_kb(tiny)

"""docs/knowledge-base.md quotes the KB's counts; they must equal the live counts.

When data changes, regenerate the table between the ``counts`` markers from
``myotome kb stats``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from myotome.kb import KnowledgeBase

DOC = Path(__file__).parents[2] / "docs" / "knowledge-base.md"
ROW = re.compile(r"^\|\s*(?P<label>[^|]+?)\s*\|\s*(?P<count>[^|]+?)\s*\|$")


def counts_block(text: str) -> str:
    match = re.search(r"<!-- counts:begin[^>]*-->\n(?P<body>.*?)<!-- counts:end -->", text, flags=re.DOTALL)
    assert match, "docs/knowledge-base.md has no block between '<!-- counts:begin' and '<!-- counts:end -->'"
    return match["body"]


def quoted_counts(block: str) -> dict[str, int]:
    """The table's rows as {label: count}; the header and separator rows are skipped."""
    counts: dict[str, int] = {}
    for line in block.strip().splitlines():
        row = ROW.match(line.strip())
        assert row, f"not a table row: {line!r}"
        label, count = row["label"], row["count"]
        if label == "Records" or set(count) <= set("-: "):
            continue
        assert count.isdigit(), f"count for {label!r} is not a number: {count!r}"
        assert label not in counts, f"{label!r} is quoted twice"
        counts[label] = int(count)
    return counts


def test_the_doc_quotes_every_count_in_the_order_of_kb_stats(kb: KnowledgeBase) -> None:
    quoted = quoted_counts(counts_block(DOC.read_text(encoding="utf-8")))
    assert list(quoted) == list(kb.counts())


def test_every_count_quoted_in_the_doc_is_the_live_count(kb: KnowledgeBase) -> None:
    quoted = quoted_counts(counts_block(DOC.read_text(encoding="utf-8")))
    live = kb.counts()
    assert {label: (count, live.get(label)) for label, count in quoted.items() if live.get(label) != count} == {}
    assert set(quoted) == set(live)


BAD_BLOCKS = [
    # (block, what the parser must reject)
    ("| Records | Count |\n|---|---:|\n| muscles | many |\n", "is not a number"),
    ("| Records | Count |\n|---|---:|\n| muscles | 1 |\n| muscles | 1 |\n", "quoted twice"),
    ("muscles: 182\n", "not a table row"),
]


@pytest.mark.parametrize(("block", "message"), BAD_BLOCKS)
def test_the_parser_rejects_a_malformed_table(block: str, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        quoted_counts(block)


def test_a_doc_without_markers_is_reported() -> None:
    with pytest.raises(AssertionError, match="no block between"):
        counts_block("# The knowledge base\n")

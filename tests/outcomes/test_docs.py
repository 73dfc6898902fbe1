"""docs/outcome-measures.md quotes each measure's range, direction, MCID and licence; they must equal the data.

Regenerate the table between the ``measures`` markers with ``python -m tests.outcomes.test_docs``.
"""

from __future__ import annotations

import re
from pathlib import Path

from myotome.outcomes import load_measures

DOC = Path(__file__).parents[2] / "docs" / "outcome-measures.md"
WORDING = {"project": "shipped (Myotome's own)", "licensed": "licensed: not shipped", "unconfirmed": "terms unconfirmed: not shipped"}


def table() -> str:
    rows = [
        "| Measure | Range | Better | MCID | Missing-item rule | Wording |",
        "|---|---|---|---|---|---|",
    ]
    for m in load_measures().values():
        mcid = "not established" if m.mcid.value is None else f"{m.mcid.value:g} ({m.mcid.source})"
        rows.append(
            f"| `{m.id}` {m.name} | {m.range[0]:g}–{m.range[1]:g} | {m.better} | {mcid} | {m.missing.by} | {WORDING[m.licence.wording]} |"
        )
    return "\n".join(rows) + "\n"


def quoted_table(text: str) -> str:
    match = re.search(r"<!-- measures:begin[^>]*-->\n(?P<body>.*?)<!-- measures:end -->", text, flags=re.DOTALL)
    assert match, "docs/outcome-measures.md has no block between '<!-- measures:begin' and '<!-- measures:end -->'"
    return match["body"]


def test_the_docs_table_matches_the_measure_data() -> None:
    assert quoted_table(DOC.read_text(encoding="utf-8")) == table()


def test_the_docs_describe_every_measure_in_a_section() -> None:
    text = DOC.read_text(encoding="utf-8")
    for m in load_measures().values():
        assert f"### {m.name} (`{m.id}`)" in text, m.id


if __name__ == "__main__":
    print(table(), end="")

"""The tissue-resistance scale reads one way everywhere: 10 = "rubber eraser", 0 = "soft butter".

IMS describes a banded muscle gripping the needle like a rubber eraser and, as it releases,
resistance falling to soft butter; the scale counts resistance, so the hard end is the high one.
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

from myotome.documents.pdf import latin1, to_pdf
from myotome.documents.records import session_summary
from myotome.needling import RESISTANCE_HARD, RESISTANCE_SCALE, RESISTANCE_SOFT
from tests.clinic.conftest import World
from tests.clinic.session_data import insert, started
from tests.documents.test_pdf import RECORD, pdf_text
from tests.paths import REPO_ROOT


@pytest.mark.parametrize(
    ("end", "value", "words"),
    [
        (RESISTANCE_HARD, 10, "rubber eraser"),  # before the release: the muscle grips the needle
        (RESISTANCE_SOFT, 0, "soft butter"),  # released
    ],
)
def test_the_scale_counts_resistance(end: tuple[int, str], value: int, words: str) -> None:
    assert end == (value, words)
    assert f'{value} = "{words}"' in RESISTANCE_SCALE


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_session_page_reads_the_scale(world: World) -> None:
    session = started(world)
    client = world.client("alice")
    insert(client, session, response="grasp", released="yes", resistance_before="8", resistance_after="2")
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert escape(RESISTANCE_SCALE) in page
    assert "8 → 2" in page  # falling resistance: the muscle released


def test_the_summary_pdf_reads_the_scale() -> None:
    assert _flat(latin1(RESISTANCE_SCALE)) in pdf_text(to_pdf(session_summary(RECORD)))


def test_the_docs_read_the_scale() -> None:
    assert _flat(RESISTANCE_SCALE) in _flat((REPO_ROOT / "docs" / "sessions.md").read_text(encoding="utf-8"))


def test_nothing_reads_the_scale_the_other_way() -> None:
    reversed_ends = re.compile(r'10\s*=\s*"soft butter"|(?<!\d)0\s*=\s*"rubber eraser"|"soft butter"\s*\(hard')
    places = [*(REPO_ROOT / "src").rglob("*.py"), *(REPO_ROOT / "src").rglob("*.html"), *(REPO_ROOT / "docs").glob("*.md")]
    found = [str(p.relative_to(REPO_ROOT)) for p in places if reversed_ends.search(Path(p).read_text(encoding="utf-8"))]
    assert found == []

"""Finding KB records by the names clinicians type (myotome.kb.search): one, or a list for the autocomplete.

The exam form's names endpoint answers with these (tests/clinic/test_exams.py pins it over HTTP).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from myotome.kb import KnowledgeBase
from myotome.kb import search as search_names


@pytest.mark.parametrize(
    ("kind", "query", "expected"),
    [
        ("muscle", "ECRB", "extensor_carpi_radialis_brevis"),
        ("muscle", "calf", "triceps_surae"),  # a group a clinician names as one
        ("muscle", "glute med", "gluteus_medius"),
        ("muscle", "peroneus longus", "fibularis_longus"),  # the old name
        ("region", "pinky", "little_finger"),  # plain words
        ("region", "outside of the foot", "lateral_foot"),
        ("weakness", "grip", "grip"),  # a movement first ...
        ("weakness", "EHL", "extensor_hallucis_longus"),  # ... then a muscle
    ],
)
def test_names_resolve_as_the_knowledge_base_does(kb: KnowledgeBase, kind: str, query: str, expected: str) -> None:
    found = search_names.resolve(kb, kind, query)
    assert found.ok and found.record.id == expected


@pytest.mark.parametrize(
    ("kind", "query", "error", "suggestion"),
    [
        ("muscle", "supinater", "unknown muscle 'supinater'; did you mean 'Supinator'?", "Supinator"),
        ("muscle", "TA", "ambiguous muscle 'TA': it could mean 'Tibialis anterior' or 'Transversus abdominis'", "Tibialis anterior"),
        ("region", "elbw", "unknown region 'elbw'", None),
        ("weakness", "wrist extenson", "is neither a movement nor a muscle", "Wrist extension"),
    ],
)
def test_unknown_and_ambiguous_names_are_errors_with_suggestions(
    kb: KnowledgeBase, kind: str, query: str, error: str, suggestion: str | None
) -> None:
    found = search_names.resolve(kb, kind, query)
    assert not found.ok and error in found.error
    if suggestion:
        assert suggestion in found.suggestions


def test_search_puts_the_exact_match_first_and_says_which_name_matched(kb: KnowledgeBase) -> None:
    results = search_names.search(kb, "muscle", "ECR")
    assert [r["id"] for r in results[:2]] == ["extensor_carpi_radialis_brevis", "extensor_carpi_radialis_longus"]
    assert results[0]["matched"] == "ECRB"
    assert search_names.search(kb, "muscle", "calf")[0] == {
        "kind": "muscle",
        "id": "triceps_surae",
        "name": "Triceps surae",
        "matched": "calf",
    }
    assert [r["id"] for r in search_names.search(kb, "muscle", "TA")[:2]] == ["tibialis_anterior", "transversus_abdominis"]
    assert search_names.search(kb, "region", "pink")[0]["id"] == "little_finger"
    assert len(search_names.search(kb, "muscle", "e", limit=8)) == 8
    assert search_names.search(kb, "muscle", "  ") == []


def test_too_long_or_control_characters_are_refused_not_cleaned(kb: KnowledgeBase) -> None:
    found = search_names.resolve(kb, "muscle", "ECRB" + "x" * search_names.MAX_NAME)
    assert not found.ok and "characters long; the limit is 80" in found.error
    found = search_names.resolve(kb, "muscle", "EC\x00RB")
    assert not found.ok and "contains a control character (U+0000)" in found.error
    assert search_names.search(kb, "muscle", "EC\x00RB") == []


def test_every_name_in_the_knowledge_base_fits_the_limit(kb: KnowledgeBase) -> None:
    records = [*kb.muscles.values(), *kb.groups.values(), *kb.regions.values(), *kb.movements.values(), *kb.conditions.values()]
    assert max(len(n) for r in records for n in (r.name, *r.aliases)) <= search_names.MAX_NAME


def test_name_search_loads_no_django() -> None:
    code = "import myotome.kb.search, sys; assert not [m for m in sys.modules if m.startswith('django')]"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_a_list_of_names_resolves_in_order_without_repeats_with_every_problem(kb: KnowledgeBase) -> None:
    assert search_names.resolve_list(kb, "region", "lateral elbow; outer elbow, , wrist") == (["lateral_elbow", "wrist"], [])
    ids, problems = search_names.resolve_list(kb, "region", "elbw, low back, TA")
    assert ids == ["low_back"] and len(problems) == 2 and problems[0].startswith("unknown region 'elbw'")

"""Benchmark vignettes that once failed, pinned as tests: the plan the clinician's findings call for.

Each case is read from bench/vignettes.json (where its reference and note live), so the test and
the benchmark cannot drift apart.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from myotome import engine
from myotome.kb import KnowledgeBase
from tests.paths import REPO_ROOT

VIGNETTES = {v["name"]: v for v in json.loads((REPO_ROOT / "bench" / "vignettes.json").read_text())["vignettes"]}


def result(kb: KnowledgeBase, name: str) -> dict[str, Any]:
    return engine.assess(VIGNETTES[name]["document"], kb).to_json()


@pytest.mark.parametrize(
    ("name", "levels"),
    [
        # Tender at occiput-C1 and C2-C3 with C2 involved: needle where the clinician found them, not at C1-C2.
        ("headache-two-levels-c0-c1-and-c2-c3-right", {"C0-C1", "C2-C3"}),
        # T8 involved, T7 just under the threshold: its tender level T7-T8 is needled too.
        ("thoracic-t8-two-levels-mid-back-right", {"T7-T8", "T8-T9"}),
    ],
)
def test_each_paraspinal_level_found_next_to_an_involved_root_is_needled(kb: KnowledgeBase, name: str, levels: set[str]) -> None:
    planned = {s["level"] for s in result(kb, name)["plan"]["steps"] if s["region"] == "paraspinal"}
    assert levels <= planned


@pytest.mark.parametrize("name", ["headache-cervicogenic-right", "headache-two-levels-c0-c1-and-c2-c3-right"])
def test_a_banded_paraspinal_muscle_is_labelled_with_a_root_of_its_own(kb: KnowledgeBase, name: str) -> None:
    for step in result(kb, name)["plan"]["steps"]:
        muscle = kb.muscles[step["muscle"]["id"]]
        if step["region"] == "paraspinal" and step["basis"] != "paraspinal_level":
            assert step["segment"] in muscle.roots.all, (muscle.id, step["segment"])


def test_pregnancy_keeps_the_needle_out_of_the_first_web_space_its_warning_names(kb: KnowledgeBase) -> None:
    out = result(kb, "pregnancy-t3-carpal-tunnel-first-web-space")
    assert "dorsal_interossei_hand" not in {s["muscle"]["id"] for s in out["plan"]["steps"]}
    assert any(d["muscle"]["id"] == "dorsal_interossei_hand" and d["code"] == "precaution" for d in out["plan"]["dropped"])
    assert any("first web space" in w for w in out["plan"]["warnings"])

"""The clinical vignette data (bench/vignettes.json) is well formed and covers issue 8's classes.

These tests check the benchmark's data only: every document is a valid format 1.1
assessment, names are unique, every name a document uses resolves in the knowledge base
(except in the vignettes marked ``"unresolved": true``), every source is a references.yaml
id, every expectation names real segments, muscles, levels and red-flag codes, every class
a vignette is tagged with is what it says (a ``level-c5-c6`` vignette has a paraspinal
finding at C5-C6, a ``flag-cauda-sphincter`` one answers the sphincter question "yes"...),
and every class has its minimum number of cases. They never assert on the engine's
accuracy: ``python bench/vignettes.py`` prints those numbers.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from myotome.exam import HISTORY_CODES, parse_assessment
from myotome.kb import KnowledgeBase, LookupFailed

DATA = Path(__file__).resolve().parent.parent / "bench" / "vignettes.json"
SIDES = {"left", "right", "bilateral"}
VIGNETTE_KEYS = {"name", "classes", "sources", "document", "expect", "note"}
EXPECT_KEYS = {"level", "acceptable", "side", "red_flags", "no_plan", "scored", "plan", "unresolved"}
PLAN_CHECKS = {"muscles", "absent", "warnings", "no_warnings", "levels", "absent_levels", "dropped", "cautions", "roles", "needles"}
DROP_CODES = {"dose", "suggestion_share", "never_needled", "precaution", "contraindication", "thoracic_forbidden", "chest_side"}

Vignette = dict[str, Any]


def _load() -> list[Vignette]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("vignettes"), list), "bench/vignettes.json needs a 'vignettes' list"
    vignettes: list[Vignette] = data["vignettes"]
    return vignettes


VIGNETTES = _load()
IDS = [str(v.get("name")) for v in VIGNETTES]


# ---------------------------------------------------------------------------
# What each class means, checked against the document and the expectations


def _findings(v: Vignette, kind: str) -> list[dict[str, Any]]:
    return [f for f in v["document"].get("findings", []) if f["type"] == kind]


def _paraspinal_at(level: str) -> Callable[[Vignette, KnowledgeBase], bool]:
    return lambda v, kb: any(f["level"] == level for f in _findings(v, "paraspinal"))


def _flags(v: Vignette) -> set[str]:
    return set(v["expect"].get("red_flags", []))


def _acknowledged(v: Vignette) -> set[str]:
    return set(v["document"].get("acknowledged_red_flags", []))


def _resolve(find: Callable[[str], Any], name: str) -> Any:
    try:
        return find(name)
    except LookupFailed:
        return None


def _band_ids(v: Vignette, kb: KnowledgeBase) -> set[str]:
    return {m.id for f in _findings(v, "tender_band") if (r := _resolve(kb.find_muscle, f["muscle"])) for m in kb.members(r)}


def _saddle(v: Vignette, kb: KnowledgeBase) -> bool:
    saddle = set(kb.red_flags.regions["saddle"])
    return any(f["change"] != "normal" and (r := _resolve(kb.find_region, f["region"])) and r.id in saddle for f in _findings(v, "sensory"))


def _precaution(v: Vignette, kb: KnowledgeBase, precaution: str) -> bool:
    return any(
        (p := _resolve(kb.find_precaution, n)) and p.id == precaution for n in v["document"].get("patient", {}).get("precautions", [])
    )


def _dropped_codes(v: Vignette) -> set[str]:
    return {d["code"] for d in v["expect"].get("plan", {}).get("dropped", [])}


def _several_levels(v: Vignette, kb: KnowledgeBase) -> bool:
    by_side: dict[str, set[str]] = {"left": set(), "right": set()}
    for f in _findings(v, "paraspinal"):
        for side in ("left", "right") if f["side"] == "bilateral" else (f["side"],):
            by_side[side].add(f["level"])
    return any(len(levels) > 1 for levels in by_side.values())


def _normal_count(v: Vignette, kb: KnowledgeBase) -> int:
    def normal(f: dict[str, Any]) -> bool:
        if f["type"] == "rom":
            mv = _resolve(kb.find_movement, f["movement"])
            return bool(mv and mv.normal and f["value"] >= (-5 if mv.normal.value == 0 else 0.85 * mv.normal.value))
        return (
            (f["type"] == "reflex" and f["grade"] in ("normal", "negative"))
            or (f["type"] == "sensory" and f["change"] == "normal")
            or (f["type"] == "weakness" and f.get("grade") == 5)
        )

    return sum(normal(f) for f in v["document"].get("findings", []))


def _extension_lag(v: Vignette, kb: KnowledgeBase) -> bool:
    return any(
        f["value"] < 0 and (mv := _resolve(kb.find_movement, f["movement"])) and mv.normal and mv.normal.value == 0
        for f in _findings(v, "rom")
    )


def _never_needled_named(v: Vignette, kb: KnowledgeBase) -> bool:
    named = any((m := kb.muscles.get(i)) and m.needling and m.needling.allowed == "never" for i in _band_ids(v, kb))
    return named and "never_needled" in _dropped_codes(v)


# class -> (minimum number of vignettes, what a vignette of that class must be; None: a label only)
CLASSES: dict[str, tuple[int, Callable[[Vignette, KnowledgeBase], bool] | None]] = {
    # localisation, kept from the format 1.0 benchmark
    "root-localisation": (30, lambda v, kb: bool(v["expect"].get("level"))),
    "condition": (20, lambda v, kb: bool(v["document"]["complaint"].get("condition"))),
    "plain-words": (3, None),
    "bands-vs-signs": (3, lambda v, kb: len(_findings(v, "tender_band")) >= 5),
    "bilateral": (4, lambda v, kb: v["document"]["complaint"]["side"] in ("bilateral", "midline")),
    "borderline": (4, lambda v, kb: bool(v["expect"].get("acceptable"))),
    "safety-precaution": (5, lambda v, kb: bool(v["document"].get("patient", {}).get("precautions"))),
    "misspelled": (1, lambda v, kb: bool(v["expect"].get("unresolved"))),
    # vertebral levels and interspaces in every region
    "level-c0-c1": (3, _paraspinal_at("C0-C1")),
    "level-c1-c2": (3, _paraspinal_at("C1-C2")),
    "level-c4-c5": (3, _paraspinal_at("C4-C5")),
    "level-c5-c6": (3, _paraspinal_at("C5-C6")),
    "level-c7-t1": (3, _paraspinal_at("C7-T1")),
    "level-thoracic": (5, lambda v, kb: any(f["level"].startswith("T") and f["level"] != "T12-L1" for f in _findings(v, "paraspinal"))),
    "level-t12-l1": (3, _paraspinal_at("T12-L1")),
    "level-l4-l5": (3, _paraspinal_at("L4-L5")),
    "level-l5-s1": (3, _paraspinal_at("L5-S1")),
    "several-levels": (3, _several_levels),
    # red flags: each must fire (each cauda equina input on its own), none on the classic benign cases
    "flag-cauda-saddle": (
        3,
        lambda v, kb: "cauda_equina" in _flags(v) and _saddle(v, kb) and v["document"].get("sphincter") != "yes",
    ),
    "flag-cauda-sphincter": (
        3,
        lambda v, kb: "cauda_equina" in _flags(v) and v["document"].get("sphincter") == "yes" and not _saddle(v, kb),
    ),
    "flag-cauda-bilateral": (
        3,
        lambda v, kb: "cauda_equina" in _flags(v) and not _saddle(v, kb) and v["document"].get("sphincter") != "yes",
    ),
    "flag-cauda-acknowledged": (2, lambda v, kb: "cauda_equina" in _acknowledged(v) and v["expect"].get("no_plan") is True),
    "flag-motor-unacknowledged": (
        3,
        lambda v, kb: (
            "marked_motor_deficit" in _flags(v) - _acknowledged(v)
            and v["expect"].get("no_plan") is True
            and any(f.get("grade") is not None and f["grade"] <= 3 for f in _findings(v, "weakness"))
        ),
    ),
    "flag-motor-acknowledged": (3, lambda v, kb: "marked_motor_deficit" in _flags(v) & _acknowledged(v) and not v["expect"].get("no_plan")),
    "flag-umn": (4, lambda v, kb: "upper_motor_neurone" in _flags(v)),
    "flag-chest-unscreened": (3, lambda v, kb: "chest_pain_unscreened" in _flags(v) and v["document"].get("cardiac_screen") != "done"),
    "flag-history": (10, lambda v, kb: bool(v["document"].get("history")) and bool(_flags(v))),
    "benign-classic": (40, lambda v, kb: not _flags(v) and not v["expect"].get("no_plan")),
    "brisk-alone": (2, lambda v, kb: any(f["grade"] == "brisk" for f in _findings(v, "reflex")) and "upper_motor_neurone" not in _flags(v)),
    # normal findings are not evidence
    "negative-signs": (
        4,
        lambda v, kb: any(
            f["grade"] == "negative" and (r := _resolve(kb.find_reflex, f["reflex"])) and r.pathological for f in _findings(v, "reflex")
        ),
    ),
    "normal-findings": (2, lambda v, kb: _normal_count(v, kb) >= 3),
    # nothing the exam found is lost
    "headache-suboccipital": (
        3,
        lambda v, kb: bool(_band_ids(v, kb) & set(kb.groups["suboccipitals"].members)) and "semispinalis_capitis" in _band_ids(v, kb),
    ),
    "banded-many": (3, lambda v, kb: len(_findings(v, "tender_band")) >= 6),
    "unexamined-defaults": (4, lambda v, kb: bool(v["document"]["complaint"].get("condition"))),
    # safety rules
    "thoracic-intercostal": (3, lambda v, kb: bool(_band_ids(v, kb) & set(kb.groups["intercostals"].members))),
    "thoracic-both-sides": (3, lambda v, kb: "chest_side" in _dropped_codes(v)),
    "thoracic-forbidden": (
        3,
        lambda v, kb: v["document"].get("thoracic_needling") == "forbidden" and "thoracic_forbidden" in _dropped_codes(v),
    ),
    "never-needled": (3, _never_needled_named),
    "pregnancy": (4, lambda v, kb: _precaution(v, kb, "pregnancy")),
    "anticoagulants": (3, lambda v, kb: _precaution(v, kb, "anticoagulants")),
    "pneumothorax-warning": (5, lambda v, kb: "pneumothorax" in v["expect"].get("plan", {}).get("warnings", [])),
    "no-pneumothorax-warning": (5, lambda v, kb: "pneumothorax" in v["expect"].get("plan", {}).get("no_warnings", [])),
    "needle-length": (3, lambda v, kb: bool(v["expect"].get("plan", {}).get("needles"))),
    # the KB's new regions, in the words clinicians use
    "new-vocabulary": (
        3,
        lambda v, kb: any(
            (r := _resolve(kb.find_region, name)) and r.id in {"lateral_heel", "plantar_heel", "radial_wrist", "ulnar_wrist", "medial_hand"}
            for name in [*v["document"]["complaint"]["regions"], *(f["region"] for f in _findings(v, "sensory"))]
        ),
    ),
    # proximal to distal, and extension lag
    "order": (2, lambda v, kb: len(_findings(v, "tender_band")) >= 5),
    "extension-lag": (3, _extension_lag),
}


# ---------------------------------------------------------------------------
# The file as a whole


def test_at_least_120_vignettes() -> None:
    assert len(VIGNETTES) >= 120


def test_names_are_unique() -> None:
    counts = Counter(v.get("name") for v in VIGNETTES)
    assert not [name for name, n in counts.items() if n > 1], "duplicate vignette names"


@pytest.mark.parametrize("name", sorted(CLASSES))
def test_each_class_has_its_minimum_number_of_cases(name: str) -> None:
    minimum, _ = CLASSES[name]
    tagged = [v["name"] for v in VIGNETTES if name in v["classes"]]
    assert len(tagged) >= minimum, f"class {name}: {len(tagged)} vignettes, at least {minimum} needed"


def test_every_red_flag_rule_is_expected_to_fire_somewhere(kb: KnowledgeBase) -> None:
    expected = {code for v in VIGNETTES for code in v["expect"].get("red_flags", [])}
    assert set(kb.red_flags.codes) - expected == set()


@pytest.mark.parametrize("code", HISTORY_CODES)
def test_every_history_code_raises_a_flag_in_some_vignette(code: str) -> None:
    raised = [v["name"] for v in VIGNETTES if code in v["document"].get("history", []) and v["expect"].get("red_flags")]
    assert raised, f"no vignette records the history code {code} and expects its flag"


@pytest.mark.parametrize("trimester", [1, 2, 3, None])
def test_pregnancy_is_covered_in_every_trimester_and_without_one(kb: KnowledgeBase, trimester: int | None) -> None:
    covered = [v for v in VIGNETTES if _precaution(v, kb, "pregnancy") and v["document"]["patient"].get("pregnancy_trimester") == trimester]
    assert covered, f"no pregnancy vignette with trimester {trimester}"


# ---------------------------------------------------------------------------
# Each vignette


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_vignette_is_well_formed(vignette: Vignette, kb: KnowledgeBase) -> None:
    assert set(vignette) == VIGNETTE_KEYS, f"a vignette has exactly {', '.join(sorted(VIGNETTE_KEYS))}"
    assert isinstance(vignette["name"], str) and vignette["name"]
    assert isinstance(vignette["note"], str) and vignette["note"].strip()
    document = vignette["document"]
    assert document.get("id"), "every document carries an id"
    assert document.get("format") == "1.1", "every document is in format 1.1"
    parse_assessment(document)  # raises InvalidAssessment with every problem listed

    expect = vignette["expect"]
    assert set(expect) <= EXPECT_KEYS, f"unknown expect keys: {set(expect) - EXPECT_KEYS}"
    if "level" in expect:
        assert expect["level"] in kb.segments, f"{expect['level']} is not a segment"
        assert expect["side"] in SIDES
    for level in expect.get("acceptable", []):
        assert "level" in expect and level in kb.segments and level != expect["level"], f"acceptable level {level}"
    assert set(expect.get("red_flags", [])) <= set(kb.red_flags.codes), "expect.red_flags names codes red_flags.yaml has"
    assert expect.get("no_plan", False) in (True, False)
    findings = document.get("findings", [])
    assert all(isinstance(n, int) and 1 <= n <= len(findings) for n in expect.get("scored", [])), "expect.scored numbers findings from 1"

    plan = expect.get("plan", {})
    assert set(plan) <= PLAN_CHECKS, f"unknown plan checks: {set(plan) - PLAN_CHECKS}"
    named = [*plan.get("muscles", []), *plan.get("absent", [])] + [
        e["muscle"] for k in ("dropped", "cautions", "roles") for e in plan.get(k, [])
    ]
    assert not [m for m in named if m not in kb.muscles and m not in kb.groups], "expect.plan names muscle or group ids"
    for entry in plan.get("levels", []):
        assert set(entry) <= {"level", "side", "root"} and entry["level"] in kb.levels and entry["side"] in SIDES
        assert entry.get("root") is None or entry["root"] in {r.segment for r in kb.levels[entry["level"]].roots}, (
            f"{entry} names a root the level does not implicate"
        )
    for entry in plan.get("absent_levels", []):
        assert set(entry) <= {"level", "side"} and entry["level"] in kb.levels and entry.get("side", "left") in SIDES
    for entry in plan.get("dropped", []):
        assert set(entry) <= {"muscle", "code", "side"} and entry["code"] in DROP_CODES and entry.get("side", "left") in SIDES
    for entry in plan.get("cautions", []):
        assert set(entry) == {"muscle", "contains"} and entry["contains"]
    for entry in plan.get("needles", []):
        assert set(entry) <= {"muscle", "min", "max"} and {"min", "max"} & set(entry), "a needle check gives min or max (mm)"
        assert 0 < entry.get("min", 1) <= entry.get("max", 200) <= 200
    for entry in plan.get("roles", []):
        assert set(entry) == {"muscle", "segment", "role"} and entry["role"] in ("main", "minor") and entry["segment"] in kb.segments
    assert all(isinstance(w, str) and w for w in plan.get("warnings", []) + plan.get("no_warnings", []))
    if expect.get("no_plan"):
        assert not plan, "a vignette whose plan is withheld expects nothing of the plan"


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_sources_are_references(vignette: Vignette, kb: KnowledgeBase) -> None:
    sources = vignette["sources"]
    assert isinstance(sources, list) and sources, "every vignette cites the source of its pattern"
    assert [s for s in sources if s not in kb.references] == [], "sources are ids from references.yaml"


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_classes_are_known_and_true(vignette: Vignette, kb: KnowledgeBase) -> None:
    classes = vignette["classes"]
    assert isinstance(classes, list) and classes, "every vignette names the classes it tests"
    assert [c for c in classes if c not in CLASSES] == [], f"classes are among {', '.join(sorted(CLASSES))}"
    false = [c for c in classes if (check := CLASSES[c][1]) is not None and not check(vignette, kb)]
    assert false == [], f"the vignette is not what these classes say: {', '.join(false)}"


def _names(document: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(where, kind, name) for every knowledge-base name in a document."""
    for i, name in enumerate(document.get("patient", {}).get("precautions", [])):
        yield f"patient.precautions[{i}]", "precaution", name
    complaint = document["complaint"]
    for i, name in enumerate(complaint["regions"]):
        yield f"complaint.regions[{i}]", "region", name
    if complaint.get("condition"):
        yield "complaint.condition", "condition", complaint["condition"]
    for i, finding in enumerate(document.get("findings", [])):
        for field, kind in (("muscle", "muscle"), ("region", "region"), ("movement", "movement"), ("reflex", "reflex")):
            if finding.get(field):
                yield f"findings[{i}].{field}", kind, finding[field]


def _unresolvable(document: dict[str, Any], kb: KnowledgeBase) -> list[str]:
    """Every name in the document the KB cannot resolve (or cannot score), as 'where: message'."""
    finders: dict[str, Callable[[str], Any]] = {
        "precaution": kb.find_precaution,
        "region": kb.find_region,
        "condition": kb.find_condition,
        "muscle": kb.find_muscle,
        "movement": kb.find_movement,
        "reflex": kb.find_reflex,
    }
    problems = []
    for where, kind, name in _names(document):
        try:
            record = finders[kind](name)
        except LookupFailed as exc:
            problems.append(f"{where}: {exc.message}")
            continue
        index = int(where.split("[")[1].split("]")[0]) if where.startswith("findings") else -1
        finding = document["findings"][index] if index >= 0 else {}
        if finding.get("type") == "rom":
            unit = finding.get("unit", "deg")
            if record.normal is None:
                problems.append(f"{where}: {record.name} has no normal range, so a range finding on it is not scored")
            elif record.normal.unit != unit:
                problems.append(f"{where}: {record.name} is measured in {record.normal.unit}, not {unit}")
    return problems


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_every_name_resolves(vignette: Vignette, kb: KnowledgeBase) -> None:
    problems = _unresolvable(vignette["document"], kb)
    if vignette["expect"].get("unresolved"):
        assert problems, "marked 'unresolved' but every name resolves"
    else:
        assert not problems, "\n".join(problems)

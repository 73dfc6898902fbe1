"""The vignette benchmark's runner (bench/vignettes.py) measures what it says it measures.

The engine's accuracy is not tested here. These tests feed the runner hand-made results
to show that each plan-quality figure counts the failure it names, that a result lacking
one of the engine's additions (red flags, step levels, drop codes...) fails the figure
that needs it instead of crashing the run, and that malformed data is refused with a
message naming the vignette and the field.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

from myotome import engine
from myotome.kb import KnowledgeBase
from tests.paths import REPO_ROOT


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("bench_vignettes", REPO_ROOT / "bench" / "vignettes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_vignettes"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    del sys.modules["bench_vignettes"]


def vignette(**expect: Any) -> dict[str, Any]:
    """A right C6 case: two bands, a paraspinal finding at C5-C6, and what the caller expects."""
    return {
        "name": "c6-test",
        "classes": ["root-localisation"],
        "sources": ["isncsci"],
        "document": {
            "format": "1.1",
            "id": "c6-test",
            "complaint": {"regions": ["lateral forearm"], "side": "right"},
            "findings": [
                {"type": "tender_band", "side": "right", "muscle": "ECRL", "severity": 3},
                {"type": "tender_band", "side": "right", "muscle": "supinator", "severity": 2},
                {"type": "paraspinal", "side": "right", "level": "C5-C6"},
                {"type": "reflex", "side": "right", "reflex": "Hoffmann", "grade": "negative"},
            ],
        },
        "expect": {"level": "C6", "side": "right", **expect},
        "note": "test case",
    }


class Canned:
    def __init__(self, result: dict[str, Any]):
        self.result = result

    def to_json(self) -> dict[str, Any]:
        return self.result


def step(order: int, muscle: str, region: str, side: str = "right", **more: Any) -> dict[str, Any]:
    return {
        "order": order,
        "muscle": {"id": muscle, "name": muscle},
        "segment": "C6",
        "side": side,
        "region": region,
        "cautions": [],
        **more,
    }


def result(steps: list[dict[str, Any]], **plan: Any) -> dict[str, Any]:
    return {
        "red_flags": [],
        "segments": [{"segment": "C6", "side": "right", "score": 0.8, "evidence": [{"finding": 3, "contribution": 0.8, "reason": "x"}]}],
        "unresolved": [],
        "plan": {
            "blocked": None,
            "involved": [{"segment": "C6", "side": "right"}],
            "steps": steps,
            "dropped": [],
            "warnings": [],
            "max_insertions": 16,
            **plan,
        },
    }


GOOD_STEPS = [
    step(1, "multifidus_cervical", "paraspinal", level="C5-C6", segment_role="main", suggestion=False),
    step(2, "supinator", "forearm", segment_role="main", suggestion=False),
    step(3, "extensor_carpi_radialis_longus", "forearm", segment_role="main", suggestion=False),
]


def run(bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, raw: dict[str, Any], canned: dict[str, Any]) -> Any:
    monkeypatch.setattr(bench, "assess", lambda document, kb: Canned(canned))
    return bench.evaluate(bench._vignette(raw, kb), kb)


def test_a_good_plan_passes_every_figure(bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = vignette(plan={"levels": [{"level": "C5-C6", "side": "right", "root": "C6"}]})
    outcome = run(bench, kb, monkeypatch, raw, result(GOOD_STEPS))
    assert outcome.problems == []
    assert (outcome.banded_kept, outcome.banded_found, outcome.levels_planned) == (2, 2, 1)


@pytest.mark.parametrize(
    ("label", "change", "problem"),
    [
        ("a banded muscle silently left out", lambda r: r["plan"]["steps"].pop(1), "banded but neither planned nor dropped"),
        (
            "a banded muscle dropped with no reason code",
            lambda r: (
                r["plan"].update(dropped=[{"muscle": {"id": "supinator"}, "side": "right", "reason": "not involved"}])
                or r["plan"]["steps"].pop(1)
            ),
            "banded but neither planned nor dropped",
        ),
        ("ECRL before supinator", lambda r: r["plan"]["steps"].reverse(), "paraspinal step(s)"),
        (
            "distal before proximal",
            lambda r: r["plan"]["steps"].__setitem__(slice(1, 3), [r["plan"]["steps"][2], r["plan"]["steps"][1]]),
            "proximal to distal",
        ),
        (
            "a pneumothorax warning with no step over the thorax",
            lambda r: r["plan"]["warnings"].append("Steps over the thorax: pneumothorax"),
            "without a step over the thorax",
        ),
        (
            "an unexamined muscle not labelled a suggestion",
            lambda r: r["plan"]["steps"].append(step(4, "anconeus", "forearm", segment_role="minor")),
            "not labelled suggestions",
        ),
        (
            "the negative Hoffmann scored",
            lambda r: r["segments"][0]["evidence"].append({"finding": 4, "contribution": 0.1}),
            "normal finding",
        ),
        ("a false alarm", lambda r: r["red_flags"].append({"code": "night_pain"}), "false alarm"),
        ("a plan withheld for no expected flag", lambda r: r["plan"].update(blocked="No plan"), "plan withheld"),
        (
            "a minor root labelled main",
            lambda r: r["plan"]["steps"].append(step(4, "extensor_carpi_ulnaris", "forearm", segment_role="main", suggestion=True)),
            "minor root",
        ),
    ],
)
def test_each_figure_counts_its_failure(
    bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch, label: str, change: Any, problem: str
) -> None:
    canned = result(copy.deepcopy(GOOD_STEPS))
    change(canned)
    outcome = run(bench, kb, monkeypatch, vignette(), canned)
    assert any(problem in p for p in outcome.problems), outcome.problems


def test_steps_over_the_thorax_on_both_sides_and_without_the_warning_are_counted(
    bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    steps = [step(1, "rhomboid_major", "back", "left"), step(2, "rhomboid_major", "back", "right")]
    outcome = run(bench, kb, monkeypatch, vignette(), result(steps))
    assert outcome.both_sides_of_chest and outcome.thorax_without_warning
    # infraspinatus is needled onto the scapula: a lung caution, but not a step over the thorax
    outcome = run(bench, kb, monkeypatch, vignette(), result([step(1, "infraspinatus", "shoulder")]))
    assert not outcome.thorax_without_warning and not outcome.both_sides_of_chest


def test_a_result_without_the_engine_additions_fails_figures_instead_of_crashing(
    bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = vignette(
        red_flags=["night_pain"],
        plan={
            "levels": [{"level": "C5-C6", "side": "right"}],
            "dropped": [{"muscle": "supinator", "code": "dose"}],
            "absent_levels": [{"level": "C6-C7"}],
        },
    )
    raw["document"]["history"] = ["night_pain"]
    raw["document"]["acknowledged_red_flags"] = ["night_pain"]
    old = result([{k: v for k, v in s.items() if k not in ("level", "segment_role", "suggestion")} for s in GOOD_STEPS])
    del old["red_flags"], old["plan"]["blocked"]
    old["plan"]["dropped"] = [{"muscle": {"id": "supinator"}, "side": "right", "reason": "over the maximum"}]
    outcome = run(bench, kb, monkeypatch, raw, old)
    assert outcome.checks["red_flags"] is False  # no red_flags list: the expected flag did not fire
    assert outcome.checks["levels"] is False and outcome.levels_planned == 0  # no step level
    assert outcome.checks["absent_levels"] is False  # cannot tell which level a step is at
    assert outcome.checks["dropped"] is False  # no drop code
    assert outcome.wrong_labels  # no segment_role: the labels cannot be checked


def test_an_engine_exception_is_a_failed_vignette_not_a_crash(
    bench: ModuleType, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(document: Any, kb: Any) -> Any:
        raise KeyError("plan")

    monkeypatch.setattr(bench, "assess", broken)
    outcome = bench.evaluate(bench._vignette(vignette(), kb), kb)
    assert not outcome.passed and "the engine failed: KeyError" in outcome.problems[0]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda v: v.update(sources=["isncsci", "no_such_book"]), "c6-test: sources not in references.yaml: no_such_book"),
        (lambda v: v.update(classes=[]), "c6-test: 'classes' must be a non-empty list"),
        (lambda v: v["expect"].update(red_flags=["cauda_equine"]), "expect.red_flags: not red-flag codes: cauda_equine"),
        (lambda v: v["expect"].update(plan={"levels": [{"level": "C7-C8", "side": "right"}]}), "expect.plan: not vertebral levels: C7-C8"),
        (lambda v: v["expect"].update(plan={"muscles": ["supinater"]}), "expect.plan: not muscle or group ids: supinater"),
        (lambda v: v["expect"].update(plans={}), "c6-test: 'expect' must be an object with only"),
    ],
)
def test_malformed_data_is_refused_naming_the_vignette_and_field(
    bench: ModuleType, kb: KnowledgeBase, tmp_path: Any, change: Any, message: str
) -> None:
    raw = vignette()
    change(raw)
    path = tmp_path / "vignettes.json"
    path.write_text(json.dumps({"vignettes": [raw]}))
    with pytest.raises(bench.DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        bench.load_vignettes(path, kb)


def test_the_benchmark_exits_0_and_prints_the_figures_as_json(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["vignettes"] >= 120
    assert {
        "banded_kept",
        "unexamined_steps",
        "paraspinal_first",
        "order_violations",
        "warning_without_thoracic_step",
        "levels_planned",
    } <= set(summary["plan_quality"])
    assert {"recall", "false_alarms", "no_plan_correct"} <= set(summary["red_flags"])


def test_the_real_engine_result_is_read_as_the_runner_expects(bench: ModuleType, kb: KnowledgeBase) -> None:
    # The runner's reading of a real result: the keys it looks up are the ones the engine writes.
    out = engine.assess(vignette()["document"], kb).to_json()
    assert {"red_flags", "segments", "unresolved", "plan"} <= set(out)
    assert {"blocked", "steps", "dropped", "warnings", "max_insertions", "involved"} <= set(out["plan"])
    assert {"level", "segment_role", "suggestion", "region", "segment", "side"} <= set(out["plan"]["steps"][0])

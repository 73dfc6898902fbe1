"""`myotome assess` and `myotome schema`: the output contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from myotome.cli import app
from myotome.kb import KnowledgeBase

EXAMPLES = Path(__file__).parents[3] / "shared" / "examples"
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def test_it_prints_the_result_json(kb: KnowledgeBase) -> None:
    result = run("assess", str(EXAMPLES / "c5-c6-shoulder.json"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert set(out) == {"id", "kb_version", "segments", "unresolved", "plan"}
    assert out["id"] == "example-shoulder" and out["kb_version"] == kb.version
    top = out["segments"][0]
    assert set(top) == {"segment", "side", "score", "evidence"}
    assert top["side"] == "left" and top["segment"] in {"C5", "C6"}
    assert set(top["evidence"][0]) == {"finding", "contribution", "reason"}
    plan = out["plan"]
    assert {"steps", "max_insertions", "dropped", "warnings"} <= set(plan)
    step = plan["steps"][0]
    assert {"order", "muscle", "segment", "side", "region", "reason", "cautions", "needle_mm"} <= set(step)
    assert step["region"] == "paraspinal" and step["segment"] in {"C5", "C6"}
    assert set(step["cautions"][0]) == {"kind", "structure", "text"}


def test_plan_muscle_ids_are_the_ids_kb_muscle_returns(kb: KnowledgeBase) -> None:
    out = json.loads(run("assess", str(EXAMPLES / "lumbar-l4.json")).stdout)
    for step in out["plan"]["steps"]:
        looked_up = json.loads(run("kb", "muscle", step["muscle"]["name"], "--json").stdout)[0]
        assert looked_up["id"] == step["muscle"]["id"]


def test_the_text_report_reads_like_a_note() -> None:
    result = run("assess", str(EXAMPLES / "c5-c6-shoulder.json"), "--format", "text")
    assert result.exit_code == 0
    for words in ("Likely segments", "Plan: involved", "Cervical multifidus", "Infraspinatus", "pneumothorax"):
        assert words in result.stdout


def test_an_invalid_document_exits_2_listing_every_problem_and_prints_no_result() -> None:
    result = run("assess", str(EXAMPLES / "bad-input.json"))
    assert result.exit_code == 2
    assert result.stdout == ""
    for path in ("complaint.side", "findings[1].level", "findings[2].value"):
        assert path in result.stderr


def test_unresolved_names_do_not_abort() -> None:
    doc = {
        "id": "x",
        "complaint": {"regions": ["elbow"], "side": "right"},
        "findings": [
            {"type": "tender_band", "muscle": "extensor carpi radialis brevs", "side": "right"},
            {"type": "reflex", "reflex": "brachioradialis", "grade": "reduced", "side": "right"},
        ],
    }
    out = json.loads(run("assess", "-", stdin=json.dumps(doc)).stdout)
    assert out["unresolved"][0]["finding"] == 1
    assert out["unresolved"][0]["suggestions"][0] == "Extensor carpi radialis brevis"
    assert out["segments"][0]["segment"] == "C6"


def test_a_missing_file_is_a_clear_error() -> None:
    result = run("assess", "/nonexistent/exam.json")
    assert result.exit_code == 2
    assert "cannot read /nonexistent/exam.json" in result.stderr


def test_batch_answers_line_by_line_in_order_and_keeps_going() -> None:
    good = json.loads((EXAMPLES / "lumbar-l4.json").read_text())
    lines = [
        json.dumps({**good, "id": "a"}),
        json.dumps({"id": "b", "complaint": {"regions": ["elbow"], "side": "up"}}),
        "{broken",
        "",
        json.dumps({**good, "id": "d"}),
    ]
    result = run("assess", "--batch", "-", stdin="\n".join(lines))
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", None, "d"]
    assert "segments" in out[0] and "segments" in out[3]
    assert out[1]["error"].startswith("complaint.side:")
    assert out[2]["error"].startswith("not valid JSON")


def test_batch_of_good_lines_exits_0() -> None:
    line = (EXAMPLES / "lumbar-l4.json").read_text().replace("\n", "")
    result = run("assess", "--batch", "-", stdin=line + "\n" + line + "\n")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 2


def test_schema_prints_the_assessment_json_schema() -> None:
    result = run("schema", "assessment")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("Myotome assessment")
    assert "findings" in schema["properties"]


@pytest.mark.parametrize("module", ["myotome.cli", "myotome.report", "myotome.plan"])
def test_the_engine_never_imports_django(module: str) -> None:
    import subprocess
    import sys

    code = f"import {module}, sys; bad = [m for m in sys.modules if m.startswith('django')]; assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True)

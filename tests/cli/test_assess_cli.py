"""`myotome assess` and `myotome schema`: the output contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from myotome.cli import app
from myotome.kb import KnowledgeBase
from tests.paths import EXAMPLES

runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def test_it_prints_the_result_json(kb: KnowledgeBase) -> None:
    result = run("assess", str(EXAMPLES / "c5-c6-shoulder.json"))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert {"id", "kb_version", "segments", "unresolved", "plan"} <= set(out)  # the contract grows by additions only
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
    for path in ("complaint.side", "finding 1 (tender_band), severity", "finding 2 (paraspinal), level", "finding 3 (reflex), grade"):
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


PLAIN = [
    # (arguments after `assess`, what the fast path does: (source, format, batch) or None for Typer)
    (["exam.json"], ("exam.json", "json", False)),
    (["-"], ("-", "json", False)),
    (["exam.json", "--format", "text"], ("exam.json", "text", False)),
    (["-f", "text", "exam.json"], ("exam.json", "text", False)),
    (["--format=json", "exam.json"], ("exam.json", "json", False)),
    (["--batch", "-"], ("-", "json", True)),
    (["--help"], None),
    ([], None),
    (["a.json", "b.json"], None),
    (["exam.json", "--format", "xml"], None),  # Typer explains the choices
    (["exam.json", "--colour"], None),
]


@pytest.mark.parametrize(("args", "expected"), PLAIN)
def test_the_fast_path_takes_only_the_plain_forms(args: list[str], expected: Any) -> None:
    from myotome.cli.assess_run import parse_plain

    assert parse_plain(args) == expected


@pytest.mark.parametrize("extra", [[], ["--format", "text"]])
def test_the_fast_path_prints_what_typer_prints(extra: list[str]) -> None:
    import subprocess
    import sys

    path = str(EXAMPLES / "c5-c6-shoulder.json")
    fast = subprocess.run([sys.executable, "-m", "myotome", "assess", path, *extra], capture_output=True, text=True, check=True)
    assert fast.stdout == run("assess", path, *extra).stdout


def test_the_fast_path_imports_neither_typer_nor_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; sys.argv = ['myotome', 'assess', sys.argv[1]]\n"
        "from myotome.cli import main\n"
        "try:\n    main()\nexcept SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer', 'django', 'click')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "lumbar-l4.json")], check=True, capture_output=True)


def _as_1_0(name: str) -> str:
    """An example written before format 1.1: no "format", paraspinal levels as root segments."""
    document = json.loads((EXAMPLES / name).read_text())
    del document["format"]
    for finding in document["findings"]:
        if finding["type"] == "paraspinal":
            finding["level"] = "C5-C6"  # the C5 and C6 roots, in 1.0
    return json.dumps(document)


def test_a_document_without_a_format_is_read_as_1_0_and_the_result_says_so() -> None:
    old = json.loads(run("assess", "-", stdin=_as_1_0("c5-c6-shoulder.json")).stdout)
    assert old["format"] == "1.0"
    assert old["notes"] and "read as format 1.0" in old["notes"][0]
    new = json.loads(run("assess", str(EXAMPLES / "c5-c6-shoulder.json")).stdout)
    assert (new["format"], new["notes"]) == ("1.1", [])


def test_the_text_report_says_when_a_document_was_read_as_1_0() -> None:
    result = run("assess", "-", "--format", "text", stdin=_as_1_0("c5-c6-shoulder.json"))
    assert "read as format 1.0" in " ".join(result.stdout.split())

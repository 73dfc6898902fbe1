"""``myotome outcomes``: the result object, text output, messages and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from myotome.cli import app
from myotome.cli.outcomes_run import parse_plain

runner = CliRunner()

KEYS = ["measure", "score", "subscales", "range", "better", "mcid", "valid", "reason"]


def run(*args: str) -> Result:
    return runner.invoke(app, ["outcomes", *args])


def scored(measure: str, responses: Any) -> dict[str, Any]:
    result = run("score", measure, "--responses", json.dumps(responses), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, dict)
    return parsed


def test_score_prints_the_issue_11_result_object() -> None:
    out = scored("quickdash", {"items": [2] * 11, "work": [1, 2, 3, 4]})
    assert list(out) == KEYS
    assert out["measure"] == "quickdash"
    assert (out["score"], out["subscales"], out["range"], out["better"]) == (25.0, {"work": 37.5}, [0, 100], "lower")
    assert out["mcid"]["value"] == 14 and "Sorensen" in out["mcid"]["source"]
    assert (out["valid"], out["reason"]) == (True, None)


def test_too_many_missing_is_valid_false_with_the_reason_and_exit_0() -> None:
    out = scored("quickdash", [1, 2, 3, 1, 1, 2, 1, 1, 2, None, None])
    assert (out["valid"], out["score"]) == (False, None)
    assert out["reason"] == "quickdash: 2 of 11 items missing or not applicable; the rule allows at most 1"


def test_an_unestablished_mcid_is_null_and_says_so() -> None:
    out = scored("prtee", [3] * 15)
    assert out["mcid"]["value"] is None
    assert out["mcid"]["basis"].startswith("not established")


def test_psfs_takes_named_activities() -> None:
    out = scored("psfs", {"activities": [{"name": "stairs", "score": 4}, {"name": "lifting", "score": 6}, {"name": "driving", "score": 8}]})
    assert (out["score"], out["better"]) == (6.0, "higher")


ERRORS = [
    (
        ["score", "odi", "--responses", "[0,1,2,3,4,5,6,0,0,0]"],
        "odi item 7: 6 is not allowed; allowed values are 0, 1, 2, 3, 4, 5, or null for missing",
    ),
    (["score", "ndi", "--responses", "[1,2"], "--responses is not valid JSON"),
    (["score", "dash", "--responses", "[1]"], "unknown measure 'dash'; known measures: nprs, psfs, psfs2, quickdash"),
    (["score", "lefs", "--responses", "[1,2,3]"], "lefs expects 20 item values in order, got 3"),
]


@pytest.mark.parametrize(("args", "message"), ERRORS)
def test_malformed_input_exits_2_with_a_message_that_names_the_item(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert message in " ".join(result.stderr.split())
    assert result.stdout == ""


def test_text_output_is_readable() -> None:
    result = run("score", "ndi", "--responses", "[2,2,2,2,2,2,2,2,2,null]")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "Neck Disability Index (ndi): 20 on 0-50, lower is better"
    assert any(line.strip().startswith("MCID: 5 (Vernon H.") for line in lines)
    assert any("missing items: published: Mean imputation" in line for line in lines)


def test_text_output_says_when_a_form_is_not_scored() -> None:
    result = run("score", "kujala", "--responses", json.dumps([5, 5, 5, 10, 5, 10, 10, 10, 10, 10, 10, 5, None]))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "Kujala Anterior Knee Pain Scale (AKPS) (kujala): not scored"
    assert "kujala: 1 item missing or not applicable; the rule allows at most 0" in result.stdout


def test_list_shows_every_measure_with_its_licence_status() -> None:
    result = run("list", "--json")
    assert result.exit_code == 0
    listed = {m["measure"]: m["licence"]["wording"] for m in json.loads(result.stdout)}
    assert listed["quickdash"] == listed["odi"] == listed["prtee"] == "licensed"
    assert listed["nprs"] == listed["psfs"] == "project"
    assert len(listed) == 12
    text = run("list")
    assert text.exit_code == 0
    assert "licensed: wording not shipped" in text.stdout
    assert "not established" in text.stdout


def test_outcomes_score_starts_without_django_typer_or_rich() -> None:
    code = (
        "import sys; from myotome.cli import main\n"
        "sys.argv = ['myotome', 'outcomes', 'score', 'nprs', '--responses', '[3]', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'typer', 'rich', 'click')]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[0])["score"] == 3.0


PLAIN = [
    (["nprs", "--responses", "[3]"], ("nprs", "[3]", False)),
    (["nprs", "--responses=[3]", "--json"], ("nprs", "[3]", True)),
    (["--json", "ndi", "--responses", "[]"], ("ndi", "[]", True)),
    (["nprs"], None),  # no responses: Typer says what is missing
    (["nprs", "--help"], None),
    (["nprs", "odi", "--responses", "[3]"], None),
]


@pytest.mark.parametrize(("args", "expected"), PLAIN)
def test_only_the_plain_form_skips_typer(args: list[str], expected: tuple[str, str, bool] | None) -> None:
    assert parse_plain(args) == expected


def test_the_installed_command_scores_and_fails_like_the_typer_one() -> None:
    script = Path(sys.executable).parent / "myotome"
    done = subprocess.run(
        [script, "outcomes", "score", "odi", "--responses", "[0,1,2,3,4,5,6,0,0,0]"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "error: odi item 7: 6 is not allowed; allowed values are 0, 1, 2, 3, 4, 5, or null for missing\n"
    done = subprocess.run(
        [script, "outcomes", "score", "odi", "--responses", "[0,1,2,3,4,5,null,null,0,0]"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "Oswestry Disability Index 2.1a (odi): not scored"

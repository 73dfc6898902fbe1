"""The ``myotome`` command as a newcomer reads it: its version, its help and its error messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from myotome.cli import app
from myotome.kb import KnowledgeBase

ROOT = Path(__file__).resolve().parents[2]
MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]
runner = CliRunner()


def run(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin)


def document(*findings: dict[str, object]) -> str:
    return json.dumps({"complaint": {"regions": ["lateral elbow"], "side": "right"}, "findings": list(findings)})


# -- version ------------------------------------------------------------------------------------


def test_version_prints_the_installed_version_without_building_the_app() -> None:
    code = (
        "import sys; sys.argv = ['myotome', '--version']\n"
        "from myotome.cli import main\n"
        "main()\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('typer', 'rich', 'django', 'pydantic')]\n"
        "assert not bad, bad\n"
    )
    fast = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert fast.stdout == f"myotome {version('myotome')}\n"
    assert run("--version").stdout == fast.stdout  # the Typer option, listed in --help, says the same
    assert "--version" in run("--help").stdout


# -- assess: error messages ---------------------------------------------------------------------


def test_validation_messages_number_findings_from_1_as_the_report_does() -> None:
    bad = document(
        {"type": "tender_band", "muscle": "ECRB", "side": "right"},
        {"type": "paraspinal", "level": "C9", "side": "left"},
        {"type": "massage", "side": "left"},
    )
    result = run("assess", "-", stdin=bad)
    assert result.exit_code == 2
    assert "  - finding 2 (paraspinal), level: 'C9' is not a spinal level" in result.stderr
    assert "  - finding 3, type: 'massage' is not a finding type" in result.stderr
    assert "findings[" not in result.stderr


def test_a_json_syntax_error_is_reported_once_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "exam.json"
    path.write_text('{"complaint": {"regions": ["elbow"],\n "side": "left"},\n"findings": [\n {"type": "tender_band}')
    result = run("assess", str(path))
    assert result.exit_code == 2
    assert "not valid JSON: Unterminated string starting at line 4, column 11" in result.stderr
    assert "at at" not in result.stderr


def test_an_empty_document_says_it_is_empty(tmp_path: Path) -> None:
    empty = tmp_path / "exam.json"
    empty.write_text("\n")
    from_file = run("assess", str(empty))
    assert from_file.exit_code == 2 and from_file.stdout == ""
    assert from_file.stderr.startswith(f"{empty} is empty: expected an assessment document")
    from_stdin = run("assess", "-", stdin="")
    assert from_stdin.exit_code == 2 and from_stdin.stderr.startswith("standard input is empty")


def test_batch_names_the_line_of_each_bad_document() -> None:
    good = document()
    lines = [good, "{broken", "", json.dumps({"id": "x", "complaint": {"regions": ["elbow"], "side": "up"}}), good]
    result = run("assess", "--batch", "-", stdin="\n".join(lines) + "\n")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1 and len(out) == 4
    assert out[1] == {
        "id": None,
        "line": 2,
        "error": "not valid JSON: Expecting property name enclosed in double quotes at line 2, column 2",
    }
    assert out[2]["line"] == 4 and out[2]["id"] == "x" and out[2]["error"].startswith("complaint.side:")
    assert "line" not in out[0] and "line" not in out[3]


# -- kb: tables in a pipe or a file --------------------------------------------------------------


def test_kb_tables_in_a_pipe_keep_every_word_whole(kb: KnowledgeBase) -> None:
    # CliRunner's output is not a terminal, as a pipe is not; at Rich's 80 columns 54 words were cut in two.
    names = [m.name for m in kb.muscles.values()]
    table = run("kb", "muscle", *names).stdout
    answers = json.loads(run("kb", "muscle", *names, "--json").stdout)
    words = {
        w for a in answers for member in a.get("members", [a]) for w in re.findall(r"[A-Za-z]{3,}", member["name"] + " " + member["nerve"])
    }
    assert len(words) > 200
    assert [w for w in sorted(words) if not re.search(rf"\b{w}\b", table)] == []


def test_kb_output_piped_from_the_real_command_is_120_columns_at_most() -> None:
    # COLUMNS=80 as readline leaves it for the programs Python starts: a pipe is still laid out whole.
    piped = subprocess.run(
        [*MYOTOME, "kb", "muscle", "ECRB", "calf"], capture_output=True, text=True, env={**os.environ, "COLUMNS": "80"}, check=True
    )
    assert re.search(r"│ Posterior interosseous +│", piped.stdout)
    assert max(len(line) for line in piped.stdout.splitlines()) <= 120


def test_an_unquoted_name_of_several_words_gets_a_hint_to_quote_it() -> None:
    result = run("kb", "muscle", "extensor", "carpi", "radialis", "brevis")
    assert result.exit_code == 1
    assert 'quote a name of several words: myotome kb muscle "extensor carpi radialis brevis"' in result.stderr


# -- help -----------------------------------------------------------------------------------------

COMMANDS = [
    [],
    ["assess"],
    ["schema", "assessment"],
    ["kb", "muscle"],
    ["kb", "segment"],
    ["kb", "check"],
    ["serve"],
    ["demo"],
    ["createuser"],
    ["doctor"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "myotome")
def test_help_shows_plain_metavariables(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert not re.search(r"<(bool|str|int|list|path)", result.stdout), result.stdout
    usage = next(line for line in result.stdout.splitlines() if "Usage:" in line)
    assert "{" not in usage, usage


def test_help_names_what_each_argument_is() -> None:
    assert "Usage: myotome kb muscle [OPTIONS] NAME..." in run("kb", "muscle", "--help").stdout
    assert "Usage: myotome createuser [OPTIONS] USERNAME" in run("createuser", "--help").stdout
    assert "[clinic_admin|clinician" in run("createuser", "--help").stdout  # the roles, as a choice


def test_the_readme_says_to_quote_a_name_of_several_words() -> None:
    assert 'myotome kb muscle "peroneus longus"' in (ROOT / "README.md").read_text()

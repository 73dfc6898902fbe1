"""A skipped test fails the run in CI, and only in CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT

SAMPLE = """
import pytest

def test_runs():
    assert True

def test_needs_something_missing():
    pytest.skip("needs a browser that is not installed")

@pytest.mark.xfail(reason="a known bug, recorded")
def test_known_bug():
    assert False
"""


def run_sample(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_sample.py").write_text(SAMPLE)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = str(REPO_ROOT)
    command = [sys.executable, "-m", "pytest", "-p", "tests.strict_skips", "-q", "-p", "no:cacheprovider", str(tmp_path)]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("ci", ["true", "1"])
def test_a_skip_fails_the_run_in_ci(tmp_path: Path, ci: str) -> None:
    result = run_sample(tmp_path, ci)
    assert result.returncode == 1, result.stdout
    assert "1 failed, 1 passed, 1 xfailed" in result.stdout
    assert "skipped in CI, which must run every test: needs a browser that is not installed" in result.stdout


@pytest.mark.parametrize("ci", [None, "false"])
def test_a_skip_is_only_a_skip_elsewhere(tmp_path: Path, ci: str | None) -> None:
    result = run_sample(tmp_path, ci)
    assert result.returncode == 0, result.stdout
    assert "1 passed, 1 skipped, 1 xfailed" in result.stdout

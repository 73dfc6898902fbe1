"""bench/load.py, run small: a real `myotome serve` with two worker processes, simulated clinicians
(locust) doing a day's work, on the database the suite runs on (SQLite in a fresh MYOTOME_HOME,
or a scratch PostgreSQL database on DATABASE_URL's server). No timing is asserted: only that
every page of the day was exercised, nothing failed, and, on SQLite, that the writes of several
processes queued for the lock (each wait reported) instead of failing with "database is locked".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from myotome.clinic import serving

ROOT = Path(__file__).resolve().parents[2]
PAGES = {
    *("day page", "find patient (search)", "search results", "patient page", "episode page", "new exam form", "save exam", "plan"),
    *("session start panel", "start session", "session page", "record insertion", "outcome form", "save outcome", "progress"),
}

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="bench/load.py reads the server's CPU time from Linux's /proc")


@pytest.fixture(scope="module")
def load_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], str]:
    out = tmp_path_factory.mktemp("load") / "figures.json"
    base = os.environ.get("DATABASE_URL", "")
    database = (
        ["--databases", "postgresql", "--postgres-url", base]
        if base.startswith(("postgres://", "postgresql://"))
        else ["--databases", "sqlite"]
    )
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, str(ROOT / "bench" / "load.py"), *database, "--patients", "20", "--modes", "capacity,think", "--users", "3"]
    command += ["--seconds", "3", "--seconds-think", "6", "--think", "0.01-0.05", "--page-seconds", "1", "--serve-args", "--workers 2"]
    ran = subprocess.run(
        [*command, "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env=environment,
        cwd=ROOT,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    return json.loads(out.read_text()), ran.stdout


def test_every_page_of_the_day_is_exercised_in_both_modes_without_a_failure(load_run: tuple[list[dict[str, Any]], str]) -> None:
    runs, _ = load_run
    assert [run["mode"] for run in runs] == ["capacity", "think"]
    for run in runs:
        assert run["failures"] == 0 and run["errors"] == [], (run["failure_samples"], run["errors"])
        assert {page["name"] for page in run["pages"] if page["requests"] > 0} == PAGES
        on_sqlite = not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
        assert run["server"] == serving.plan(2, None, sqlite=on_sqlite).describe()  # serve's own thread count for the database
        assert run["cpu_ms_per_request"] > 0  # the workers' CPU time was read from /proc


def test_capacity_mode_measures_each_page_alone_for_its_cpu_cost(load_run: tuple[list[dict[str, Any]], str]) -> None:
    capacity, think = load_run[0]
    assert all(page["cpu_ms"] > 0 for page in capacity["pages"])
    assert all(page["cpu_ms"] is None for page in think["pages"])  # think mode runs the day only


def test_the_report_names_the_pinned_core_and_the_budgets(load_run: tuple[list[dict[str, Any]], str]) -> None:
    runs, printed = load_run
    core = max(os.sched_getaffinity(0))
    assert runs[0]["core"] == [core]
    assert f"load generator pinned to core {core} with taskset" in printed
    assert "requests/s against 131 (1.6 x 82" in printed
    assert "not comparable: the budgets are for 20 clinicians, this run had 3" in printed


def test_sqlite_writers_of_several_processes_wait_for_the_lock_and_never_fail(load_run: tuple[list[dict[str, Any]], str]) -> None:
    runs, printed = load_run
    for run in runs:
        assert run["database_locked"] == 0
        if run["database"] == "sqlite":
            assert len(run["lock_waits"]) > run["requests"] // 2  # every audited page view's write, timed
            assert "SQLite write-lock waits: " in printed and "'database is locked' in the server log: 0" in printed

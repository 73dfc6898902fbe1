"""How fast `myotome demo` loads a practice: seconds and rows per second, SQLite and PostgreSQL.

    python bench/demo.py [--patients 2000 20000] [--workers N] [--database-url postgres://postgres@127.0.0.1:5432/x]
                         [--sqlite-only] [--python-path DIR]

Runs `myotome demo --patients N` as an operator would, in a new MYOTOME_HOME (SQLite) and in a
scratch PostgreSQL database made on --database-url's server and dropped afterwards. It prints,
per run, the wall time (migrations excluded: they run first, apart),
the CPU seconds of the command and its engine workers, the rows inserted (every table the demo
fills) and rows per second, exams per second, and the size of the database. The machine's load
average is printed with each run: helpers sharing the machine slow it, and the figure says so.
`--python-path DIR` runs another checkout's src (e.g. main before the change, for "before").
Prints numbers; asserts nothing (tests/clinic/test_demo.py checks what the demo makes).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import _scratch_database  # a sibling script, not a package

# Every table the demo fills (its Django apps' tables, but not the audit trail, which it leaves empty).
DEMO_APPS = ("accounts", "auth_user", "patients", "exams", "treatments", "outcomes")


def _env(home: Path, database_url: str | None, python_path: str | None) -> dict[str, str]:
    drop = {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL", "MYOTOME_LOG_FILE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["MYOTOME_HOME"] = str(home)
    if database_url:
        env["DATABASE_URL"] = database_url
    if python_path:
        env["PYTHONPATH"] = python_path
    return env


def _demo(env: dict[str, str], patients: int, workers: int | None, steps: list[str] | None) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its workers) of one `myotome demo` (or of only some of its steps)."""
    command = [sys.executable, "-m", "myotome", "demo", "--patients", str(patients)]
    if workers is not None:
        command += ["--workers", str(workers)]
    if steps is not None:  # the load function itself, with the steps named (the command has no such option)
        code = (
            "from myotome.clinic import cli; cli._setup_django(create=False); from myotome.batch import default_workers; "
            "from myotome.clinic.demo import STEPS, load_demo; "
            f"load_demo(patients={patients}, steps=[s for s in STEPS if s.name in {steps!r}], workers={workers} or default_workers())"
        )
        command = [sys.executable, "-c", code]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=3600)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _demo_tables(tables: list[str]) -> list[str]:
    return sorted(t for t in tables if t.startswith(DEMO_APPS))


def _counts(home: Path, database_url: str | None) -> tuple[dict[str, int], int]:
    """Rows per table, and the database's size in bytes."""
    if database_url is None:
        path = home / "myotome.sqlite3"
        with sqlite3.connect(path) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _demo_tables(tables)}
        size = sum(p.stat().st_size for p in home.glob("myotome.sqlite3*"))
        return counts, size
    import psycopg

    with psycopg.connect(database_url) as db:
        tables = [row[0] for row in db.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in _demo_tables(tables)}  # type: ignore[call-overload,index]
        size = db.execute("SELECT pg_database_size(current_database())").fetchone()[0]  # type: ignore[index]
    return counts, int(size)


def run(patients: int, database_url: str | None, workers: int | None, python_path: str | None, steps: list[str] | None = None) -> str:
    home = Path(tempfile.mkdtemp(prefix="myotome-demo-bench-"))
    try:
        with _scratch_database(database_url) as url:
            env = _env(home, url, python_path)
            _migrate_only(env)  # in a run of its own, so that the figure is the load alone
            load = os.getloadavg()[0]
            wall, cpu = _demo(env, patients, workers, steps)
            counts, size = _counts(home, url)
    finally:
        shutil.rmtree(home, ignore_errors=True)  # a 20,000-patient SQLite file is half a gigabyte
    rows = sum(counts.values())
    label = "PostgreSQL" if database_url else "SQLite"
    return (
        f"{label:<10} {patients:>6} patients: {wall:6.1f} s wall, {cpu:6.1f} s CPU; {rows:>7} rows, {rows / wall:7.0f} rows/s; "
        f"{counts['exams_exam']:>6} exams, {counts['exams_exam'] / wall:5.0f} exams/s; {size / 1e6:6.0f} MB; load average {load:.1f}"
    )


def _migrate_only(env: dict[str, str]) -> None:
    code = "from myotome.clinic import cli; cli._setup_django(create=True); cli._migrate()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, timeout=600)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--workers", type=int, default=None, help="engine processes (default: the command's, one per core)")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--python-path", default=None, help="run another checkout's src (its `demo` may lack --workers)")
    parser.add_argument(
        "--steps",
        default=None,
        help="only these steps of the demo, comma-separated (patients,episodes,precautions,consents,exams: the mix before sessions and measures)",
    )
    args = parser.parse_args()
    steps = args.steps.split(",") if args.steps else None
    print(f"myotome demo on {os.cpu_count()} cores; workers: {args.workers or 'default'}; steps: {args.steps or 'all'}", flush=True)
    for patients in args.patients:
        print(run(patients, None, args.workers, args.python_path, steps), flush=True)
        if not args.sqlite_only:
            print(run(patients, args.database_url, args.workers, args.python_path, steps), flush=True)


if __name__ == "__main__":
    main()

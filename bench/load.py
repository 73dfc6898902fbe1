"""The load benchmark: a real `myotome serve` driven by simulated clinicians (locust), per page.

    python bench/load.py                                   # the whole table: below
    python bench/load.py --databases sqlite --patients 200 --modes capacity --seconds 20 --page-seconds 5

For each database (SQLite; PostgreSQL in a scratch database made on --postgres-url's server
and dropped afterwards) and each practice size (--patients, a demo practice loaded into a new
MYOTOME_HOME), it starts `myotome serve` on a free loopback port and runs the simulated
clinicians of bench/load_clinicians.py against it, in a process pinned to one core with
`taskset` (the server's workers may use every core; the line "load generator: ..." says which
core). Each clinician signs in as the demo clinician and works through a day: the day page,
find a patient (search), the results, the patient, the episode, a new exam form, save the exam
(POST), read its plan; then the session start panel, start a session from the plan, the session
page, three insertions recorded, the NPRS form, save it, and the episode's progress page
(--until plan stops after the plan). Two modes:

- think: --users clinicians pausing --think seconds between pages, as at the treatment table;
  budgets p95 < 150 ms for pages and < 300 ms for saves (with 20 clinicians);
- capacity: no pause at all, for requests/s (budget: 1.6 x 82 = 131 requests/s, the figure of
  one waitress process before serving on every core); then each page alone for --page-seconds,
  for its CPU cost.

It prints, per page, requests, requests/s, p50/p95/p99 and the server's CPU milliseconds per
request (the CPU time of the server's processes, from /proc, over the page's requests: the
load generator's own CPU is not in it), the failures, the SQLite write-lock waits (from the
server's log, written with MYOTOME_SQLITE_LOCK_LOG_MS=0) and whether "database is locked"
appeared; then the budgets, and each page's cost at every practice size (it should be flat).
Prints numbers; asserts nothing (tests/clinic/test_serve_load.py runs a tiny one and checks it).
--json FILE writes the figures as JSON. Linux only (/proc, taskset).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CLINICIANS = HERE / "load_clinicians.py"
LOCK_WAIT = re.compile(r"myotome\.sqlite: write lock waited (\d+) ms")
SERVING = re.compile(r"Serving with (.+?);")
BASELINE_RPS = 82  # one waitress process, 20 clients without think time, SQLite, 200 patients (issue 12)
BUDGETS = {"page": 150, "save": 300}  # p95 ms with 20 clinicians at think time
CAPACITY_FACTOR = 1.6


# -- the server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    pid: int
    log: Path
    database: str
    patients: int
    demo_seconds: float

    def log_text(self, offset: int = 0) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")

    def describe(self) -> str:
        found = SERVING.search(self.log_text())
        return found.group(1) if found else "(unknown)"


@contextmanager
def served(*, database: str, patients: int, serve_args: list[str], postgres_url: str, python_path: str | None) -> Iterator[Server]:
    """A demo practice of ``patients`` served by `myotome serve` on a free port; stopped (and its data removed) on leaving."""
    home = Path(tempfile.mkdtemp(prefix="myotome-load-"))
    drop = {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL", "MYOTOME_HTTPS", "MYOTOME_TRUSTED_PROXY", "MYOTOME_LOG_FILE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(MYOTOME_HOME=str(home / "home"), MYOTOME_SQLITE_LOCK_LOG_MS="0")
    if python_path:
        env["PYTHONPATH"] = python_path
    try:
        with _scratch_database(postgres_url if database == "postgresql" else None) as url:
            if url:
                env["DATABASE_URL"] = url
            command = [sys.executable, "-m", "myotome"]
            began = time.perf_counter()
            loaded = subprocess.run([*command, "demo", "--patients", str(patients)], env=env, capture_output=True, text=True, timeout=3600)
            if loaded.returncode != 0:
                raise RuntimeError(f"myotome demo --patients {patients} failed:\n{loaded.stdout}{loaded.stderr}")
            demo_seconds = time.perf_counter() - began
            port = free_port()
            log_path = home / "serve.log"
            with log_path.open("wb") as log:
                process = subprocess.Popen(
                    [*command, "serve", "--port", str(port), *serve_args], env=env, stdout=log, stderr=subprocess.STDOUT
                )
            try:
                server = Server(f"http://127.0.0.1:{port}", process.pid, log_path, database, patients, demo_seconds)
                _wait_until_up(server, process)
                yield server
            finally:
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _wait_until_up(server: Server, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"myotome serve exited with {process.returncode}:\n{server.log_text()}")
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"myotome serve did not answer within {timeout} s:\n{server.log_text()}")


@contextmanager
def _scratch_database(server_url: str | None) -> Iterator[str | None]:
    """A new PostgreSQL database on the server of ``server_url``, dropped afterwards; None for SQLite."""
    if not server_url:
        yield None
        return
    import psycopg

    parts = urllib.parse.urlsplit(server_url)
    name = f"myotome_load_{os.getpid()}"
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


# -- the clinicians ---------------------------------------------------------------------------------


def generator_core() -> int:
    """The core the load generator runs on: the last one this process may use."""
    return max(os.sched_getaffinity(0))


def drive(
    server: Server, *, mode: str, users: int, seconds: float, think: str, page_seconds: float, pin: bool, until: str | None = None
) -> dict[str, Any]:
    """Run bench/load_clinicians.py against the server (pinned with taskset); its results and the server log of the run."""
    with tempfile.TemporaryDirectory(prefix="myotome-load-results-") as scratch:
        out = Path(scratch) / "results.json"
        command = [
            sys.executable,
            str(CLINICIANS),
            *("--url", server.url, "--server-pid", str(server.pid), "--users", str(users), "--mode", mode),
            *("--seconds", str(seconds), "--think", think, "--page-seconds", str(page_seconds), "--out", str(out)),
            *(("--until", until) if until else ()),
        ]
        if pin:
            taskset = shutil.which("taskset")
            if taskset is None:
                raise RuntimeError("taskset is not installed (util-linux): install it, or run with --no-pin")
            command = [taskset, "-c", str(generator_core()), *command]
        offset = server.log.stat().st_size
        ran = subprocess.run(command, capture_output=True, text=True, timeout=3600, check=False)
        if ran.returncode != 0 or not out.exists():
            raise RuntimeError(f"the load generator failed ({ran.returncode}):\n{ran.stdout[-3000:]}{ran.stderr[-3000:]}")
        results: dict[str, Any] = json.loads(out.read_text())
    results["server_log"] = server.log_text(offset)
    return results


# -- the figures ------------------------------------------------------------------------------------


def quantile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


@dataclass
class PageFigures:
    name: str
    kind: str
    requests: int
    per_second: float
    p50: float | None
    p95: float | None
    p99: float | None
    failures: int
    cpu_ms: float | None  # per request, with the page alone (capacity mode); None when not measured


@dataclass
class RunFigures:
    database: str
    patients: int
    mode: str
    users: int
    think: str | None
    server: str
    core: list[int] | None
    seconds: float
    pages: list[PageFigures]
    requests: int
    per_second: float
    p50: float | None
    p95: float | None
    p99: float | None
    failures: int
    failure_samples: list[str]
    errors: list[str]
    cpu_ms_per_request: float | None  # the mix
    lock_waits: list[int] = field(default_factory=list)
    database_locked: int = 0


def figures(server: Server, results: dict[str, Any]) -> RunFigures:
    mix, *alone = results["phases"]
    cpu = {phase["name"]: phase["cpu_ms"] / max(1, sum(len(v) for v in phase["latencies"].values())) for phase in alone}
    pages = []
    for step in results["steps"]:
        values = mix["latencies"].get(step["name"], [])
        pages.append(
            PageFigures(
                step["name"],
                step["kind"],
                len(values),
                len(values) / mix["seconds"],
                quantile(values, 50),
                quantile(values, 95),
                quantile(values, 99),
                mix["failures"].get(step["name"], 0),
                cpu.get(step["name"]),
            )
        )
    everything = [v for values in mix["latencies"].values() for v in values]
    log = results["server_log"]
    return RunFigures(
        database=server.database,
        patients=server.patients,
        mode=results["mode"],
        users=results["users"],
        think=results["think"],
        server=server.describe(),
        core=results["core"],
        seconds=mix["seconds"],
        pages=pages,
        requests=len(everything),
        per_second=len(everything) / mix["seconds"],
        p50=quantile(everything, 50),
        p95=quantile(everything, 95),
        p99=quantile(everything, 99),
        failures=sum(p["failures"].get(name, 0) for p in results["phases"] for name in p["failures"]),
        failure_samples=[s for p in results["phases"] for s in p["failure_samples"]][:10],
        errors=[e for p in results["phases"] for e in p["errors"]][:10],
        cpu_ms_per_request=mix["cpu_ms"] / len(everything) if everything else None,
        lock_waits=[int(ms) for ms in LOCK_WAIT.findall(log)],
        database_locked=log.count("database is locked"),
    )


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}" if value >= 10 else f"{value:.1f}"


def report(run: RunFigures) -> str:
    database = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[run.database]
    mode = f"think time {run.think} s" if run.mode == "think" else "capacity (no think time)"
    core = f"core {run.core[0]}" if run.core and len(run.core) == 1 else f"cores {run.core}"
    rows = [
        f"{database}, {run.patients:,} patients, {mode}, {run.users} clinicians, {run.seconds:.0f} s; "
        f"server: {run.server}; load generator pinned to {core} with taskset",
        f"  {'page':<22} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'CPU ms/req':>10}",
    ]
    for page in run.pages:
        rows.append(
            f"  {page.name:<22} {page.requests:>8} {page.per_second:>7.1f} {_ms(page.p50):>7} {_ms(page.p95):>7} {_ms(page.p99):>7} "
            f"{_ms(page.cpu_ms):>10}"
        )
    rows.append(
        f"  {'all (the mix)':<22} {run.requests:>8} {run.per_second:>7.1f} {_ms(run.p50):>7} {_ms(run.p95):>7} {_ms(run.p99):>7} "
        f"{_ms(run.cpu_ms_per_request):>10}"
    )
    rows.append(f"  failures {run.failures}; errors {len(run.errors)}" + "".join(f"\n    {s}" for s in run.failure_samples + run.errors))
    if run.database == "sqlite":
        waits = run.lock_waits
        if waits:
            waited = sum(1 for w in waits if w >= 1)
            rows.append(
                f"  SQLite write-lock waits: {len(waits)} writes, {waited} waited 1 ms or more; "
                f"p50 {_ms(quantile([float(w) for w in waits], 50))} ms, p95 {_ms(quantile([float(w) for w in waits], 95))} ms, "
                f"p99 {_ms(quantile([float(w) for w in waits], 99))} ms, max {max(waits)} ms"
            )
        rows.append(f"  'database is locked' in the server log: {run.database_locked}")
    return "\n".join(rows)


def _verdict(met: bool, users: int) -> str:
    if users != 20:
        return f"not comparable: the budgets are for 20 clinicians, this run had {users}"
    return "met" if met else "NOT met"


def budgets(runs: list[RunFigures]) -> str:
    """The issue's budgets against the runs: think-time p95, capacity, and cost across practice sizes."""
    rows = ["Budgets"]
    for run in runs:
        label = f"  {run.database}, {run.patients:,} patients, {run.mode}:"
        if run.mode == "think":
            for kind, limit in BUDGETS.items():
                worst = max((p for p in run.pages if p.kind == kind and p.p95 is not None), key=lambda p: p.p95 or 0, default=None)
                if worst is not None:
                    verdict = _verdict((worst.p95 or 0) < limit, run.users)
                    rows.append(f"{label} {kind}s p95 < {limit} ms with 20 clinicians: worst {worst.name} {_ms(worst.p95)} ms -> {verdict}")
        else:
            target = CAPACITY_FACTOR * BASELINE_RPS
            verdict = _verdict(run.per_second >= target, run.users)
            rows.append(
                f"{label} {run.per_second:.1f} requests/s against {target:.0f} ({CAPACITY_FACTOR} x {BASELINE_RPS}, "
                f"p95 {_ms(run.p95)} ms against 360 ms before) -> {verdict}"
            )
    sizes = sorted({r.patients for r in runs})
    capacity = [r for r in runs if r.mode == "capacity"]
    if len(sizes) > 1 and capacity:
        rows.append("Cost per page across practice sizes (capacity mode: CPU ms/req, then p50 ms in the mix)")
        for database in sorted({r.database for r in capacity}):
            by_size = {r.patients: r for r in capacity if r.database == database}
            header = "".join(f" {f'{size:,} patients':>22}" for size in sizes if size in by_size)
            rows.append(f"  {database:<22}{header}")
            for index, page in enumerate(next(iter(by_size.values())).pages):
                cells = "".join(
                    f" {_ms(by_size[size].pages[index].cpu_ms):>11} {_ms(by_size[size].pages[index].p50):>10}"
                    for size in sizes
                    if size in by_size
                )
                rows.append(f"  {page.name:<22}{cells}")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--patients", default="200,20000", help="practice sizes, comma-separated (the demo's --patients)")
    parser.add_argument("--modes", default="think,capacity", help="comma-separated: think, capacity")
    parser.add_argument("--users", type=int, default=20, help="simulated clinicians")
    parser.add_argument("--think", default="3-12", help="think time between pages, in seconds: LOW-HIGH (think mode)")
    parser.add_argument("--seconds-think", type=float, default=180, help="measured seconds in think mode")
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds in capacity mode")
    parser.add_argument("--page-seconds", type=float, default=10, help="each page alone, for its CPU cost (capacity mode; 0: not)")
    parser.add_argument(
        "--until", default=None, metavar="PAGE", help='end the day after this page: "plan" is the day the 82 requests/s were measured on'
    )
    parser.add_argument("--serve-args", default="", help='options for `myotome serve`, e.g. "--workers 2 --threads 4"')
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("DATABASE_URL", "").strip() or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server to make the scratch database on (default: DATABASE_URL, else the local server)",
    )
    parser.add_argument("--python-path", default=None, help="run the server from this src directory (e.g. an older checkout)")
    parser.add_argument("--no-pin", dest="pin", action="store_false", help="do not pin the load generator to one core")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = parser.parse_args()
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(databases) - {"sqlite", "postgresql"} or set(modes) - {"think", "capacity"}:
        parser.error("--databases takes sqlite and postgresql, --modes think and capacity")
    runs: list[RunFigures] = []
    for database in databases:
        for patients in [int(p) for p in args.patients.split(",")]:
            with served(
                database=database,
                patients=patients,
                serve_args=shlex.split(args.serve_args),
                postgres_url=args.postgres_url,
                python_path=args.python_path,
            ) as server:
                print(f"demo practice of {patients:,} patients on {database} loaded in {server.demo_seconds:.1f} s", flush=True)
                for mode in modes:
                    results = drive(
                        server,
                        mode=mode,
                        users=args.users,
                        seconds=args.seconds_think if mode == "think" else args.seconds,
                        think=args.think,
                        page_seconds=args.page_seconds,
                        pin=args.pin,
                        until=args.until,
                    )
                    run = figures(server, results)
                    runs.append(run)
                    print(report(run), flush=True)
    print(budgets(runs))
    if args.json:
        args.json.write_text(json.dumps([vars(r) | {"pages": [vars(p) for p in r.pages]} for r in runs], indent=1))


if __name__ == "__main__":
    main()

"""How fast the practice analytics and the prognostic report answer for a demo practice, on SQLite and PostgreSQL.

    python bench/analytics.py [--patients 2000] [--repeat 10] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
                              [--sqlite-only] [--workers N]

For each database it loads a demo practice (`load_demo`, the same generator as `myotome demo`)
into a new MYOTOME_HOME (SQLite) or a scratch database made on --database-url's server and
dropped afterwards, then, in that process, Django's test client signed in as the first
clinic's admin (ada; given an authenticator app, as a clinic admin must have) requests the
analytics page, the same page filtered by a condition, the CSV export and the prognostic
report. Per page it prints the fastest and median service time over --repeat requests after
one warm-up (the fastest is the figure least disturbed by other work on a shared machine)
and the number of SQL queries; and the episodes the report covered and what the prognostic
report found (the demo plants one effect: analytics/demo.py). The load average is printed:
helpers sharing the machine slow every figure. Prints numbers; asserts nothing
(tests/clinic/test_analytics.py pins the page's query count).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import _scratch_database  # a sibling script, not a package

SECRET = "bench-analytics-secret-key-not-for-production-0000"
PAGES = (
    ("analytics", "/analytics/"),
    ("analytics, one condition", "/analytics/?condition=low_back_pain"),
    ("CSV export", "/analytics/export.csv"),
    ("prognostic report", "/analytics/prognosis/"),
)


def child(patients: int, repeat: int, workers: int) -> None:
    """Inside the practice's process: load, then time the pages; prints one JSON line."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "myotome.clinic.settings"
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from myotome.clinic.analytics.prognostic import prognostic_rows
    from myotome.clinic.analytics.queries import episode_facts
    from myotome.clinic.demo import load_demo
    from myotome.clinic.mfa import second_factor
    from myotome.clinic.mfa.models import TotpDevice
    from myotome.clinic.mfa.sealing import seal

    settings.ALLOWED_HOSTS = ["testserver"]  # the test client's host
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    practice = load_demo(patients=patients, seed=1, workers=workers)
    loaded = time.perf_counter() - started
    admin = practice.users["ada"]
    device = TotpDevice.objects.create(user=admin, sealed_secret=seal("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"), confirmed_at=timezone.now())
    client = Client()
    client.force_login(admin)
    session = client.session
    second_factor.mark_verified(session, device)
    session.save()
    facts = episode_facts(practice.clinics[0])
    rows, _ = prognostic_rows(episode_facts(practice.clinics[0], completed_only=True, with_treatment=True), practice.kb)
    results: dict[str, object] = {
        "load_s": loaded,
        "episodes": len(facts),
        "completed": sum(f.completed for f in facts),
        "reached": sum(bool(f.reached) for f in facts),
        "significant": [f"{feature.label} (adjusted p {c.adjusted_p:.2g})" for feature, c in rows if c.significant],
    }
    for name, url in PAGES:
        assert client.get(url).status_code == 200, url  # warm-up: caches, the session's clinic
        times = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as captured:
                begun = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - begun)
            assert response.status_code == 200, url
        results[name] = {"fastest_ms": 1000 * min(times), "median_ms": 1000 * statistics.median(times), "queries": len(captured)}
    print(json.dumps(results))


def run(patients: int, repeat: int, workers: int, database_url: str | None) -> str:
    home = Path(tempfile.mkdtemp(prefix="myotome-analytics-bench-"))
    try:
        with _scratch_database(database_url) as url:
            env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MYOTOME_LOG_FILE"}}
            env.update(MYOTOME_HOME=str(home), MYOTOME_SECRET_KEY=SECRET)
            if url:
                env["DATABASE_URL"] = url
            command = [sys.executable, __file__, "--child", "--patients", str(patients), "--repeat", str(repeat), "--workers", str(workers)]
            load = os.getloadavg()[0]
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)
            if done.returncode:
                raise SystemExit(f"the {'PostgreSQL' if url else 'SQLite'} run failed:\n{done.stderr}")
            out = done.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)
    r = json.loads(out.strip().splitlines()[-1])
    label = "PostgreSQL" if database_url else "SQLite"
    lines = [
        f"{label}: {patients} patients loaded in {r['load_s']:.1f} s; the first clinic has {r['episodes']} episodes, "
        f"{r['completed']} completed, {r['reached']} reached the MCID; load average {load:.1f}",
        f"  prognostic report, significant after correction: {'; '.join(r['significant']) or 'nothing'}",
    ]
    for name, _ in PAGES:
        page = r[name]
        lines.append(f"  {name:<26} fastest {page['fastest_ms']:7.1f} ms, median {page['median_ms']:7.1f} ms, {page['queries']:>3} queries")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="engine processes for the demo load")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.patients, args.repeat, args.workers)
        return
    print(run(args.patients, args.repeat, args.workers, None), flush=True)
    if not args.sqlite_only:
        print(run(args.patients, args.repeat, args.workers, args.database_url), flush=True)


if __name__ == "__main__":
    main()

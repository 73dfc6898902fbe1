"""Service time, queries and transfer size of the main pages, in process, at two practice sizes.

    python bench/pages.py [--patients 200 20000] [--repeat 40] [--homes DIR] [--python-path DIR]
    python bench/pages.py --patients 20000 --profile day    # where one page's time goes (cProfile)

For each size, a demo practice is loaded once into DIR/<size> (kept for the next run: pass the
same --homes to measure again, e.g. before and after a change with --python-path naming the
other checkout's src). Then, in a process of its own, Django's test client signed in as the
demo clinician requests each page: the day, the patient list, the patient with the most exams,
that patient's busiest episode, a new exam and the latest saved exam. Per page it prints the
fastest, median and p95 service time over --repeat requests (after one warm-up; the fastest is
the figure least disturbed by other work on a shared machine), the number of SQL
queries, and the bytes sent without compression and with gzip (when the server compresses).
Each request is a real page view, audited like any other. Prints numbers; asserts nothing
(tests/clinic/test_page_queries.py pins the query counts). With --profile PAGE, the page's
--repeat requests run under cProfile instead, and the functions that took the most time
(their own, then with what they call) are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SECRET = "bench-pages-secret-key-not-for-production-000000"


def _env(home: Path, python_path: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "MYOTOME_LOG_FILE"}}
    env.update(MYOTOME_HOME=str(home), MYOTOME_SECRET_KEY=SECRET)
    if python_path:
        env["PYTHONPATH"] = python_path
    return env


def ensure_practice(home: Path, patients: int) -> None:
    if (home / "myotome.sqlite3").exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "myotome", "demo", "--patients", str(patients)], env=_env(home, None), check=True, timeout=3600)


def measure(repeat: int, profile: str | None = None) -> dict[str, dict[str, float]]:
    """Runs inside the practice's process: {page: {median_ms, p95_ms, queries, bytes, gzip_bytes}}."""
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "myotome.clinic.settings"
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from myotome.clinic.exams.models import Exam
    from myotome.clinic.patients.models import Episode

    call_command("migrate", verbosity=0)  # a newer checkout's migrations (an index) apply here
    settings.ALLOWED_HOSTS = ["testserver"]
    demo = get_user_model().objects.get(username="demo")
    episode = (
        Episode.objects.filter(clinician=demo, status="active")
        .annotate(n=Count("exams"))
        .filter(n__gt=0, patient__consents__withdrawn_on__isnull=True)
        .order_by("-n", "pk")
        .first()
    )
    assert episode is not None, "the demo clinician has no active episode with exams"
    exam = Exam.objects.filter(episode=episode, status="saved").order_by("-created_at").first()
    assert exam is not None
    pages = {
        "day": "/",
        "patient list": "/patients/",
        "patient": f"/patients/{episode.patient_id}/",
        "episode": f"/episodes/{episode.pk}/",
        "new exam": f"/episodes/{episode.pk}/exams/new/",
        "saved exam": f"/exams/{exam.pk}/",
    }
    client = Client()
    client.force_login(demo)
    if profile is not None:
        _profile(client, pages[profile], repeat)
        return {}
    out: dict[str, dict[str, float]] = {}
    for name, path in pages.items():
        first = client.get(path)
        assert first.status_code == 200, f"{path} answered {first.status_code}"
        zipped = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = len(captured)  # now: the next request clears the connection's log
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        out[name] = {
            "min_ms": times[0],
            "median_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
            "queries": queries,
            "bytes": len(first.content),
            "gzip_bytes": len(zipped.content) if zipped.get("Content-Encoding") == "gzip" else len(first.content),
        }
    return out


def _profile(client: Any, path: str, repeat: int) -> None:
    import cProfile
    import pstats

    assert client.get(path).status_code == 200, path
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        client.get(path)
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.strip_dirs().sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, nargs="+", default=[200, 20000])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--homes", type=Path, default=Path("/tmp/myotome-bench-pages"))
    parser.add_argument("--python-path", default=None, help="run the pages from another checkout's src (the practice is made by this one)")
    parser.add_argument("--profile", metavar="PAGE", default=None, help="profile one page (day, patient list, patient, ...)")
    parser.add_argument("--measure", type=int, default=None, help=argparse.SUPPRESS)  # the inner process
    args = parser.parse_args()
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.profile)))
        return
    print(f"in-process service time, {args.repeat} requests per page after a warm-up; load average {os.getloadavg()[0]:.1f}")
    print(f"{'patients':>8}  {'page':<13} {'min ms':>7} {'median ms':>9} {'p95 ms':>7} {'queries':>7} {'bytes':>8} {'gzip':>7}")
    for patients in args.patients:
        home = args.homes / str(patients)
        ensure_practice(home, patients)
        inner = [sys.executable, __file__, "--measure", str(args.repeat)]
        if args.profile:
            subprocess.run([*inner, "--profile", args.profile], env=_env(home, args.python_path), check=True, timeout=3600)
            continue
        done = subprocess.run(inner, env=_env(home, args.python_path), check=True, capture_output=True, text=True, timeout=3600)
        for page, row in json.loads(done.stdout.splitlines()[-1]).items():
            print(
                f"{patients:>8}  {page:<13} {row['min_ms']:>7.1f} {row['median_ms']:>9.1f} {row['p95_ms']:>7.1f} {row['queries']:>7.0f} "
                f"{row['bytes']:>8.0f} {row['gzip_bytes']:>7.0f}"
            )


if __name__ == "__main__":
    main()

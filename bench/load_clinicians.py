"""The simulated clinicians of bench/load.py: locust users doing a day's work at the clinic.

Run by bench/load.py, pinned to one core with ``taskset``, against a server it started::

    taskset -c 1 python bench/load_clinicians.py --url http://127.0.0.1:8123 --server-pid 4242 \\
        --users 20 --mode think --seconds 120 --out results.json

It imports locust (whose gevent patches the whole interpreter), so it runs in a process of
its own. Each user signs in as the demo clinician and repeats the day's work: :data:`STEPS`,
in order, each one request to one page. In ``think`` mode a user pauses between steps as a
clinician would (reading, examining, talking); in ``capacity`` mode not at all. In capacity
mode each page is then also driven alone for ``--page-seconds`` (every user repeating that
one step), so that the server's CPU time divided by that page's requests is its CPU cost.

Measuring starts when every user has signed in (and, for a page alone, walked the day once to
have a patient, an episode and an exam to repeat the page on) and stops after ``--seconds``:
latencies, failures and the server's CPU time (utime + stime of ``--server-pid`` and every
process under it, from /proc) cover that window only. The results are written as JSON;
bench/load.py prints them.

The day: the day page, find the patient, the patient and episode pages, a new exam saved and its
plan read, a session started from the plan with insertions recorded on it, an outcome measure
entered and the progress read. Extension points: a page a later feature adds is a function ``def step(user: Clinician) -> None`` that makes its
request through :func:`request` under the page's name, registered with :func:`step` in the
place of the day it belongs to (``STEPS.insert(...)`` or ``STEPS.append(...)``); its kind
("page" or "save") says which budget bench/load.py holds it to.
"""

# ruff: noqa: I001 - locust first, below
from __future__ import annotations

# locust patches the standard library with gevent as it is imported: first, before anything else.
import locust
from locust import FastHttpUser, between, constant
from locust.env import Environment

import argparse
import html
import json
import os
import random
import re
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookiejar import Cookie
from pathlib import Path
from typing import Any

import gevent
import gevent.lock

DEMO_LOGIN = {"username": "demo", "password": "demo"}
# What the exam form posts for a right tennis elbow (a C6 picture): tender bands, a skin sign and
# a reflex, the fields least likely to move when the form is redesigned. A save answers 302 to the plan.
EXAM_POST: dict[str, str | list[str]] = {
    "band": ["extensor_carpi_radialis_brevis:right", "supinator:right"],
    "severity_extensor_carpi_radialis_brevis_right": "3",
    "severity_supinator_right": "2",
    "zone": ["lateral_forearm:right:skin:trophedema"],
    "reflex_brachioradialis_reflex_right": "reduced",
    "build": "average",
    "cardiac_screen": "done",  # asked of every complaint near the chest: without it the exam's red flag holds the session
    "first_session": "on",
    "action": "save",
}
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SUBMISSION = re.compile(r'name="submission" value="([^"]+)"')
SESSION_STEP = re.compile(r'data-step="(\d+)"')
INSERTIONS_PER_DAY = 3  # of a session's dozen: enough to weigh the insertion saves in the mix
EPISODE_LINK = re.compile(r'<a href="/episodes/(\d+)/">([^<]+)</a>')
EXAM_LINK = re.compile(r'href="/exams/(\d+)/"')
START_SESSION = "Start session from the plan"
NO_RED_FLAGS = "<dt>Red flags of the exam</dt>\n    <dd>None.</dd>"
PATIENT_LINK = re.compile(r'<a href="/patients/(\d+)/">([^<]+)</a>')


# -- the pages -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str  # the page's row in the report
    kind: str  # "page" (p95 budget 150 ms) or "save" (300 ms)
    run: Callable[[Clinician], None]


STEPS: list[Step] = []


def step(name: str, kind: str = "page") -> Callable[[Callable[[Clinician], None]], Callable[[Clinician], None]]:
    """Register a function as the next step of the day's work (the order of registration is the day's order)."""

    def register(function: Callable[[Clinician], None]) -> Callable[[Clinician], None]:
        STEPS.append(Step(name, kind, function))
        return function

    return register


def pages() -> list[Step]:
    """Each page once, in the day's order (a step repeated in the day, like an insertion, is one page)."""
    return list({s.name: s for s in reversed(STEPS)}.values())[::-1]


class Failed(Exception):
    """A page answered something else than a clinician's browser expects; the step's day is cut short."""


def request(user: Clinician, name: str, method: str, path: str, expect: int, form: dict[str, Any] | None = None) -> Any:
    """One request under the page's ``name``; a status other than ``expect`` is a failure (and raises Failed)."""
    headers = {}
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    with user.client.request(method, path, name=name, data=body, headers=headers, allow_redirects=False, catch_response=True) as response:
        if response.status_code != expect:
            where = response.headers.get("Location", "") if response.headers else ""
            answer = f"{method} {_shape(path)} answered {response.status_code} {where}, expected {expect}"
            response.failure(answer)
            raise Failed(f"{name}: {answer}")
        response.success()
        return response


def _shape(path: str) -> str:
    """The path with its ids as N, so that failures group by page."""
    return re.sub(r"/\d+/", "/N/", path)


@step("day page")
def day_page(user: Clinician) -> None:
    request(user, "day page", "GET", "/", 200)
    user.visit = random.choice(CASELOAD)


@step("find patient (search)")
def find_patient(user: Clinician) -> None:
    request(user, "find patient (search)", "POST", "/patients/search/", 302, {"q": user.visit.name, **user.csrf()})


@step("search results")
def search_results(user: Clinician) -> None:
    response = request(user, "search results", "GET", "/patients/", 200)
    found = [int(pk) for pk, text in PATIENT_LINK.findall(response.text) if html.unescape(text) == user.visit.name]
    # The patient of the episode when the first page of results shows them (or shows nobody of that name:
    # the clinician then goes through the day page's link); else the first of that name.
    user.patient = user.visit.patient if user.visit.patient in found or not found else found[0]


@step("patient page")
def patient_page(user: Clinician) -> None:
    request(user, "patient page", "GET", f"/patients/{user.patient}/", 200)


@step("episode page")
def episode_page(user: Clinician) -> None:
    request(user, "episode page", "GET", f"/episodes/{user.visit.episode}/", 200)


@step("new exam form")
def new_exam_form(user: Clinician) -> None:
    response = request(user, "new exam form", "GET", f"/episodes/{user.visit.episode}/exams/new/", 200)
    token = SUBMISSION.search(response.text)
    user.submission = token.group(1) if token else None


@step("save exam", kind="save")
def save_exam(user: Clinician) -> None:
    # The form's one-time token when the form was just opened; repeating the save alone posts without one
    # (a form without a token saves too, as a form of an older page would).
    token = {"submission": user.submission} if user.submission else {}
    user.submission = None
    response = request(user, "save exam", "POST", f"/episodes/{user.visit.episode}/exams/new/", 302, {**EXAM_POST, **token, **user.csrf()})
    saved = re.fullmatch(r"/exams/(\d+)/", urllib.parse.urlsplit(response.headers["Location"]).path)
    if saved is None:
        raise Failed(f"save exam redirected to {response.headers['Location']}, not to the saved exam")
    user.exam = int(saved.group(1))


@step("plan")
def read_plan(user: Clinician) -> None:
    request(user, "plan", "GET", f"/exams/{user.exam}/", 200)


@step("session start panel")
def session_start_panel(user: Clinician) -> None:
    request(user, "session start panel", "GET", f"/exams/{user.exam}/session/", 200)


@step("start session", kind="save")
def start_session(user: Clinician) -> None:
    response = request(user, "start session", "POST", f"/exams/{user.exam}/session/", 302, user.csrf())
    started = re.fullmatch(r"/sessions/(\d+)/", urllib.parse.urlsplit(response.headers["Location"]).path)
    if started is None:
        raise Failed(f"start session redirected to {response.headers['Location']}, not to the session")
    user.session = int(started.group(1))


@step("session page")
def session_page(user: Clinician) -> None:
    response = request(user, "session page", "GET", f"/sessions/{user.session}/", 200)
    user.steps_of_session = [int(pk) for pk in SESSION_STEP.findall(response.text)]


def record_insertion(user: Clinician) -> None:
    # The common path at the table: the plan's next muscle, grasp felt, released (one key press in the page).
    # A plan with no step (precautions can hold every muscle back): the clinician adds the muscle by name.
    where = (
        {"step": user.steps_of_session[user.insertions % len(user.steps_of_session)]}
        if user.steps_of_session
        else {"muscle": "ECRB", "side": "right"}
    )
    user.insertions += 1
    form = {"key": uuid.uuid4().hex, **where, "response": "grasp", "released": "yes", **user.csrf()}
    request(user, "record insertion", "POST", f"/sessions/{user.session}/insertions/", 201, form)


for _ in range(INSERTIONS_PER_DAY):
    step("record insertion", kind="save")(record_insertion)


@step("outcome form")
def outcome_form(user: Clinician) -> None:
    request(user, "outcome form", "GET", f"/episodes/{user.visit.episode}/outcomes/nprs/", 200)


@step("save outcome", kind="save")
def save_outcome(user: Clinician) -> None:
    form = {"taken_on": time.strftime("%Y-%m-%d"), "timepoint": "progress", "part_items": str(random.randint(0, 10)), **user.csrf()}
    request(user, "save outcome", "POST", f"/episodes/{user.visit.episode}/outcomes/nprs/", 302, form)


@step("progress")
def read_progress(user: Clinician) -> None:
    request(user, "progress", "GET", f"/episodes/{user.visit.episode}/outcomes/", 200)


# -- the clinicians --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    """An episode of the demo clinician's caseload that can be examined and treated."""

    episode: int
    patient: int
    name: str  # as the lists show it: "Family, Given"


CASELOAD: list[Visit] = []


class Clinician(FastHttpUser):
    """The demo clinician in one browser: signs in, then works through its steps."""

    abstract = True
    wait_time = constant(0)
    steps: tuple[Step, ...] = ()
    warm_up = False  # walk the whole day once before measuring (to repeat one page on real records)
    # Begin the measured days at a random step (after a warm-up day): twenty clinicians who all start at
    # the day page would keep in step, and a think-time window shorter than a day would see its first half.
    spread = False
    start_at = 0

    visit: Visit
    patient: int
    exam: int
    session: int
    steps_of_session: list[int]
    insertions = 0
    submission: str | None = None

    def on_start(self) -> None:
        # One sign-in at a time, as clinicians arrive: the throttle reserves a guess per sign-in in flight,
        # and twenty at once for one account would be locked out as a password-guessing attack (429).
        # A later phase's clinician takes over an earlier one's browser (its cookies), already signed in.
        with SIGNING_IN:
            index = len(ARRIVED)
            ARRIVED.append(self)
            if index < len(BROWSERS):
                for cookie in BROWSERS[index]:
                    self.client.cookiejar.set_cookie(cookie)
            else:
                self.sign_in()
                BROWSERS.append(list(self.client.cookiejar))
        if self.warm_up:
            for each in STEPS:
                each.run(self)
        if self.spread:
            self.start_at = random.randrange(len(self.steps))
        READY.append(self)

    def sign_in(self) -> None:
        sign_in = self.client.get("/accounts/login/", name="sign in")
        token = CSRF.search(sign_in.text)
        assert token, "the sign-in page has no CSRF token"
        signed = self.client.post(
            "/accounts/login/",
            data=urllib.parse.urlencode({**DEMO_LOGIN, "csrfmiddlewaretoken": token.group(1)}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            allow_redirects=False,
            name="sign in",
        )
        if signed.status_code != 302:
            raise RuntimeError(f"signing in as demo answered {signed.status_code}")

    def csrf(self) -> dict[str, str]:
        token = next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), "")
        return {"csrfmiddlewaretoken": token or ""}

    @locust.task
    def work(self) -> None:
        steps, self.start_at = self.steps[self.start_at :], 0
        for each in steps:
            try:
                each.run(self)
            except Failed:
                return  # the rest of this day needs what failed; the next day starts afresh
            self.wait()


READY: list[Clinician] = []
ARRIVED: list[Clinician] = []
BROWSERS: list[list[Cookie]] = []  # each signed-in browser's cookies, kept for the next phase
SIGNING_IN = gevent.lock.Semaphore()


# -- a measured run --------------------------------------------------------------------------------


@dataclass
class Phase:
    """What one measured window saw."""

    name: str
    seconds: float = 0.0
    cpu_ms: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failure_samples: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def server_cpu_ms(pid: int) -> float:
    """CPU time (user + system) of the process and everything under it, in ms, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            stat = Path(f"/proc/{current}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
            for task in os.listdir(f"/proc/{current}/task"):
                pending += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited meanwhile
    return total * 1000 / tick


def run_phase(
    url: str, server_pid: int, name: str, users: int, seconds: float, steps: list[Step], wait: Any, warm_up: bool, spread: bool = False
) -> Phase:
    """``users`` clinicians doing ``steps``; measured from when all are ready, for ``seconds``."""
    user_class = type(
        "DayOfWork", (Clinician,), {"abstract": False, "steps": tuple(steps), "wait_time": wait, "warm_up": warm_up, "spread": spread}
    )
    environment = Environment(user_classes=[user_class], host=url)
    phase = Phase(name)
    measuring = [False]

    def on_request(request_type: str, name: str, response_time: float, exception: Any, **_: Any) -> None:
        if not measuring[0]:
            return
        phase.latencies[name].append(response_time)
        if exception is not None:
            phase.failures[name] += 1
            if len(phase.failure_samples) < 20:
                phase.failure_samples.append(f"{name}: {exception}")

    def on_error(user_instance: Any, exception: BaseException, tb: Any) -> None:
        phase.errors.append(f"{type(exception).__name__}: {exception}")

    environment.events.request.add_listener(on_request)
    environment.events.user_error.add_listener(on_error)
    runner = environment.create_local_runner()
    READY.clear()
    ARRIVED.clear()
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + 120 + users * 5
    while len(READY) < users:
        if time.monotonic() > deadline or phase.errors:
            runner.quit()
            raise RuntimeError(f"{len(READY)} of {users} clinicians got ready: {phase.errors[:3]}")
        gevent.sleep(0.02)
    cpu_before, began = server_cpu_ms(server_pid), time.perf_counter()
    measuring[0] = True
    gevent.sleep(seconds)
    measuring[0] = False
    phase.cpu_ms, phase.seconds = server_cpu_ms(server_pid) - cpu_before, time.perf_counter() - began
    runner.quit()
    return phase


def discover(url: str) -> list[Visit]:
    """The demo clinician's active episodes (the day page's list) that can be examined and treated: consent by
    the demo clinician on file, and a session can start from the episode's latest exam."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar, _NoRedirect())

    def fetch(path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with opener.open(url + path, data=data, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.read().decode(errors="replace")

    _, page = fetch("/accounts/login/")
    token = CSRF.search(page)
    assert token, "the sign-in page has no CSRF token"
    status, _ = fetch("/accounts/login/", {**DEMO_LOGIN, "csrfmiddlewaretoken": token.group(1)})
    if status != 302:
        raise RuntimeError(f"signing in as demo answered {status}")
    _, day = fetch("/")
    caseload = []
    for episode, name in EPISODE_LINK.findall(day):
        status, _ = fetch(f"/episodes/{episode}/exams/new/")
        if status != 200:
            continue  # no consent to needling on file: the exam is blocked
        _, page = fetch(f"/episodes/{episode}/")
        patient, exam = PATIENT_LINK.search(page), EXAM_LINK.search(page)
        panel = fetch(f"/exams/{exam.group(1)}/session/")[1] if exam else ""
        if START_SESSION not in panel or NO_RED_FLAGS not in panel:
            # No session could start from a new exam's plan: no consent by the demo clinician, a re-consent
            # trigger, or red flags in the history (each new exam's flags wait to be acknowledged).
            continue
        if patient:
            caseload.append(Visit(int(episode), int(patient.group(1)), html.unescape(name)))
    if not caseload:
        raise RuntimeError("the demo clinician's day page lists no active episode with consent on file")
    return caseload


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def think_time(spec: str) -> Any:
    low, _, high = spec.partition("-")
    return between(float(low), float(high or low))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True)
    parser.add_argument("--server-pid", type=int, required=True)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--mode", choices=("think", "capacity"), required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", default="3-12", help="think time between steps, seconds (think mode)")
    parser.add_argument("--page-seconds", type=float, default=10, help="each page alone, for its CPU cost (capacity mode; 0: not)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--until", default=None, help="end the day after this page (its name in the report)")
    args = parser.parse_args()
    if args.until:
        names = [s.name for s in STEPS]
        if args.until not in names:
            parser.error(f"--until {args.until!r} names no page of the day; the pages: {', '.join(dict.fromkeys(names))}")
        del STEPS[len(names) - names[::-1].index(args.until) :]
    CASELOAD[:] = discover(args.url)
    wait = think_time(args.think) if args.mode == "think" else constant(0)
    thinking = args.mode == "think"
    phases = [run_phase(args.url, args.server_pid, "mix", args.users, args.seconds, STEPS, wait, warm_up=thinking, spread=thinking)]
    if args.mode == "capacity" and args.page_seconds > 0:
        for each in pages():
            phases.append(run_phase(args.url, args.server_pid, each.name, args.users, args.page_seconds, [each], wait, warm_up=True))
    result = {
        "mode": args.mode,
        "users": args.users,
        "think": args.think if args.mode == "think" else None,
        "core": sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "caseload": len(CASELOAD),
        "steps": [{"name": s.name, "kind": s.kind} for s in pages()],
        "phases": [vars(p) for p in phases],
    }
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    sys.exit(main())

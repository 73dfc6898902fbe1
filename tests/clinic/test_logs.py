"""The clinic's logs (docs/deployment.md, "Logs"): in MYOTOME_LOG_FILE, owner-only, reopened after
logrotate moves the file away, and with no patient data, however a clinician uses the pages.

A real `myotome serve` (two worker processes) in a fresh MYOTOME_HOME on SQLite; the clinician
enters, searches for, opens, mistypes and edits a patient whose name, birth date, phone and
e-mail are then looked for in every line the server wrote (its log file and its console).
"""

from __future__ import annotations

import re
import stat
import time
from pathlib import Path

from .test_commands import _home_env, _run
from .test_unavailable import Browser, serving

# Nothing else in the demo practice or the app's text looks like these.
PATIENT = {
    "family_name": "Quennell-Ottoline",
    "given_name": "Zephyrine",
    "date_of_birth": "1957-03-29",
    "sex": "female",
    "phone": "07700 900461",
    "email": "zephyrine.q@example.org",
}
SECRETS = ["Quennell", "Ottoline", "Zephyrine", "1957-03-29", "29/03/1957", "900461", "zephyrine.q", "example.org"]


def _wait_for(path: Path, text: str) -> str:
    """The file's text once it holds ``text`` (a worker writes the access line after the response has gone)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        content = path.read_text() if path.exists() else ""
        if text in content:
            return content
        time.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared in {path}:\n{content}")


def test_the_log_file_holds_every_request_and_no_patient_data_and_is_reopened_after_rotation(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "myotome.log"
    log.parent.mkdir()
    environment = _home_env(tmp_path / "home", MYOTOME_LOG_FILE=str(log))
    assert _run(environment, "demo", "--patients", "3").returncode == 0
    with serving(environment, "--workers", "2") as server:
        browser = Browser(server.base)
        browser.sign_in()
        status, _, headers = browser.request("/patients/new/", PATIENT)
        assert status == 302
        patient = re.fullmatch(r"/patients/(\d+)/", headers["Location"])
        assert patient is not None
        pk = int(patient.group(1))
        for query in ("Quennell Zephyrine", "1957-03-29", "07700 900461", "zephyrine.q@example.org"):
            assert browser.request("/patients/search/", {"q": query})[0] == 302
            assert PATIENT["family_name"] in browser.request("/patients/")[1]
        assert browser.request(f"/patients/{pk}/")[0] == 200
        assert browser.request("/patients/?q=Quennell+Zephyrine")[0] == 200  # a hand-made link: the list ignores q
        # A form refused (a birth date in the future) and one saved, then a page that does not exist.
        assert browser.request(f"/patients/{pk}/edit/", {**PATIENT, "date_of_birth": "2957-03-29"})[0] == 422
        assert browser.request(f"/patients/{pk}/edit/", {**PATIENT, "phone": "07700 900462"})[0] == 302
        assert browser.request(f"/patients/{pk + 1000}/")[0] == 404
        before_rotation = _wait_for(log, f'"GET /patients/{pk + 1000}/ HTTP/1.1" 404')

        log.rename(log.with_name("myotome.log.1"))  # what logrotate does; the processes reopen the path
        assert browser.request(f"/patients/{pk}/")[0] == 200
        after_rotation = _wait_for(log, f'"GET /patients/{pk}/ HTTP/1.1" 200')
    console = server.log.read_text()
    rotated = log.with_name("myotome.log.1").read_text()

    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and stat.S_IMODE(log.with_name("myotome.log.1").stat().st_mode) == 0o600
    assert '"POST /patients/search/ HTTP/1.1" 302' in before_rotation and "Not Found: /patients/" in before_rotation
    assert (
        f'"GET /patients/{pk}/ HTTP/1.1" 200' not in rotated.split('"GET /patients/' + str(pk + 1000))[1]
    )  # later lines went to the new file
    assert "granian.access" in after_rotation and "granian.access" not in console  # the console has only what `serve` says itself
    everything = rotated + log.read_text() + console
    assert [secret for secret in SECRETS if secret.lower() in everything.lower()] == []


def test_doctor_says_where_the_logs_go_and_what_is_wrong_with_a_log_file(tmp_path: Path) -> None:
    def said(**extra: str) -> str:
        lines = _run(_home_env(tmp_path / "home", **extra), "doctor").stdout.splitlines()
        return next(line for line in lines if " logs: " in line)

    assert said() == "ok   logs: to standard error (under systemd: the journal); MYOTOME_LOG_FILE=/ABSOLUTE/PATH for a file"
    log = tmp_path / "myotome.log"
    assert said(MYOTOME_LOG_FILE=str(log)) == f"ok   logs: appended to {log} (owner-only; reopened when logrotate moves it)"
    log.write_text("")
    log.chmod(0o644)
    assert (
        said(MYOTOME_LOG_FILE=str(log))
        == f"FAIL logs: MYOTOME_LOG_FILE={log} is readable by others; run `chmod 600 {log}` (it names users and addresses)"
    )
    missing = tmp_path / "nowhere" / "myotome.log"
    assert said(MYOTOME_LOG_FILE=str(missing)).startswith(
        f"FAIL logs: MYOTOME_LOG_FILE={missing}: its folder {missing.parent} does not exist"
    )
    assert said(MYOTOME_LOG_FILE="logs/myotome.log").startswith("FAIL logs: MYOTOME_LOG_FILE must be an absolute path")


def test_doctor_reports_the_server_mode_and_its_workers(tmp_path: Path) -> None:
    from myotome.clinic import serving

    out = _run(_home_env(tmp_path / "home"), "doctor").stdout
    served = serving.plan(None, None, sqlite=True)  # a fresh home is on SQLite
    assert served.workers == serving.cores() and served.threads == (1 if served.workers > 1 else 4)
    assert f"ok   server: `myotome serve` runs {served.describe()} (one per core; --workers N to change)" in out

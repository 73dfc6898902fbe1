"""`myotome doctor`, `demo`, `createuser` and `serve`, run as a user would: in a subprocess,
against a fresh MYOTOME_HOME, on the database the suite runs on (SQLite, or a scratch
PostgreSQL database when DATABASE_URL is a postgres:// URL).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from myotome.clinic import config

MYOTOME = [sys.executable, "-c", "from myotome.cli import main; main()"]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("home")
    environment = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL"}}
    environment["MYOTOME_HOME"] = str(home)
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        with _scratch_postgres(base) as url:
            environment["DATABASE_URL"] = url
            yield environment
    else:
        yield environment


class _scratch_postgres:
    """A throwaway PostgreSQL database beside the one DATABASE_URL names."""

    def __init__(self, base: str):
        self.settings = config.database_settings(base)
        self.name = f"myotome_cli_test_{os.getpid()}"
        parts = urllib.parse.urlsplit(base)
        self.url = urllib.parse.urlunsplit(parts._replace(path=f"/{self.name}"))

    def _admin(self) -> object:
        import psycopg

        s = self.settings
        return psycopg.connect(
            dbname="postgres", user=s["USER"], password=s["PASSWORD"], host=s["HOST"], port=s["PORT"] or None, autocommit=True
        )

    def __enter__(self) -> str:
        with self._admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc: object) -> None:
        with self._admin() as conn:  # type: ignore[attr-defined]
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _run(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    # A new session has no controlling terminal: what a provisioning script or CI job sees.
    return subprocess.run(
        [*MYOTOME, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120, check=False, start_new_session=True
    )


PASSWORD = "Stethoscope-Lumbar-42\n"


def test_1_doctor_on_a_fresh_home_says_what_to_do(env: dict[str, str]) -> None:
    result = _run(env, "doctor")
    assert result.returncode == 1
    assert "no secret key" in result.stdout and "run `myotome serve` once" in result.stdout
    if "DATABASE_URL" not in env:
        assert "no database file" in result.stdout
    else:
        assert "not applied" in result.stdout


def test_2_demo_loads_once(env: dict[str, str]) -> None:
    first = _run(env, "demo", "--patients", "4")
    assert first.returncode == 0, first.stderr
    assert "Sign in as demo / demo" in first.stdout
    again = _run(env, "demo")
    assert again.returncode == 1 and "loads only into an empty database" in again.stderr


def test_2_doctor_after_demo_passes_before_serve_has_collected_static_files(env: dict[str, str]) -> None:
    result = _run(env, "doctor")
    assert result.returncode == 0, result.stdout
    assert re.search(r"ok +static files: not collected yet in .*`myotome serve` collects them as it starts", result.stdout)
    assert re.search(r"ok +migrations: all \d+ applied\n", result.stdout)


def test_3_createuser(env: dict[str, str]) -> None:
    ok = _run(env, "createuser", "alice", "--clinic", "Riverside IMS Clinic", "--role", "clinic_admin", "--password-stdin", stdin=PASSWORD)
    assert ok.returncode == 0, ok.stderr
    assert "Created user 'alice': clinic admin in 'Riverside IMS Clinic'" in ok.stdout
    made = _run(
        env, "createuser", "carol", "--clinic", "Nowhere", "--create-clinic", "--role", "front_desk", "--password-stdin", stdin=PASSWORD
    )
    assert made.returncode == 0 and "Created clinic 'Nowhere'" in made.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ALICE", "--clinic", "Nowhere"], "a user named 'ALICE' already exists; choose another username"),
        (["dave", "--clinic", "Elsewhere"], "no clinic named 'Elsewhere' (clinics: 'Harbour Pain & Movement', 'Nowhere', 'Riverside"),
        (["dave smith", "--clinic", "Nowhere"], "username 'dave smith': Enter a valid username."),
        (["dave", "--clinic", "Nowhere", "--email", "dave-at-clinic"], "email 'dave-at-clinic': Enter a valid email address."),
        (["dave", "--clinic", "   "], "the clinic name is empty"),
    ],
)
def test_3_createuser_refuses_a_bad_username_or_clinic_before_reading_the_password(
    env: dict[str, str], args: list[str], message: str
) -> None:
    # Standard input is empty: had the password been read first, it would say so instead.
    result = _run(env, "createuser", *args, "--password-stdin")
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "password" not in result.stderr.lower()


def test_3_createuser_refuses_an_unknown_role_before_anything_else(env: dict[str, str]) -> None:
    result = _run(env, "createuser", "dave", "--clinic", "Nowhere", "--role", "surgeon", stdin=PASSWORD)
    assert result.returncode == 2
    assert "'surgeon' is not one of 'clinic_admin', 'clinician', 'front_desk'" in " ".join(result.stderr.replace("│", " ").split())
    assert "Password" not in result.stdout + result.stderr


def test_3_the_password_policy_speaks_in_sentences(env: dict[str, str]) -> None:
    weak = _run(env, "createuser", "bob", "--clinic", "Riverside IMS Clinic", "--password-stdin", stdin="bob12\n")
    assert weak.returncode == 1
    assert (
        "The password was not accepted. The password is too similar to the username. "
        "This password is too short. It must contain at least 10 characters." in weak.stderr
    ), weak.stderr
    assert ".;" not in weak.stderr


def test_3_a_piped_password_needs_password_stdin_and_leaves_no_python_warning(env: dict[str, str]) -> None:
    piped = _run(env, "createuser", "bob", "--clinic", "Riverside IMS Clinic", stdin=PASSWORD + PASSWORD)
    assert piped.returncode == 2
    assert "standard input is not a terminal, so the password cannot be asked: use --password-stdin or --password-file FILE" in piped.stderr
    assert "Warning" not in piped.stderr and "Traceback" not in piped.stderr


def test_3_createuser_reads_the_password_from_a_file(env: dict[str, str], tmp_path: Path) -> None:
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "ignored second line\n")
    made = _run(env, "createuser", "bob", "--clinic", "Riverside IMS Clinic", "--password-file", str(secret))
    assert made.returncode == 0, made.stderr
    both = _run(env, "createuser", "eve", "--clinic", "Nowhere", "--password-file", str(secret), "--password-stdin")
    assert both.returncode == 2 and "not both" in both.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    blank = _run(env, "createuser", "eve", "--clinic", "Nowhere", "--password-file", str(empty))
    assert blank.returncode == 2 and f"--password-file {empty} holds no password" in blank.stderr
    missing = _run(env, "createuser", "eve", "--clinic", "Nowhere", "--password-file", str(tmp_path / "absent"))
    assert missing.returncode == 2 and "does not exist" in " ".join(missing.stderr.replace("│", " ").split())


def test_3_on_a_terminal_the_password_is_asked_twice_and_again_after_a_refusal(env: dict[str, str]) -> None:
    terminal = _Terminal([*MYOTOME, "createuser", "frank", "--clinic", "Riverside IMS Clinic"], env)
    try:
        for prompt, answer in [
            ("Password: ", "frank1234"),
            ("Repeat for confirmation: ", "frank1234"),
            ("Try another.", ""),
            ("Password: ", "Stethoscope-Lumbar-42"),
            ("Repeat for confirmation: ", "Stethoscope-Lumbar-42"),
            ("Created user 'frank'", ""),
        ]:
            terminal.expect(prompt)
            if answer:
                terminal.send(answer)
    finally:
        status = terminal.close()
    assert status == 0
    said = " ".join(terminal.transcript.split())
    assert "Password: Repeat for confirmation: The password was not accepted. The password is too similar to the username." in said
    assert "characters. Try another. Password: Repeat for confirmation: Created user 'frank'" in said
    assert "Warning" not in said and "frank1234" not in said and "Stethoscope" not in said  # nothing echoed


class _Terminal:
    """A command on a pseudo-terminal of its own, as a person at a keyboard runs it."""

    def __init__(self, command: list[str], env: dict[str, str]):
        import pty

        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pseudo-terminal is its controlling terminal
            try:
                os.execve(command[0], command, env)
            finally:
                os._exit(127)  # never run the rest of the test suite in the child
        self.transcript, self.seen = "", 0

    def expect(self, text: str, timeout: float = 60) -> None:
        """Read until `text` appears after what was expected before."""
        import select

        deadline = time.monotonic() + timeout
        while text not in self.transcript[self.seen :]:
            ready, _, _ = select.select([self.fd], [], [], max(0.0, deadline - time.monotonic()))
            try:
                chunk = os.read(self.fd, 4096).decode(errors="replace") if ready else ""
            except OSError:  # the command ended
                chunk = ""
            if not chunk:
                raise AssertionError(f"no {text!r} on the terminal:\n{self.transcript}")
            self.transcript += chunk
        self.seen = self.transcript.index(text, self.seen) + len(text)

    def send(self, line: str) -> None:
        os.write(self.fd, line.encode() + b"\n")

    def close(self, timeout: float = 30) -> int:
        """The exit status; a command still waiting for input after `timeout` is killed (status -9)."""
        import signal

        deadline = time.monotonic() + timeout
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        while pid == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid == 0:
            os.kill(self.pid, signal.SIGKILL)
            _, status = os.waitpid(self.pid, 0)
        os.close(self.fd)
        return os.waitstatus_to_exitcode(status)


def test_the_command_line_offers_the_roles_the_clinic_has() -> None:
    from myotome.clinic.accounts.models import Role
    from myotome.clinic.cli import RoleName

    assert [r.value for r in RoleName] == list(Role.values)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_4_serve_answers_with_pages_static_files_and_the_demo_login(env: dict[str, str]) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [*MYOTOME, "serve", "--port", str(port), "--demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        output = _wait_for(server, "running at")
        assert f"http://127.0.0.1:{port}/" in output
        assert "already has users" in output  # the demo from test 2 is kept, not loaded twice
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        login = opener.open(f"{base}/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
        assert token
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": "demo"}).encode()
        request = urllib.request.Request(f"{base}/accounts/login/", data=form, headers={"Referer": f"{base}/accounts/login/"})
        day = opener.open(request)
        assert day.url == f"{base}/" and day.headers["Cache-Control"] == "no-store"
        assert "My active episodes" in day.read().decode()
        css = opener.open(f"{base}/static/myotome/clinic.css")
        assert css.status == 200 and "--accent" in css.read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(server: subprocess.Popen[str], marker: str, timeout: float = 90) -> str:
    assert server.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line and server.poll() is not None:
            break
        seen += line
        if marker in line:
            time.sleep(0.3)  # let waitress bind
            return seen
    raise AssertionError(f"serve did not start:\n{seen}")


def test_5_doctor_passes_once_served(env: dict[str, str]) -> None:
    result = _run(env, "doctor")
    assert result.returncode == 0, result.stdout
    assert "All checks passed." in result.stdout
    home = Path(env["MYOTOME_HOME"])
    assert oct((home / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_bad_settings_fail_loudly(tmp_path: Path) -> None:
    environment = {**os.environ, "MYOTOME_HOME": str(tmp_path), "DATABASE_URL": "mysql://root@localhost/x"}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = _run(environment, "demo")
    assert result.returncode == 2 and "DATABASE_URL scheme 'mysql' is not supported" in result.stderr


def test_serve_refuses_to_listen_everywhere_without_allowed_hosts(tmp_path: Path) -> None:
    environment = {**os.environ, "MYOTOME_HOME": str(tmp_path)}
    environment.pop("MYOTOME_ALLOWED_HOSTS", None)
    result = _run(environment, "serve", "--host", "0.0.0.0")
    assert result.returncode == 2 and "set MYOTOME_ALLOWED_HOSTS" in result.stderr


# -- files holding patient data ---------------------------------------------------------------


def _home_env(home: Path, **extra: str) -> dict[str, str]:
    """SQLite in `home`, whatever database the suite runs on: these tests are about its files."""
    drop = {"DJANGO_SETTINGS_MODULE", "MYOTOME_SECRET_KEY", "DATABASE_URL", "MYOTOME_HTTPS", "MYOTOME_TRUSTED_PROXY"}
    return {**{k: v for k, v in os.environ.items() if k not in drop}, "MYOTOME_HOME": str(home), **extra}


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _serve(environment: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    port = _free_port()
    server = subprocess.Popen(
        [*MYOTOME, "serve", "--port", str(port), *args], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        _wait_for(server, "running at")
    except BaseException:
        server.kill()
        server.wait(timeout=10)
        raise
    return server, f"http://127.0.0.1:{port}"


def _stop(server: subprocess.Popen[str]) -> None:
    server.terminate()
    server.wait(timeout=10)


def test_serve_keeps_the_database_and_its_wal_private_in_a_home_that_was_open_to_all(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)  # whatever the umask
    environment = _home_env(home)
    server, base = _serve(environment, "--demo")
    try:
        # /healthz opens the database, and the worker keeps its connection: SQLite makes -wal and -shm.
        assert urllib.request.urlopen(f"{base}/healthz").status == 200
        database = home / "myotome.sqlite3"
        files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), home / "secret_key"]
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert _mode(home) == 0o700
        doctor = _run(environment, "doctor")
        assert doctor.returncode == 0, doctor.stdout
        assert "ok   file modes: MYOTOME_HOME, the secret key and the database files are readable by their owner only" in doctor.stdout
    finally:
        _stop(server)


def test_doctor_fails_on_data_files_others_can_read_and_the_next_start_makes_them_private(tmp_path: Path) -> None:
    home = tmp_path / "home"
    environment = _home_env(home)
    assert _run(environment, "demo", "--patients", "1").returncode == 0
    database, key = home / "myotome.sqlite3", home / "secret_key"
    home.chmod(0o755)  # as an older version, or a hand-made folder, would leave them
    database.chmod(0o644)
    key.chmod(0o640)
    result = _run(environment, "doctor")
    assert result.returncode == 1
    assert f"FAIL file modes: MYOTOME_HOME {home} is open to its group and every user (mode 755): run `chmod 700 {home}`" in result.stdout
    assert f"FAIL file modes: {database} is open to its group and every user (mode 644): run `chmod 600 {database}`" in result.stdout
    assert f"FAIL file modes: {key} is open to its group (mode 640): run `chmod 600 {key}`" in result.stdout
    again = _run(environment, "demo")  # refuses to load twice, but prepares the home first, as serve does
    assert f"{database} was open to other users (mode 644); it is now 600." in again.stdout
    assert f"MYOTOME_HOME {home} was open to other users (mode 755); it is now 700." in again.stdout
    assert (_mode(home), _mode(database), _mode(key)) == (0o700, 0o600, 0o600)
    assert _run(environment, "doctor").returncode == 0


def test_a_home_that_holds_other_files_is_left_open_with_a_note_and_its_data_files_are_still_private(tmp_path: Path) -> None:
    home = tmp_path / "home-with-other-files"
    (home / "backups").mkdir(parents=True)
    home.chmod(0o755)
    environment = _home_env(home)
    result = _run(environment, "demo", "--patients", "1")
    assert result.returncode == 0, result.stderr
    assert "holds files that are not Myotome's, so it was left as it is: run `chmod 700" in result.stdout
    assert _mode(home) == 0o755
    assert _mode(home / "myotome.sqlite3") == 0o600 and _mode(home / "secret_key") == 0o600
    assert "run `chmod 700" in _run(environment, "doctor").stdout


# -- HTTPS behind a proxy ---------------------------------------------------------------------


def test_serve_and_doctor_refuse_https_without_a_trusted_proxy(tmp_path: Path) -> None:
    environment = _home_env(tmp_path / "home", MYOTOME_HTTPS="true")
    served = _run(environment, "serve", "--port", str(_free_port()))
    assert served.returncode == 2
    assert "MYOTOME_HTTPS=true also needs MYOTOME_TRUSTED_PROXY, the address of the proxy that terminates TLS" in served.stderr
    doctor = _run(environment, "doctor")
    assert doctor.returncode == 1 and "FAIL https: MYOTOME_HTTPS=true also needs MYOTOME_TRUSTED_PROXY" in doctor.stdout
    named = _run({**environment, "MYOTOME_TRUSTED_PROXY": "lb.example.org"}, "serve")
    assert named.returncode == 2 and "MYOTOME_TRUSTED_PROXY must be the proxy's IP address" in named.stderr


def _get(url: str, headers: dict[str, str], data: bytes | None = None) -> Any:
    """One request, redirects not followed: the response whose headers are asked about."""

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    try:
        return urllib.request.build_opener(Stay).open(urllib.request.Request(url, data=data, headers=headers))
    except urllib.error.HTTPError as response:  # the 302 after signing in
        return response


def test_behind_a_trusted_proxy_https_requests_get_hsts_and_secure_cookies(tmp_path: Path) -> None:
    # The test plays the proxy: it connects from 127.0.0.1, the address given as trusted.
    environment = _home_env(tmp_path / "home", MYOTOME_HTTPS="true", MYOTOME_TRUSTED_PROXY="127.0.0.1")
    server, base = _serve(environment, "--demo")
    try:
        doctor = _run(environment, "doctor")
        assert "ok   https: on: secure cookies and HSTS for requests 127.0.0.1 forwards as HTTPS" in doctor.stdout
        page = _get(f"{base}/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert page.headers["Strict-Transport-Security"] == "max-age=31536000"
        csrf_cookie = page.headers["Set-Cookie"]
        assert csrf_cookie.startswith("csrftoken=") and "; Secure" in csrf_cookie
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        assert token
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": "demo", "password": "demo"}).encode()
        origin = base.replace("http://", "https://")
        signed_in = _get(
            f"{base}/accounts/login/",
            {"X-Forwarded-Proto": "https", "Cookie": csrf_cookie.split(";")[0], "Origin": origin, "Referer": f"{origin}/accounts/login/"},
            data=form,
        )
        assert signed_in.status == 302
        session = [c for c in signed_in.headers.get_all("Set-Cookie") if c.startswith("sessionid=")]
        assert session and "; Secure" in session[0] and "; HttpOnly" in session[0]
        plain = _get(f"{base}/accounts/login/", {})  # the proxy forwarding plain HTTP: no HSTS over HTTP
        assert "Strict-Transport-Security" not in plain.headers
    finally:
        _stop(server)


def test_a_forwarded_proto_from_an_untrusted_address_is_ignored(tmp_path: Path) -> None:
    environment = _home_env(tmp_path / "home", MYOTOME_HTTPS="true", MYOTOME_TRUSTED_PROXY="192.0.2.10")  # TEST-NET-1: not us
    server, base = _serve(environment)
    try:
        page = _get(f"{base}/accounts/login/", {"X-Forwarded-Proto": "https"})
        assert page.status == 200 and "Strict-Transport-Security" not in page.headers
    finally:
        _stop(server)

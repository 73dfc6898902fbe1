"""``myotome serve``, ``demo``, ``createuser`` and ``doctor``: run and look after the clinic web app.

They live with the clinic because they drive Django; ``myotome.cli.commands`` registers them.

Django is imported inside the commands only, so that ``myotome kb`` and
``myotome assess`` start fast and never load it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from myotome.clinic import config, logs, private_files, serving

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

SETTINGS_MODULE = "myotome.clinic.settings"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
WILDCARD = {"0.0.0.0", "::", "[::]"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"[red]{message}[/red]", markup=True)
    return typer.Exit(code)


def _setup_django(*, create: bool) -> Path:
    """Read the environment, optionally create MYOTOME_HOME, its secret key and database file, and start Django.

    The database file is created owner-only here, before SQLite opens it, because SQLite
    gives the -wal and -shm files it makes later the database file's mode.
    """
    try:
        home = config.home_dir()
        db = config.database_settings(config.database_url(home))  # a bad DATABASE_URL fails here, in words
        if create:
            config.prepare_home(home)
            config.check_writable(home)
            config.ensure_secret_key(home)
            private_files.create_database_file(db)
            for note in private_files.secure_home(home, db):
                _out.print(note, markup=False)
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        import django

        django.setup()
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc
    except OSError as exc:  # MYOTOME_HOME cannot be made, or became unwritable after the check
        raise _fail(f"configuration: MYOTOME_HOME {home} cannot be prepared: {exc.strerror} ({exc.filename})") from exc
    return home


def _migrate() -> None:
    from django.core.management import call_command
    from django.db import OperationalError, connection

    from myotome.clinic.config import describe_database

    _out.print(f"Database: {describe_database(connection.settings_dict)}")
    try:
        call_command("migrate", interactive=False, verbosity=0)
    except OperationalError as exc:  # unreachable, locked, read-only or full: each migration is a transaction
        raise _fail(f"the database cannot be migrated: {exc}; nothing half-done was kept. Fix the cause and start again.", 1) from exc
    _refresh_statistics()


def _refresh_statistics() -> None:
    """The database's table statistics for its query planner, sampled (a second or so at 20,000 patients).

    Without them the planner reads a name search's patients clinic-wide instead of from the few
    name keys that match (100 ms and more a search at 20,000 patients on PostgreSQL). PostgreSQL's
    autovacuum keeps them up to date where it is on, but it can be off, and a bulk load outruns it.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


def _collect_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    try:
        call_command("collectstatic", interactive=False, verbosity=0)
    except OSError as exc:
        raise _fail(f"static files cannot be collected into {settings.STATIC_ROOT}: {exc.strerror}", 1) from exc


def _on_sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"  # from the settings: no connection is opened


def _has_users() -> bool:
    from django.contrib.auth import get_user_model

    return bool(get_user_model().objects.exists())


def _load_demo(patients: int, seed: int, workers: int = 1) -> None:
    import time

    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    from myotome.clinic.demo import DEMO_PASSWORD, DEMO_USERNAME, DemoError, load_demo

    columns = (TextColumn("{task.description:<12}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    started = time.perf_counter()
    with Progress(*columns, console=_out, transient=True, disable=patients < 500) as bar:
        task = bar.add_task("clinics", total=None)

        def report(step: str, done: float, total: float) -> None:
            bar.update(task, description=step, completed=done, total=total)

        try:
            practice = load_demo(patients=patients, seed=seed, progress=report, workers=workers)
        except DemoError as exc:
            raise _fail(str(exc), 1) from exc
    names = ", ".join(c.name for c in practice.clinics)
    seconds = time.perf_counter() - started
    _out.print(f"Demo practice loaded in {seconds:.1f} s: {names}; {len(practice.patients)} patients, {len(practice.episodes)} episodes.")
    _out.print(f"Sign in as [bold]{DEMO_USERNAME}[/bold] / [bold]{DEMO_PASSWORD}[/bold] (a clinician in {practice.clinics[0].name}).")


def _allow_host(host: str) -> None:
    """Let Django answer on the address `serve` binds, unless MYOTOME_ALLOWED_HOSTS says otherwise."""
    if os.environ.get("MYOTOME_ALLOWED_HOSTS", "").strip():
        return
    if host in WILDCARD:
        raise _fail(
            f"--host {host} listens on every address: set MYOTOME_ALLOWED_HOSTS to the names clients will use, "
            "e.g. MYOTOME_ALLOWED_HOSTS=myotome.example.org,192.168.1.20"
        )
    if host not in LOOPBACK:
        os.environ["MYOTOME_ALLOWED_HOSTS"] = ",".join(["127.0.0.1", "localhost", "[::1]", host])


def serve(
    host: Annotated[str, typer.Option(metavar="ADDRESS", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="PORT", min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo practice if the database has no users, and print its login.")] = False,
    workers: Annotated[
        int | None, typer.Option(metavar="N", min=1, max=256, help="Worker processes (default: one per core).", show_default=False)
    ] = None,
    threads: Annotated[
        int | None,
        typer.Option(
            metavar="N",
            min=1,
            max=64,
            help="Threads in each worker process (default: 1 on SQLite with several workers, else 4).",
            show_default=False,
        ),
    ] = None,
    migrate: Annotated[
        bool,
        typer.Option("--migrate/--no-migrate", help="Apply database migrations first (turn off on all but one of several app servers)."),
    ] = True,
) -> None:
    """Serve the clinic web app with granian, one worker process per core: create and migrate the database on first run.

    SIGHUP replaces the workers one at a time without dropping a request (to load an upgrade
    that needs no migration); SIGTERM or Ctrl+C lets them finish their requests and stops.
    """
    _allow_host(host)
    try:
        https_problem = config.https_problem()
        log_file = logs.log_file()
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc
    if https_problem:
        raise _fail(f"configuration: {https_problem}")
    home = _setup_django(create=True)
    if log_file is not None:
        _prepare(logs.prepare_log_file, log_file)
    if migrate:
        _migrate()
    _collect_static()
    if demo:
        if _has_users():
            _out.print("The database already has users: the demo practice is not loaded (it loads only into an empty database).")
        else:
            _load_demo(patients=25, seed=1)
    served = serving.plan(workers, threads, sqlite=_on_sqlite())
    if served.note:
        _out.print(f"Note: {served.note}.")
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    where = f"logs to {log_file}" if log_file else "logs to standard error"
    _out.print(f"Serving with {served.describe()}; {where}; data in {home}.", markup=False)
    running = f"Myotome is running at [bold]http://{shown}:{port}/[/bold]  (Ctrl+C stops it)"
    serving.run(host, port, served, listening=lambda: _out.print(running))


def _prepare(step: Callable[[Path], None], path: Path) -> None:
    try:
        step(path)
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc


def demo(
    patients: Annotated[int, typer.Option(metavar="N", min=0, help="How many patients (20,000 load in about a minute).")] = 25,
    seed: Annotated[int, typer.Option(metavar="N", help="Random seed: the same seed gives the same practice.")] = 1,
    workers: Annotated[
        int | None,
        typer.Option(metavar="N", min=1, max=256, help="Processes running the engine (default: one per core).", show_default=False),
    ] = None,
) -> None:
    """Load the demo practice into the configured database (which must have no users yet)."""
    from myotome.batch import default_workers

    _setup_django(create=True)
    _migrate()
    _load_demo(patients=patients, seed=seed, workers=workers or default_workers())
    _refresh_statistics()  # of the loaded practice


class RoleName(StrEnum):
    """The roles of ``accounts.models.Role``, named here so that the CLI need not import Django (a test keeps them equal)."""

    clinic_admin = "clinic_admin"
    clinician = "clinician"
    front_desk = "front_desk"


PASSWORD_TRIES = 3


def createuser(
    username: Annotated[str, typer.Argument(metavar="USERNAME", help="The new user's login name.")],
    clinic: Annotated[str, typer.Option(metavar="NAME", help="The clinic's name, as it was created.")],
    role: Annotated[RoleName, typer.Option(help="What the user may do in the clinic.")] = RoleName.clinician,
    create_clinic: Annotated[bool, typer.Option("--create-clinic", help="Create the clinic if there is none by that name.")] = False,
    first_name: Annotated[str, typer.Option(metavar="NAME", help="Given name, shown in the app.")] = "",
    last_name: Annotated[str, typer.Option(metavar="NAME", help="Family name, shown in the app.")] = "",
    email: Annotated[str, typer.Option(metavar="ADDRESS", help="E-mail address.")] = "",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input (for scripts).")
    ] = False,
    password_file: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Read the password from the first line of FILE (for scripts).", exists=True, dir_okay=False),
    ] = None,
) -> None:
    """Create a user with a password and a role in a clinic; the password is asked twice unless a script gives it."""
    if password_stdin and password_file is not None:
        raise _fail("give --password-stdin or --password-file, not both")
    if not password_stdin and password_file is None and not sys.stdin.isatty():
        # getpass would fall back to reading the pipe with a Python warning; say what works instead.
        raise _fail("standard input is not a terminal, so the password cannot be asked: use --password-stdin or --password-file FILE")
    _setup_django(create=True)
    _migrate()
    from myotome.clinic.accounts.provisioning import ProvisioningError, check_new_user, create_user

    details = {
        "username": username,
        "clinic_name": clinic,
        "role": role.value,
        "create_clinic": create_clinic,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
    }
    try:
        check_new_user(**details)
        password = _password(details, asked=not password_stdin and password_file is None, path=password_file)
        user, membership, created_clinic = create_user(password=password, **details)
    except ProvisioningError as exc:
        raise _fail(str(exc), 1) from exc
    if created_clinic:
        _out.print(f"Created clinic {membership.clinic.name!r}.")
    _out.print(f"Created user {user.get_username()!r}: {membership.get_role_display().lower()} in {membership.clinic.name!r}.")


def _password(details: dict[str, Any], *, asked: bool, path: Path | None) -> str:
    """The password from the script, or asked on the terminal again while the policy refuses it."""
    from myotome.clinic.accounts.provisioning import PasswordRefused, check_password

    user = {key: details[key] for key in ("username", "first_name", "last_name", "email")}
    for attempt in range(1, PASSWORD_TRIES + 1):
        password = str(typer.prompt("Password", hide_input=True, confirmation_prompt=True)) if asked else _given_password(path)
        try:
            check_password(password, **user)
            return password
        except PasswordRefused as exc:
            if not asked or attempt == PASSWORD_TRIES:
                raise
            _err.print(f"{exc} Try another.", markup=False)
    raise AssertionError("unreachable: the last try returns or raises")


def _given_password(path: Path | None) -> str:
    """The first line of FILE or of standard input, without its line ending."""
    source = f"--password-file {path}" if path else "standard input"
    try:
        if path is None:
            line = sys.stdin.readline()
        else:
            with path.open(encoding="utf-8") as handle:
                line = handle.readline()
    except OSError as exc:
        raise _fail(f"cannot read {source}: {exc.strerror}", 2) from exc
    except UnicodeDecodeError as exc:
        raise _fail(f"{source} is not UTF-8 text", 2) from exc
    password = line.rstrip("\r\n")
    if not password:
        raise _fail(f"{source} holds no password: its first line is empty", 2)
    return password


# -- backup and restore ------------------------------------------------------------------------


def backup(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="The new backup file (never overwritten).", dir_okay=False)
    ],
) -> None:
    """Back up the database while the app keeps serving: a consistent copy, readable by its owner only."""
    from myotome.cli.version import installed_version
    from myotome.clinic import backup as backups

    _setup_django(create=False)
    try:
        info = backups.backup(output.absolute(), installed_version())
    except backups.BackupError as exc:
        raise _fail(str(exc), 1) from exc
    backups.record("export", "backup", f"database backed up to {info.path.name[:120]}")
    size = info.path.stat().st_size
    _out.print(f"Backed up to {info.path} ({size / 1e6:.1f} MB, mode 600), taken {info.taken_at:%Y-%m-%d %H:%M:%S %Z}.", markup=False)


def restore(
    backup_file: Annotated[Path, typer.Argument(metavar="FILE", help="A file written by `myotome backup`.", exists=True, dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation (for scripts); the warning is still printed.")] = False,
) -> None:
    """Replace the database with a backup; everything after the backup was taken, its audit trail included, is lost."""
    from myotome.clinic import backup as backups

    _setup_django(create=True)
    try:
        info = backups.read_info(backup_file.absolute())
        backups.check_restorable(info)
    except backups.BackupError as exc:
        raise _fail(str(exc), 1) from exc
    from django.db import connection

    from myotome.clinic.config import describe_database

    _err.print(
        f"Restoring {info.describe()} replaces everything in {describe_database(connection.settings_dict)}. "
        f"Whatever was recorded after {info.taken_at:%Y-%m-%d %H:%M:%S %Z} is lost, and so is the audit trail of it: "
        "keep a backup of the present database first if any of it matters (`myotome backup -o FILE`).",
        markup=False,
    )
    if not yes:
        if not sys.stdin.isatty():
            raise _fail("standard input is not a terminal, so the restore cannot be confirmed: add --yes to restore from a script")
        if not typer.confirm("Restore?", default=False):
            raise _fail("Nothing was restored.", 1)
    try:
        backups.restore(info)
    except backups.BackupError as exc:
        raise _fail(str(exc), 1) from exc
    _migrate()
    backups.record(
        "update",
        "restore",
        f"database restored from a backup taken {info.taken_at:%Y-%m-%d %H:%M:%S %Z} ({info.path.name[:60]}); "
        "what was recorded after that time, audit events included, is not in this database",
    )
    _out.print(
        f"Restored {info.describe()}. The app servers may keep running: their next request reads the restored database.", markup=False
    )


# -- doctor ---------------------------------------------------------------------------------


@dataclass
class Check:
    name: str
    problem: str | None  # None when the check passed
    detail: str = ""


def doctor() -> None:
    """Check the installation and say what to fix; exit 1 if anything is wrong."""
    checks: list[Check] = []
    try:
        home = config.home_dir()
        db = config.database_settings(config.database_url(home))
    except config.ConfigError as exc:
        _report([Check("settings", f"{exc}")])
        raise typer.Exit(1) from exc
    checks.append(Check("settings", None, f"MYOTOME_HOME={home}"))
    checks.append(_https_check())
    checks.append(_log_check())
    key_problem = config.secret_key_problem(home)
    checks.append(Check("secret key", key_problem, str(config.secret_key_path(home)) if not key_problem else ""))
    checks.extend(_permission_checks(home, db))
    if key_problem and not os.environ.get("MYOTOME_SECRET_KEY"):
        # A throwaway key lets the remaining checks run; doctor signs nothing with it.
        import secrets

        os.environ["MYOTOME_SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
    try:
        import django

        django.setup()
    except Exception as exc:  # a broken settings module: nothing else can be checked
        checks.append(Check("django", f"cannot start: {exc}"))
        _report(checks)
        raise typer.Exit(1) from exc
    checks.append(_server_check())
    checks.extend(_database_checks(db))
    checks.extend(_backup_checks(db))
    checks.append(_kb_check())
    checks.append(_static_check())
    _report(checks)
    if any(c.problem for c in checks):
        raise typer.Exit(1)


def _https_check() -> Check:
    try:
        problem, https, trusted = config.https_problem(), config.env_bool("MYOTOME_HTTPS", False), config.trusted_proxy()
    except config.ConfigError as exc:
        return Check("https", str(exc))
    if problem:
        return Check("https", problem)
    if not https:
        return Check("https", None, "off: plain HTTP, no secure cookies or HSTS (set MYOTOME_HTTPS=true behind a TLS proxy)")
    return Check("https", None, f"on: secure cookies and HSTS for requests {trusted} forwards as HTTPS")


def _log_check() -> Check:
    """Where the logs go; a log file must be writable and owner-only (it names users and addresses)."""
    try:
        path = logs.log_file()
    except config.ConfigError as exc:
        return Check("logs", str(exc))
    if path is None:
        return Check("logs", None, "to standard error (under systemd: the journal); MYOTOME_LOG_FILE=/ABSOLUTE/PATH for a file")
    if not path.parent.is_dir():
        return Check("logs", f"MYOTOME_LOG_FILE={path}: its folder {path.parent} does not exist; create it, owned by the app's user")
    if path.exists():
        if not os.access(path, os.W_OK):
            return Check("logs", f"MYOTOME_LOG_FILE={path} cannot be written by this user")
        if path.stat().st_mode & 0o077:
            return Check("logs", f"MYOTOME_LOG_FILE={path} is readable by others; run `chmod 600 {path}` (it names users and addresses)")
    elif not os.access(path.parent, os.W_OK):
        return Check("logs", f"MYOTOME_LOG_FILE={path} cannot be created: its folder is not writable by this user")
    return Check("logs", None, f"appended to {path} (owner-only; reopened when logrotate moves it)")


def _permission_checks(home: Path, db: dict[str, Any]) -> list[Check]:
    problems = private_files.find_problems(home, db)
    if problems:
        return [Check("file modes", problem) for problem in problems]
    return [Check("file modes", None, "MYOTOME_HOME, the secret key and the database files are readable by their owner only")]


def _database_checks(db: dict[str, Any]) -> list[Check]:
    if db["ENGINE"].endswith("sqlite3") and not Path(db["NAME"]).exists():
        problem = f"no database file at {db['NAME']}: run `myotome serve` (or `myotome demo`) once to create it"
        return [Check("database", problem), Check("migrations", "not checked: no database")]
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        connection.ensure_connection()
    except Exception as exc:  # any driver or configuration error is the answer here
        return [
            Check("database", f"cannot connect to {config.describe_database(db)}: {exc}".strip()),
            Check("migrations", "not checked: no database"),
        ]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        migrations = Check("migrations", f"{len(pending)} not applied: run `myotome serve` once (it migrates)")
    else:
        migrations = Check("migrations", None, f"all {len(executor.loader.applied_migrations)} applied")
    return [Check("database", None, config.describe_database(db)), migrations]


def _server_check() -> Check:
    served = serving.plan(None, None, sqlite=_on_sqlite())
    note = f" ({served.note})" if served.note else " (one per core; --workers N to change)"
    return Check("server", None, f"`myotome serve` runs {served.describe()}{note}")


def _backup_checks(db: dict[str, Any]) -> list[Check]:
    """pg_dump against the server (PostgreSQL), and the age of the last `myotome backup`."""
    from django.db import connection

    from myotome.clinic import backup as backups

    try:
        connection.ensure_connection()
    except Exception:  # the database check has said why
        return [Check("backup", "not checked: no database")]
    checks = []
    if connection.vendor == "postgresql":
        try:
            tools = backups.pg_tools_for_server()
            checks.append(Check("pg_dump", None, f"{tools.pg_dump} (version {tools.major}) for PostgreSQL {backups.server_major()}"))
        except backups.BackupError as exc:
            checks.append(Check("pg_dump", str(exc)))
    try:
        last = backups.last_backup()
    except Exception:  # no audit table yet: the migrations check says so
        return [*checks, Check("backup", "not checked: the database is not migrated")]
    if last is None:
        checks.append(Check("backup", None, "none made with `myotome backup` yet: schedule one (docs/deployment.md, Backups)"))
    else:
        from django.utils import timezone

        hours = (timezone.now() - last).total_seconds() / 3600
        age = f"{hours:.0f} hours" if hours < 48 else f"{hours / 24:.0f} days"
        checks.append(Check("backup", None, f"the last `myotome backup` finished {age} ago ({last:%Y-%m-%d %H:%M %Z})"))
    return checks


def _kb_check() -> Check:
    from myotome.kb import KBError, load_kb

    try:
        kb = load_kb()
    except KBError as exc:
        return Check("knowledge base", f"does not load: {exc}; reinstall Myotome")
    return Check("knowledge base", None, f"version {kb.version}, {len(kb.muscles)} muscles")


def _static_check() -> Check:
    from django.conf import settings

    css = Path(settings.STATIC_ROOT) / "myotome" / "clinic.css"
    if not css.exists():
        # Not a fault: `serve` collects them every time it starts.
        return Check(
            "static files",
            None,
            f"not collected yet in {settings.STATIC_ROOT}; `myotome serve` collects them as it starts "
            "(run it once before serving with another WSGI server)",
        )
    return Check("static files", None, str(settings.STATIC_ROOT))


def _report(checks: list[Check]) -> None:
    mark: Callable[[Check], str] = lambda c: "[green]ok[/green]  " if c.problem is None else "[red]FAIL[/red]"  # noqa: E731
    for check in checks:
        text = check.detail if check.problem is None else check.problem
        _out.print(f"{mark(check)} {check.name}: ", end="")
        _out.print(text, markup=False)
    failed = sum(1 for c in checks if c.problem)
    _out.print("All checks passed." if not failed else f"[red]{failed} problem{'s' if failed != 1 else ''} found.[/red]")

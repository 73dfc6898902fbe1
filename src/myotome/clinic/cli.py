"""``myotome serve``, ``demo``, ``createuser`` and ``doctor``: run and look after the clinic web app.

They live with the clinic because they drive Django; ``myotome.cli.commands`` registers them.

Django is imported inside the commands only, so that ``myotome kb`` and
``myotome assess`` start fast and never load it.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from myotome.clinic import config

_out = Console(highlight=False, soft_wrap=True)
_err = Console(stderr=True, highlight=False, soft_wrap=True)

SETTINGS_MODULE = "myotome.clinic.settings"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
WILDCARD = {"0.0.0.0", "::", "[::]"}


def _fail(message: str, code: int = 2) -> typer.Exit:
    _err.print(f"[red]{message}[/red]", markup=True)
    return typer.Exit(code)


def _setup_django(*, create: bool) -> Path:
    """Read the environment, optionally create MYOTOME_HOME and its secret key, and start Django."""
    try:
        home = config.home_dir()
        config.database_settings(config.database_url(home))  # a bad DATABASE_URL fails here, in words
        if create:
            config.prepare_home(home)
            config.ensure_secret_key(home)
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        import django

        django.setup()
    except config.ConfigError as exc:
        raise _fail(f"configuration: {exc}") from exc
    return home


def _migrate() -> None:
    from django.core.management import call_command
    from django.db import connection

    from myotome.clinic.config import describe_database

    _out.print(f"Database: {describe_database(connection.settings_dict)}")
    call_command("migrate", interactive=False, verbosity=0)


def _collect_static() -> None:
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def _has_users() -> bool:
    from django.contrib.auth import get_user_model

    return bool(get_user_model().objects.exists())


def _load_demo(patients: int, seed: int) -> None:
    from myotome.clinic.demo import DEMO_PASSWORD, DEMO_USERNAME, DemoError, load_demo

    try:
        practice = load_demo(patients=patients, seed=seed)
    except DemoError as exc:
        raise _fail(str(exc), 1) from exc
    names = ", ".join(c.name for c in practice.clinics)
    _out.print(f"Demo practice loaded: {names}; {len(practice.patients)} patients, {len(practice.episodes)} episodes.")
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
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo practice if the database has no users, and print its login.")] = False,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Worker threads.")] = 8,
    migrate: Annotated[
        bool,
        typer.Option("--migrate/--no-migrate", help="Apply database migrations first (turn off on all but one of several app servers)."),
    ] = True,
) -> None:
    """Serve the clinic web app with waitress: create and migrate the database on first run."""
    _allow_host(host)
    _setup_django(create=True)
    if migrate:
        _migrate()
    _collect_static()
    if demo:
        if _has_users():
            _out.print("The database already has users: the demo practice is not loaded (it loads only into an empty database).")
        else:
            _load_demo(patients=25, seed=1)
    import waitress

    from myotome.clinic.wsgi import application

    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    _out.print(f"Myotome is running at [bold]http://{shown}:{port}/[/bold]  (Ctrl+C stops it)")
    trusted = os.environ.get("MYOTOME_TRUSTED_PROXY", "").strip()
    options: dict[str, Any] = {"host": host, "port": port, "threads": threads, "ident": "Myotome"}
    if trusted:
        # Behind a load balancer: take the client's address from X-Forwarded-For set by that proxy only.
        options.update(
            trusted_proxy=trusted,
            trusted_proxy_count=1,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            clear_untrusted_proxy_headers=True,
        )
    waitress.serve(application, **options)


def demo(
    patients: Annotated[int, typer.Option(min=0, max=10000, help="How many patients.")] = 25,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same practice.")] = 1,
) -> None:
    """Load the demo practice into the configured database (which must have no users yet)."""
    _setup_django(create=True)
    _migrate()
    _load_demo(patients=patients, seed=seed)


def createuser(
    username: Annotated[str, typer.Argument(help="The new user's login name.")],
    clinic: Annotated[str, typer.Option(help="The clinic's name, exactly as it was created.")],
    role: Annotated[str, typer.Option(help="clinic_admin, clinician or front_desk.")] = "clinician",
    create_clinic: Annotated[bool, typer.Option("--create-clinic", help="Create the clinic if there is none by that name.")] = False,
    first_name: Annotated[str, typer.Option(help="Given name, shown in the app.")] = "",
    last_name: Annotated[str, typer.Option(help="Family name, shown in the app.")] = "",
    email: Annotated[str, typer.Option(help="E-mail address.")] = "",
) -> None:
    """Create a user with a password (asked twice) and a role in a clinic."""
    _setup_django(create=True)
    _migrate()
    from myotome.clinic.accounts.provisioning import ProvisioningError, create_user

    password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, membership, created_clinic = create_user(
            username=username,
            password=password,
            clinic_name=clinic,
            role=role,
            create_clinic=create_clinic,
            first_name=first_name,
            last_name=last_name,
            email=email,
        )
    except ProvisioningError as exc:
        raise _fail(str(exc), 1) from exc
    if created_clinic:
        _out.print(f"Created clinic {membership.clinic.name!r}.")
    _out.print(f"Created user {user.get_username()!r}: {membership.get_role_display().lower()} in {membership.clinic.name!r}.")


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
    key_problem = config.secret_key_problem(home)
    checks.append(Check("secret key", key_problem, str(config.secret_key_path(home)) if not key_problem else ""))
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
    checks.extend(_database_checks(db))
    checks.append(_kb_check())
    checks.append(_static_check())
    _report(checks)
    if any(c.problem for c in checks):
        raise typer.Exit(1)


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
    migrations = Check("migrations", f"{len(pending)} not applied: run `myotome serve` once (it migrates)" if pending else None)
    return [Check("database", None, config.describe_database(db)), migrations]


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
        return Check("static files", f"not collected in {settings.STATIC_ROOT}: run `myotome serve` once (it collects them)")
    return Check("static files", None, str(settings.STATIC_ROOT))


def _report(checks: list[Check]) -> None:
    mark: Callable[[Check], str] = lambda c: "[green]ok[/green]  " if c.problem is None else "[red]FAIL[/red]"  # noqa: E731
    for check in checks:
        text = check.detail if check.problem is None else check.problem
        _out.print(f"{mark(check)} {check.name}: ", end="")
        _out.print(text, markup=False)
    failed = sum(1 for c in checks if c.problem)
    _out.print("All checks passed." if not failed else f"[red]{failed} problem{'s' if failed != 1 else ''} found.[/red]")

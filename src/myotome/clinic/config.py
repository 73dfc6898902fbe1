"""Settings read from the environment, each through a small helper that fails loudly.

Plain Python on purpose: the ``myotome`` command calls these before Django is
imported, to report a bad value in words instead of a traceback::

    home = home_dir()                     # MYOTOME_HOME or the platform's data dir
    database_settings(database_url(home)) # Django's DATABASES["default"]
    https_problem()                       # MYOTOME_HTTPS set without a trusted proxy
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

SECRET_KEY_FILE = "secret_key"
DATABASE_FILE = "myotome.sqlite3"


class ConfigError(ValueError):
    """An environment variable holds a value Myotome cannot use."""


def home_dir() -> Path:
    """MYOTOME_HOME, or the platform's user data directory for "myotome"."""
    raw = os.environ.get("MYOTOME_HOME", "").strip()
    if not raw:
        import platformdirs

        return Path(platformdirs.user_data_dir("myotome", appauthor=False))
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ConfigError(f"MYOTOME_HOME must be an absolute path, got {raw!r}; write e.g. /var/lib/myotome")
    if path.exists() and not path.is_dir():
        raise ConfigError(f"MYOTOME_HOME={raw!r} is a file, not a directory")
    return path


def prepare_home(home: Path) -> Path:
    """Create MYOTOME_HOME (owner-only: it holds the secret key and the database)."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


PROBE_BYTES = 256 * 1024  # room for SQLite to start a write-ahead log and a few pages


def check_writable(home: Path) -> None:
    """Write, sync and remove a small file in MYOTOME_HOME: a read-only or full folder is said in words
    before anything of Myotome's is written there (rather than found half-way through a migration)."""
    probe = home / f".write-test-{os.getpid()}"
    created = False
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        created = True
        try:
            os.write(fd, b"\0" * PROBE_BYTES)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        why = {30: "the file system is read-only", 28: "the disk is full", 13: "permission denied"}.get(exc.errno or 0, exc.strerror)
        raise ConfigError(
            f"MYOTOME_HOME {home} cannot be written: {why}; free some space or point MYOTOME_HOME at a writable folder "
            "(nothing was changed)"
        ) from None
    finally:
        # Only a probe that was made: on a read-only file system even removing a missing file fails (EROFS).
        if created:
            probe.unlink(missing_ok=True)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number between {minimum} and {maximum}, got {raw!r}") from None
    if not minimum <= value <= maximum:
        raise ConfigError(f"{name} must be between {minimum} and {maximum}, got {value}")
    return value


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if raw not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(repr(c) for c in choices)}, got {raw!r}")
    return raw


# How the clinic writes dates (myotome.clinic.dates shows and reads each).
DATE_FORMATS = ("d MMM yyyy", "dd/mm/yyyy", "mm/dd/yyyy", "yyyy-mm-dd")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


# -- secret key -------------------------------------------------------------


def secret_key_path(home: Path) -> Path:
    return home / SECRET_KEY_FILE


def ensure_secret_key(home: Path) -> Path:
    """Generate the secret key once, readable by its owner only; keep it afterwards."""
    path = secret_key_path(home)
    if not path.exists():
        prepare_home(home)
        # O_EXCL: two app servers starting at once must not overwrite each other's key.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
    return path


def read_secret_key(home: Path) -> str:
    """MYOTOME_SECRET_KEY, else the key file in MYOTOME_HOME (never generated here)."""
    from_env = os.environ.get("MYOTOME_SECRET_KEY", "").strip()
    if from_env:
        if len(from_env) < 32:
            raise ConfigError(f"MYOTOME_SECRET_KEY must be at least 32 characters, got {len(from_env)}")
        return from_env
    path = secret_key_path(home)
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(f"no secret key at {path}; run `myotome serve` once (it creates one) or set MYOTOME_SECRET_KEY") from None
    if len(key) < 32:
        raise ConfigError(f"the secret key in {path} is too short ({len(key)} characters); delete the file and run `myotome serve`")
    return key


def secret_key_problem(home: Path) -> str | None:
    """What is wrong with the secret key, or None (for ``myotome doctor``; its mode is checked with the other private files)."""
    if os.environ.get("MYOTOME_SECRET_KEY", "").strip():
        return None
    path = secret_key_path(home)
    if not path.exists():
        return f"no secret key at {path}: run `myotome serve` once, or set MYOTOME_SECRET_KEY"
    return None


# -- HTTPS behind a proxy ---------------------------------------------------


def trusted_proxy() -> str | None:
    """MYOTOME_TRUSTED_PROXY: the one address whose X-Forwarded-* headers waitress believes ("*": any), or None."""
    raw = os.environ.get("MYOTOME_TRUSTED_PROXY", "").strip()
    if not raw or raw == "*":
        return raw or None
    try:
        # waitress compares the text with the connecting address, so write it as the socket does ("::1", not "[::1]").
        return str(ipaddress.ip_address(raw.removeprefix("[").removesuffix("]")))
    except ValueError:
        raise ConfigError(
            f"MYOTOME_TRUSTED_PROXY must be the proxy's IP address as this server sees it, e.g. 10.0.0.2, got {raw!r} "
            "(a host name never matches the connecting address)"
        ) from None


def https_problem() -> str | None:
    """Why MYOTOME_HTTPS cannot work as set, or None.

    ``myotome serve`` speaks plain HTTP: a request is HTTPS only when the proxy that
    terminates TLS says so in X-Forwarded-Proto, and waitress drops that header unless
    it comes from MYOTOME_TRUSTED_PROXY. Without it no request counts as secure, so no
    HSTS header would ever be sent.
    """
    if env_bool("MYOTOME_HTTPS", False) and trusted_proxy() is None:
        return (
            "MYOTOME_HTTPS=true also needs MYOTOME_TRUSTED_PROXY, the address of the proxy that terminates TLS "
            "(e.g. 127.0.0.1 when it runs on this machine): `myotome serve` does not speak HTTPS itself, and it "
            "believes X-Forwarded-Proto: https only from that proxy"
        )
    return None


# -- database ---------------------------------------------------------------


def database_url(home: Path) -> str:
    """DATABASE_URL, or a SQLite file in MYOTOME_HOME."""
    raw = os.environ.get("DATABASE_URL", "").strip()
    return raw or f"sqlite:///{home / DATABASE_FILE}"


def database_settings(url: str) -> dict[str, Any]:
    """Django's ``DATABASES["default"]`` for a ``sqlite:///`` or ``postgres://`` URL.

    database_settings("postgres://postgres@127.0.0.1:5432/myotome")["ENGINE"]
    # 'django.db.backends.postgresql'
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        return _sqlite(url, parts.path)
    if scheme in {"postgres", "postgresql", "pgsql"}:
        return _postgres(url, parts)
    raise ConfigError(
        f"DATABASE_URL scheme {scheme or '(none)'!r} is not supported in {_redact(url)!r}; "
        "use sqlite:///ABSOLUTE/PATH or postgres://USER:PASSWORD@HOST:PORT/NAME"
    )


def _sqlite(url: str, path: str) -> dict[str, Any]:
    # sqlite:////abs/path has path "//abs/path"; sqlite:///abs/path has "/abs/path".
    name = unquote(path)
    if name.startswith("//"):
        name = name[1:]
    if not name or name == "/":
        raise ConfigError(f"DATABASE_URL {url!r} names no file; write sqlite:////absolute/path/myotome.sqlite3")
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": name,
        "OPTIONS": {
            # Waitress serves requests on several threads: take the write lock at the start
            # of a transaction and wait for it, instead of failing with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("MYOTOME_SQLITE_TIMEOUT", 20, minimum=1, maximum=600),
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
        # Keep each worker thread's connection between requests: opening one costs the PRAGMAs above,
        # and when the last connection closes SQLite checkpoints and deletes the write-ahead log.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
    }


def _postgres(url: str, parts: Any) -> dict[str, Any]:
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError(f"DATABASE_URL {_redact(url)!r} names no database; write postgres://USER@HOST:5432/NAME")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError(f"DATABASE_URL {_redact(url)!r} has a port that is not a number") from None
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(port or ""),
        "OPTIONS": dict(parse_qsl(parts.query)),
        # Keep connections between requests; check them before use after a server restart.
        "CONN_MAX_AGE": 60,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": f"test_{name}"},
    }


def _redact(url: str) -> str:
    """The URL without its password, for error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def describe_database(settings: dict[str, Any]) -> str:
    """A one-line description without the password."""
    if settings["ENGINE"].endswith("sqlite3"):
        return f"SQLite {settings['NAME']}"
    user = f"{settings['USER']}@" if settings["USER"] else ""
    return f"PostgreSQL {user}{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"

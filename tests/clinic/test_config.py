"""Settings from the environment: each bad value fails loudly, naming the variable and what would be right."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from myotome.clinic import config, private_files


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////var/lib/myotome/db.sqlite3", {"ENGINE": "django.db.backends.sqlite3", "NAME": "/var/lib/myotome/db.sqlite3"}),
        ("sqlite:///tmp/x.sqlite3", {"ENGINE": "django.db.backends.sqlite3", "NAME": "/tmp/x.sqlite3"}),
        (
            "postgres://postgres@127.0.0.1:5432/myotome",
            {"ENGINE": "django.db.backends.postgresql", "NAME": "myotome", "USER": "postgres", "HOST": "127.0.0.1", "PORT": "5432"},
        ),
        (
            "postgresql://u:p%40ss@db.internal/clinic?sslmode=require",
            {"NAME": "clinic", "PASSWORD": "p@ss", "PORT": "", "OPTIONS": {"sslmode": "require"}},
        ),
    ],
)
def test_database_urls(url: str, expected: dict[str, object]) -> None:
    settings = config.database_settings(url)
    assert {k: settings[k] for k in expected} == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://root@localhost/myotome", "scheme 'mysql' is not supported"),
        ("postgres://u:secret@host:5432/", "names no database"),
        ("postgres://u@host:port/db", "port that is not a number"),
        ("sqlite://", "names no file"),
        ("/just/a/path", "scheme '(none)' is not supported"),
    ],
)
def test_bad_database_urls_are_refused_without_showing_the_password(url: str, message: str) -> None:
    with pytest.raises(config.ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        config.database_settings(url)
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", "MYOTOME_IDLE_MINUTES must be a whole number between 1 and 1440, got 'abc'"), ("0", "between 1 and 1440, got 0")],
)
def test_bad_numbers_are_refused(monkeypatch: pytest.MonkeyPatch, raw: str, message: str) -> None:
    monkeypatch.setenv("MYOTOME_IDLE_MINUTES", raw)
    with pytest.raises(config.ConfigError, match=message):
        config.env_int("MYOTOME_IDLE_MINUTES", 30, minimum=1, maximum=1440)


def test_bad_booleans_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYOTOME_HTTPS", "maybe")
    with pytest.raises(config.ConfigError, match="MYOTOME_HTTPS must be true or false"):
        config.env_bool("MYOTOME_HTTPS", False)


def test_a_relative_home_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYOTOME_HOME", "relative/dir")
    with pytest.raises(config.ConfigError, match="MYOTOME_HOME must be an absolute path"):
        config.home_dir()


def test_the_default_home_is_the_platforms_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv("MYOTOME_HOME")
    assert config.home_dir() == Path(platformdirs.user_data_dir("myotome", appauthor=False))


def test_the_secret_key_is_made_once_and_readable_by_its_owner_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYOTOME_SECRET_KEY", raising=False)
    home = tmp_path / "home"
    with pytest.raises(config.ConfigError, match=r"no secret key at .*run `myotome serve` once"):
        config.read_secret_key(home)
    path = config.ensure_secret_key(home)
    key = config.read_secret_key(home)
    assert len(key) >= 50 and stat.S_IMODE(path.stat().st_mode) == 0o600
    config.ensure_secret_key(home)
    assert config.read_secret_key(home) == key
    assert config.secret_key_problem(home) is None
    db = config.database_settings(config.database_url(home))
    assert private_files.find_problems(home, db) == []
    path.chmod(0o644)
    assert private_files.find_problems(home, db) == [f"{path} is open to its group and every user (mode 644): run `chmod 600 {path}`"]


def test_the_database_file_is_created_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    db = config.database_settings(f"sqlite:///{tmp_path / 'clinic.sqlite3'}")
    old = os.umask(0)
    try:
        private_files.create_database_file(db)
        private_files.create_database_file(db)  # a second start keeps the file it found
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "clinic.sqlite3").stat().st_mode) == 0o600


def test_a_database_file_in_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    db = config.database_settings(f"sqlite:///{tmp_path / 'nowhere' / 'clinic.sqlite3'}")
    with pytest.raises(config.ConfigError, match=r"cannot be created: its folder .*/nowhere does not exist"):
        private_files.create_database_file(db)


def test_postgresql_has_no_database_files_to_guard() -> None:
    assert private_files.database_files(config.database_settings("postgres://u@h:5432/myotome")) == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("10.0.0.2", "10.0.0.2"), (" 127.0.0.1 ", "127.0.0.1"), ("[::1]", "::1"), ("*", "*"), ("", None)],
)
def test_the_trusted_proxy_is_written_as_waitress_compares_it(monkeypatch: pytest.MonkeyPatch, raw: str, expected: str | None) -> None:
    monkeypatch.setenv("MYOTOME_TRUSTED_PROXY", raw)
    assert config.trusted_proxy() == expected


@pytest.mark.parametrize("raw", ["lb.example.org", "10.0.0.300", "10.0.0.2,10.0.0.3"])
def test_a_trusted_proxy_that_is_not_an_address_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("MYOTOME_TRUSTED_PROXY", raw)
    with pytest.raises(config.ConfigError, match=f"MYOTOME_TRUSTED_PROXY must be the proxy's IP address .*got '{raw}'"):
        config.trusted_proxy()


@pytest.mark.parametrize(
    ("https", "proxy", "refused"),
    [("true", "", True), ("true", "10.0.0.2", False), ("false", "", False), ("", "10.0.0.2", False)],
)
def test_https_is_refused_without_a_trusted_proxy(monkeypatch: pytest.MonkeyPatch, https: str, proxy: str, refused: bool) -> None:
    monkeypatch.setenv("MYOTOME_HTTPS", https)
    monkeypatch.setenv("MYOTOME_TRUSTED_PROXY", proxy)
    problem = config.https_problem()
    assert (problem is not None) == refused
    if problem:
        assert problem.startswith("MYOTOME_HTTPS=true also needs MYOTOME_TRUSTED_PROXY")


def test_a_short_secret_key_from_the_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MYOTOME_SECRET_KEY", "short")
    with pytest.raises(config.ConfigError, match="at least 32 characters"):
        config.read_secret_key(tmp_path)


def test_the_suite_runs_on_the_database_it_was_asked_for(db: None) -> None:
    # CI runs this suite twice; this keeps the PostgreSQL run from silently using SQLite.
    import os

    from django.db import connection

    wanted = "postgresql" if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == wanted


def test_every_setting_is_documented() -> None:
    """docs/deployment.md lists every environment variable the clinic reads."""
    import re

    root = Path(__file__).resolve().parents[2]
    sources = [root / "src/myotome/clinic" / name for name in ("settings.py", "config.py", "cli.py", "logs.py", "backup.py")]
    names = set()
    for source in sources:
        names |= set(re.findall(r'"((?:MYOTOME_[A-Z_]+)|DATABASE_URL)"', source.read_text()))
    doc = (root / "docs/deployment.md").read_text()
    assert names and not [n for n in sorted(names) if f"`{n}`" not in doc]

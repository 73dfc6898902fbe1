"""The files that hold patient data or the secret key, kept readable by their owner only.

MYOTOME_HOME holds the secret key and (by default) the SQLite database with its
write-ahead log (``-wal``) and shared-memory index (``-shm``). SQLite creates those two
with the database file's own mode, whatever the umask, so the database file is created
0600 before SQLite ever opens it; every later ``-wal`` and ``-shm`` follows it.

Plain Python, like :mod:`myotome.clinic.config`: the ``myotome`` commands call these
before Django starts::

    notes = secure_home(home, db)       # tighten what is ours; say what was changed
    problems = find_problems(home, db)  # for `myotome doctor`: each with its chmod
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from myotome.clinic.config import DATABASE_FILE, SECRET_KEY_FILE, ConfigError, secret_key_path

# SQLite's companions of a database file in WAL mode (and the rollback journal used before it).
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")
# What Myotome itself keeps in MYOTOME_HOME; a folder holding only these is ours to tighten.
OWN_NAMES = frozenset({SECRET_KEY_FILE, "static", *(DATABASE_FILE + suffix for suffix in SQLITE_SUFFIXES)})
OTHERS = 0o077  # group and world permission bits

# File modes mean nothing to Windows' access control; there the checks stand aside.
POSIX = os.name == "posix"


def database_files(db: dict[str, Any]) -> list[Path]:
    """The SQLite database file and its companions (none for PostgreSQL)."""
    if not db["ENGINE"].endswith("sqlite3"):
        return []
    name = str(db["NAME"])
    return [Path(name + suffix) for suffix in SQLITE_SUFFIXES]


def private_files(home: Path, db: dict[str, Any]) -> list[Path]:
    return [secret_key_path(home), *database_files(db)]


def create_database_file(db: dict[str, Any]) -> None:
    """Create an empty SQLite database file, owner-only, unless it exists (SQLite takes an empty file as a new database)."""
    files = database_files(db)
    if not files:
        return
    path = files[0]
    try:
        # O_EXCL: never truncate a database another process has just created.
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except FileNotFoundError:
        raise ConfigError(
            f"the database file {path} cannot be created: its folder {path.parent} does not exist; "
            "create it (mode 700) or point DATABASE_URL elsewhere"
        ) from None


def secure_home(home: Path, db: dict[str, Any]) -> list[str]:
    """Make MYOTOME_HOME and the private files owner-only where they are ours; return what was changed, in words.

    The folder is ours when this user owns it and it holds nothing but Myotome's own
    files (a new or empty folder included): then it is made 0700. Any other folder is
    left as it is, with a note saying why and how to tighten it. Private files owned by
    this user lose their group and world bits (0644 becomes 0600).
    """
    notes: list[str] = []
    if not POSIX:
        return notes
    mode = _mode(home)
    if mode is not None and mode & OTHERS:
        why_not = _not_ours(home, db)
        if why_not is None:
            home.chmod(mode & ~OTHERS)
            notes.append(f"MYOTOME_HOME {home} was open to other users (mode {mode:o}); it is now {mode & ~OTHERS:o}.")
        else:
            notes.append(
                f"MYOTOME_HOME {home} is open to other users (mode {mode:o}) and {why_not}, "
                f"so it was left as it is: run `chmod 700 {home}` if nothing else needs it."
            )
    for path in private_files(home, db):
        mode = _mode(path)
        if mode is not None and mode & OTHERS and _owned(path):
            path.chmod(mode & ~OTHERS)
            notes.append(f"{path} was open to other users (mode {mode:o}); it is now {mode & ~OTHERS:o}.")
    return notes


def find_problems(home: Path, db: dict[str, Any]) -> list[str]:
    """Each private file or folder that other users can reach, with the command that fixes it."""
    if not POSIX:
        return []
    problems = []
    mode = _mode(home)
    if mode is not None and mode & OTHERS:
        problems.append(f"MYOTOME_HOME {home} is open to {_who(mode)} (mode {mode:o}): run `chmod 700 {home}`")
    for path in private_files(home, db):
        mode = _mode(path)
        if mode is not None and mode & OTHERS:
            problems.append(f"{path} is open to {_who(mode)} (mode {mode:o}): run `chmod 600 {path}`")
    return problems


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None


def _owned(path: Path) -> bool:
    return path.stat().st_uid == os.getuid()


def _not_ours(home: Path, db: dict[str, Any]) -> str | None:
    """Why the folder is not Myotome's alone to tighten, or None."""
    if not _owned(home):
        return "belongs to another user"
    own = OWN_NAMES | {path.name for path in database_files(db) if path.parent == home}
    if any(entry.name not in own for entry in home.iterdir()):
        return "holds files that are not Myotome's"
    return None


def _who(mode: int) -> str:
    group, world = mode & 0o070, mode & 0o007
    return "its group and every user" if group and world else "every user" if world else "its group"

"""Where the clinic's logs go, in one ``logging`` configuration shared by Django and the server.

Plain Python, like :mod:`myotome.clinic.config`: ``myotome serve`` hands this configuration
to granian, whose master and worker processes apply it before Django starts, and Django's
settings apply the same one (so that whichever applies it last, the handlers are the same)::

    LOGGING = logging_config()          # settings.py
    Server(..., log_dictconfig=logging_config(), log_access_format=ACCESS_FORMAT)

Every line goes to standard error, or to ``MYOTOME_LOG_FILE`` when it is set (appended to by
every worker process and reopened when logrotate moves it away). No line carries patient data:
the access log has the path without its query string, Django's request object is stripped from
its records, and SQL is never logged.
"""

from __future__ import annotations

import logging.handlers
import os
from pathlib import Path
from typing import Any

from myotome.clinic.config import ConfigError

# granian fills these from each request; %(path)s is the path alone (the query string is %(query_string)s, never used).
ACCESS_FORMAT = '%(addr)s "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).0f ms'
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_file() -> Path | None:
    """MYOTOME_LOG_FILE as an absolute path, or None (standard error)."""
    raw = os.environ.get("MYOTOME_LOG_FILE", "").strip()
    if not raw:
        return None
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ConfigError(f"MYOTOME_LOG_FILE must be an absolute path, got {raw!r}; write e.g. /var/log/myotome/myotome.log")
    return path


def prepare_log_file(path: Path) -> None:
    """Create the log file owner-only before any process appends to it (it names users and addresses)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    except OSError as exc:
        raise ConfigError(f"MYOTOME_LOG_FILE={str(path)!r} cannot be written: {exc.strerror}") from None


class OwnerOnlyFileHandler(logging.handlers.WatchedFileHandler):
    """Append to a file, reopen it when logrotate has moved it away, and create it mode 0600."""

    def _open(self) -> Any:
        old = os.umask(0o077)
        try:
            return super()._open()
        finally:
            os.umask(old)


def logging_config() -> dict[str, Any]:
    """The ``logging.config.dictConfig`` dictionary for Django, granian's master and its workers."""
    path = log_file()
    handler: dict[str, Any]
    if path is None:
        handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    else:
        handler = {"()": "myotome.clinic.logs.OwnerOnlyFileHandler", "filename": str(path), "encoding": "utf-8"}
    handler.update(formatter="plain", filters=["no_request", "one_line_unavailable"])
    quiet = {"handlers": ["main"], "level": "WARNING", "propagate": False}
    talk = {"handlers": ["main"], "level": "INFO", "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "no_request": {"()": "myotome.clinic.logs.DropRequestDetails"},
            "one_line_unavailable": {"()": "myotome.clinic.logs.OneLineWhenUnavailable"},
        },
        "formatters": {"plain": {"format": LINE_FORMAT}},
        "handlers": {"main": handler},
        "root": {"handlers": ["main"], "level": "WARNING"},
        "loggers": {
            # Django's default config would e-mail tracebacks with request bodies to ADMINS.
            "django": talk,
            # At DEBUG this logger prints every SQL statement with its parameters: patient data.
            "django.db.backends": quiet,
            "myotome": talk,
            "_granian": talk,  # the server: start, workers, signals
            "granian.access": talk,  # one line per request
            "waitress": talk,
        },
    }


class DropRequestDetails(logging.Filter):
    """Strip the request object Django attaches to log records.

    Django's messages name only the path ("Not Found: /patients/7/"), but handlers
    that format ``record.request`` would print the query string, headers and POST
    data, which can hold patient names. (Plain Python here, so that granian's processes
    can apply the configuration before Django is set up.)
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True


class OneLineWhenUnavailable(logging.Filter):
    """A request that met an unavailable database or a full disk is logged in one line, not a traceback.

    Such a request answers 503 (``health.py``): the cause is outside the code, and while it lasts
    every request fails the same way, so a traceback each would bury the log. Any other error
    keeps its traceback.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            from myotome.clinic.health import is_unavailable  # here: Django is set up by the time a request fails

            if is_unavailable(exc):
                cause = " ".join(str(exc).split())  # drivers' messages run over several lines
                record.msg = f"{record.getMessage()}: the database or the disk is unavailable ({type(exc).__name__}: {cause})"
                record.args = None
                record.exc_info = record.exc_text = None
        return True

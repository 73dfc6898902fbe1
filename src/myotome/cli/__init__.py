"""The ``myotome`` command.

This module stays light: ``main`` answers ``myotome --version`` and hands the plain
forms of ``myotome assess FILE`` and ``myotome outcomes score`` straight to the core, and builds the Typer app
(``myotome.cli.commands``) only for everything else.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> None:
    # `myotome assess FILE` is called from scripts in loops: its plain forms skip building
    # the Typer app (and Rich); everything else, --help included, goes through Typer.
    args = sys.argv[1:]
    if args == ["--version"]:
        from myotome.cli.version import installed_version

        sys.stdout.write(f"myotome {installed_version()}\n")
        return
    if args[:1] == ["assess"]:
        # Pydantic scans every installed package for plugins on first use; the engine uses none.
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
        from myotome.cli.assess_run import parse_plain, run

        plain = parse_plain(args[1:])
        if plain is not None:
            status = run(*plain)
            # Nothing is left to clean up: skip the interpreter's teardown of the loaded
            # knowledge base (tens of milliseconds), as short-lived CLIs commonly do.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)
    if args[:2] == ["outcomes", "score"]:
        from myotome.cli.outcomes_run import parse_plain
        from myotome.cli.outcomes_run import run as score_run

        plain_score = parse_plain(args[2:])
        if plain_score is not None:
            sys.stdout.flush()
            raise SystemExit(score_run(*plain_score))
    from myotome.cli.commands import app

    app()


def __getattr__(name: str) -> Any:
    if name == "app":  # `from myotome.cli import app`, for tests and embedding
        from myotome.cli.commands import app

        return app
    raise AttributeError(name)

"""``myotome --version``: the installed distribution's version, from its package metadata.

Free of Typer and Rich, so that :func:`myotome.cli.main` answers ``--version`` without building the app.
"""

from __future__ import annotations

import sys


def installed_version() -> str:
    """The version pip installed, e.g. ``0.1.0`` (the metadata, not a constant that could drift from it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("myotome")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return "(not installed: run pip install -e .)"


def print_version(value: bool) -> None:
    """Typer callback for ``--version``: print and stop before any command runs."""
    if value:
        import typer

        sys.stdout.write(f"myotome {installed_version()}\n")
        raise typer.Exit()

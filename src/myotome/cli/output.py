"""The console that command output is printed on.

On a terminal Rich follows the window's width. A pipe or a file has no width: Rich
would assume 80 columns (or take ``COLUMNS``, which GNU readline sets to 80 in the
environment of programs started from Python) and cut long words in narrow table
columns ("interosseo|us"). There the output is laid out 120 columns wide instead,
where every knowledge-base table fits whole words, the same whoever started the command.
"""

from __future__ import annotations

from rich.console import Console

PIPE_WIDTH = 120


def stdout_console() -> Console:
    """A console on standard output, made when printing (tests and callers may swap sys.stdout)."""
    console = Console(highlight=False)
    return console if console.is_terminal else Console(highlight=False, width=PIPE_WIDTH)

"""When the primary measure is due again: at intake, every N sessions, and at discharge (no Django).

    due("active", scored=False, discharge_scored=False, sessions_since=0, every=4)   # 'intake'
    due("active", scored=True, discharge_scored=False, sessions_since=4, every=4)    # 'progress'

So that a case is not lost from outcome reports for want of a baseline or a discharge score
(reference: WebPT counts a case only with both). N is the clinic's setting (default 4).
"""

from __future__ import annotations

from typing import Literal

Due = Literal["intake", "progress", "discharge"]
DEFAULT_EVERY = 4


def due(status: str, *, scored: bool, discharge_scored: bool, sessions_since: int, every: int = DEFAULT_EVERY) -> Due | None:
    """What the episode's primary measure needs next, if anything.

    ``scored``: a valid score exists; ``sessions_since``: signed sessions started after the latest
    valid score was recorded (all of them, if none). An episode on hold is never prompted.
    """
    if status == "on_hold":
        return None
    if not scored:
        return "intake"
    if status == "discharged":
        return None if discharge_scored else "discharge"
    return "progress" if sessions_since >= every else None


def describe(what: Due, measure_name: str, every: int = DEFAULT_EVERY) -> str:
    """The prompt in words, as Today and the patient page show it."""
    if what == "intake":
        return f"an intake score on {measure_name}"
    if what == "discharge":
        return f"a discharge score on {measure_name}, so the episode counts in outcome reports"
    return f"a progress score on {measure_name} ({every} or more sessions since the last)"

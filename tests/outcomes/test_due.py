"""When the primary measure is due: intake, every N sessions, discharge."""

from __future__ import annotations

import pytest

from myotome.outcomes.due import describe, due

# status, a valid score, a discharge score, signed sessions since the last score, N, what is due
RULES = [
    ("active", False, False, 0, 4, "intake"),
    ("active", False, False, 9, 4, "intake"),  # never scored: intake, however many sessions
    ("active", True, False, 3, 4, None),
    ("active", True, False, 4, 4, "progress"),  # the Nth session since the last score
    ("active", True, False, 7, 4, "progress"),
    ("active", True, False, 2, 2, "progress"),  # the clinic's own N
    ("active", True, False, 1, 1, "progress"),
    ("discharged", False, False, 0, 4, "intake"),  # discharged with no baseline: still the baseline it lacks
    ("discharged", True, False, 0, 4, "discharge"),
    ("discharged", True, True, 6, 4, None),  # a discharged episode is not asked for progress scores
    ("on_hold", False, False, 8, 4, None),
    ("on_hold", True, False, 8, 4, None),
]


@pytest.mark.parametrize(("status", "scored", "discharge_scored", "since", "every", "expected"), RULES)
def test_what_is_due(status: str, scored: bool, discharge_scored: bool, since: int, every: int, expected: str | None) -> None:
    assert due(status, scored=scored, discharge_scored=discharge_scored, sessions_since=since, every=every) == expected


@pytest.mark.parametrize(
    ("what", "words"),
    [
        ("intake", "an intake score on NDI"),
        ("progress", "a progress score on NDI (4 or more sessions since the last)"),
        ("discharge", "a discharge score on NDI, so the episode counts in outcome reports"),
    ],
)
def test_the_prompt_in_words(what: str, words: str) -> None:
    assert describe(what, "NDI") == words  # type: ignore[arg-type]

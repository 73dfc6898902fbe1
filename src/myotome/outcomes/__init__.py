"""Outcome measures: definitions as data, scoring by the published rules (no Django here).

from myotome.outcomes import score
score("odi", [3, 2, 1, 2, 1, 2, 1, None, 2, 2]).score  # 35.56 (16 of 45)
"""

from __future__ import annotations

from myotome.outcomes.definitions import Measure, MeasureDataError, load_measures
from myotome.outcomes.scoring import OutcomeInputError, Score, score
from myotome.outcomes.wording import Wording, WordingError, load_wording

__all__ = [
    "Measure",
    "MeasureDataError",
    "OutcomeInputError",
    "Score",
    "Wording",
    "WordingError",
    "load_measures",
    "load_wording",
    "score",
]

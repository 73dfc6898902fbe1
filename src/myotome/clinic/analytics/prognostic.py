"""The prognostic report's features: what each completed episode's first exam found and its sessions did.

    rows = prognostic_rows(facts, kb)   # facts: completed episodes, with treatment features

Features are read from the first saved exam's document (the findings, as ids) and the
engine's top-ranked segment stored with it, and from the per-episode session figures the
database worked out. The statistics are the core's (:mod:`myotome.outcomes.prognosis`);
nothing here or there changes the engine.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from myotome.clinic.analytics.queries import EpisodeFacts
from myotome.clinic.analytics.tables import FEWER, SMALLEST
from myotome.clinic.exams.models import Exam
from myotome.exam import SkinSign
from myotome.kb import KnowledgeBase
from myotome.outcomes.prognosis import Comparison, Episode, compare

SKIN_SIGNS: tuple[str, ...] = SkinSign.__args__  # type: ignore[attr-defined]
REDUCED = ("reduced", "absent")
INCREASED = ("brisk", "positive")
PARASPINAL = "paraspinal at the ranked level"
BAND_3 = "band of severity 3"


@dataclass(frozen=True)
class Feature:
    key: str
    label: str
    kind: str  # "exam" or "treatment"


def exam_features(document: dict[str, Any], segment: str | None, kb: KnowledgeBase) -> set[str]:
    """The exam-sign features of one exam document; ``segment`` is the engine's top-ranked segment."""
    found: set[str] = set()
    at_rank = {level.id for level in kb.levels_for(segment)} if segment else set()
    for finding in document.get("findings", []):
        kind = finding.get("type")
        if kind == "skin":
            found.add(f"skin:{finding.get('sign')}")
        elif kind == "paraspinal" and segment and _at_level(document, str(finding.get("level")), segment, at_rank):
            found.add(PARASPINAL)
        elif kind == "tender_band" and finding.get("severity") == 3:
            found.add(BAND_3)
        elif kind == "reflex":
            change = _reflex_change(kb, str(finding.get("reflex")), str(finding.get("grade")))
            if change:
                found.add(f"reflex:{finding.get('reflex')}:{change}")
    return found


def _reflex_change(kb: KnowledgeBase, reflex_id: str, grade: str) -> str | None:
    """A tendon reflex is reduced (reduced or absent) or increased (brisk); a pathological sign counts only when positive."""
    reflex = kb.reflexes.get(reflex_id)
    if reflex is not None and reflex.pathological:
        return "positive" if grade == "positive" else None
    return "reduced" if grade in REDUCED else "increased" if grade in INCREASED else None


def _at_level(document: dict[str, Any], level: str, segment: str, at_rank: set[str]) -> bool:
    """Format 1.1 names vertebral levels (C5-C6 implicates C6); 1.0 named the root segments themselves."""
    if document.get("format") == "1.1":
        return level in at_rank
    return segment in level.split("-")


def features_of(facts: Sequence[EpisodeFacts], kb: KnowledgeBase) -> tuple[list[Feature], list[Episode]]:
    """Every feature tested, and each episode as the core's :class:`Episode` (MCID reached, features)."""
    usable = [f for f in facts if f.reached is not None]
    documents = dict(Exam.objects.filter(pk__in=[f.first_exam_id for f in usable if f.first_exam_id]).values_list("pk", "document"))
    median_sessions = statistics.median(f.sessions for f in usable) if usable else 0
    many = f"sessions:{median_sessions:g}+"
    episodes, seen = [], set()
    for f in usable:
        found = exam_features(documents.get(f.first_exam_id, {}), f.segment, kb)
        if f.paraspinal_done:
            found.add("treatment:paraspinal")
        if f.grasp:
            found.add("treatment:grasp")
        if usable and f.sessions >= median_sessions:
            found.add(many)
        seen |= found
        episodes.append(Episode(bool(f.reached), frozenset(found)))
    features = [Feature(f"skin:{sign}", f"Skin: {sign.replace('_', ' ')}", "exam") for sign in SKIN_SIGNS]
    features += [
        Feature(PARASPINAL, "Paraspinal tenderness at the top-ranked level", "exam"),
        Feature(BAND_3, "A taut band of severity 3", "exam"),
    ]
    for key in sorted(k for k in seen if k.startswith("reflex:")):
        _, reflex, change = key.split(":")
        name = kb.reflexes[reflex].name if reflex in kb.reflexes else reflex
        features.append(Feature(key, f"{name} {change}", "exam"))
    features += [
        Feature("treatment:paraspinal", "Paraspinal steps done", "treatment"),
        Feature("treatment:grasp", "Grasp obtained", "treatment"),
        Feature(many, f"{median_sessions:g} or more sessions (the median)", "treatment"),
    ]
    return features, episodes


def prognostic_rows(facts: Sequence[EpisodeFacts], kb: KnowledgeBase) -> tuple[list[tuple[Feature, Comparison]], int]:
    """Each feature with its comparison, and the number of episodes compared."""
    features, episodes = features_of(facts, kb)
    return list(zip(features, compare(episodes, [f.key for f in features]), strict=True)), len(episodes)


def cells(c: Comparison) -> dict[str, str]:
    """One comparison as shown: shares with their 95% intervals, small groups as "fewer than 5"."""

    def share(reached: int, n: int, interval: tuple[float, float]) -> str:
        if n < SMALLEST:
            return FEWER
        return f"{100 * reached / n:.0f}% ({reached} of {n}; 95% CI {100 * interval[0]:.0f}–{100 * interval[1]:.0f}%)"

    return {
        "with": share(c.with_reached, c.with_n, c.with_interval),
        "without": share(c.without_reached, c.without_n, c.without_interval),
        "p": "—" if c.p is None else _p(c.p),
        "adjusted": "—" if c.adjusted_p is None else _p(c.adjusted_p),
    }


def _p(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"

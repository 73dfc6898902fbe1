"""The practice analytics tables: episodes grouped by condition, practitioner or segment, with their figures.

    tables = practice_tables(episode_facts(clinic), kb)
    tables[0].rows[0].cells()   # the figures of one group, as shown (small groups as "fewer than 5")

Medians and shares are taken here from the per-episode rows the database worked out
(:mod:`myotome.clinic.analytics.queries`). Any figure whose denominator is fewer than
:data:`SMALLEST` episodes is shown as "fewer than 5", never as a number: such a share is
too unstable to read, and a cell that small can point at one patient.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from myotome.clinic.analytics.queries import EpisodeFacts
from myotome.exam import SPINAL_ORDER
from myotome.kb import KnowledgeBase

SMALLEST = 5
FEWER = f"fewer than {SMALLEST}"
NO_EXAM = "No saved exam"
NO_CONDITION = "No condition recorded"
MIX_SHOWN = 4  # conditions named in a practitioner's condition mix; the rest are counted


@dataclass(frozen=True)
class Figures:
    """One group's figures, as numbers (None where there is nothing to show)."""

    episodes: int
    completed: int
    assessable: int  # completed, on a measure with an established MCID
    reached: int
    sessions_to_mcid: float | None
    improvement: float | None  # median, as a percentage of the measure's range
    discharged: int
    dropped_out: int
    sessions: int
    ae_mild: int
    ae_significant: int
    ae_serious: int

    def per_100(self, events: int) -> float | None:
        return 100 * events / self.sessions if self.sessions else None


def figures(facts: Sequence[EpisodeFacts]) -> Figures:
    completed = [f for f in facts if f.completed]
    assessable = [f for f in completed if f.reached is not None]
    reached = [f for f in assessable if f.reached]
    improvements = [f.improvement_share for f in completed if f.improvement_share is not None]
    return Figures(
        episodes=len(facts),
        completed=len(completed),
        assessable=len(assessable),
        reached=len(reached),
        sessions_to_mcid=statistics.median(f.sessions_to_mcid for f in reached) if reached else None,
        improvement=100 * statistics.median(improvements) if improvements else None,
        discharged=sum(f.discharged for f in facts),
        dropped_out=sum(f.dropped_out for f in facts),
        sessions=sum(f.sessions for f in facts),
        ae_mild=sum(f.ae_mild for f in facts),
        ae_significant=sum(f.ae_significant for f in facts),
        ae_serious=sum(f.ae_serious for f in facts),
    )


def _share(part: int, whole: int) -> str:
    if whole < SMALLEST:
        return FEWER
    return f"{100 * part / whole:.0f}% ({part} of {whole})"


def _number(value: float | None, whole: int, fmt: str = "{:g}") -> str:
    if whole < SMALLEST:
        return FEWER
    return "—" if value is None else fmt.format(value)


@dataclass(frozen=True)
class Row:
    label: str
    figures: Figures
    mix: tuple[tuple[str, int], ...] = ()  # the condition mix, most frequent first

    def cells(self) -> dict[str, str]:
        """The figures as shown: the small-cell rule applied to each by its own denominator."""
        f = self.figures
        return {
            "episodes": FEWER if f.episodes < SMALLEST else str(f.episodes),
            "completed": FEWER if f.completed < SMALLEST else str(f.completed),
            "reached": _share(f.reached, f.assessable),
            "sessions_to_mcid": _number(f.sessions_to_mcid, f.reached),
            "improvement": _number(f.improvement, f.completed, "{:.0f}% of scale"),
            "dropped_out": _share(f.dropped_out, f.discharged),
            "ae_mild": _number(f.per_100(f.ae_mild), f.episodes, "{:.1f}"),
            "ae_significant": _number(f.per_100(f.ae_significant), f.episodes, "{:.1f}"),
            "ae_serious": _number(f.per_100(f.ae_serious), f.episodes, "{:.1f}"),
            "sessions": FEWER if f.episodes < SMALLEST else str(f.sessions),
        }

    def mix_text(self) -> str:
        named = [f"{label} {count}" for label, count in self.mix[:MIX_SHOWN]]
        rest = sum(count for _, count in self.mix[MIX_SHOWN:])
        if rest:
            named.append(f"{rest} in {len(self.mix) - MIX_SHOWN} other conditions")
        return "; ".join(named)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)


def _by_name(label: str) -> tuple[int, str]:
    return 0, label.casefold()


def _spinal(label: str) -> tuple[int, str]:
    """Segments head to tail (C1 ... S5), then anything else."""
    return (SPINAL_ORDER.index(label), "") if label in SPINAL_ORDER else (len(SPINAL_ORDER), label.casefold())


def _grouped(
    facts: Iterable[EpisodeFacts],
    key: Callable[[EpisodeFacts], str],
    condition_name: Callable[[str], str],
    mix: bool = False,
    order: Callable[[str], tuple[int, str]] = _by_name,
) -> list[Row]:
    groups: dict[str, list[EpisodeFacts]] = {}
    for f in facts:
        groups.setdefault(key(f), []).append(f)
    rows = []
    for label in sorted(groups, key=order):  # by name or segment: never ranked by results
        members = groups[label]
        counts = Counter(condition_name(f.condition) for f in members).most_common() if mix else []
        rows.append(Row(label, figures(members), tuple(counts)))
    return rows


def practice_tables(facts: Sequence[EpisodeFacts], kb: KnowledgeBase) -> tuple[Row, list[Table]]:
    """The whole practice's row, and the tables by condition, practitioner and segment treated."""

    def condition_name(condition_id: str) -> str:
        if not condition_id:
            return NO_CONDITION
        found = kb.conditions.get(condition_id)
        return found.name if found else condition_id

    return Row("All episodes", figures(facts)), [
        Table("condition", "By condition", _grouped(facts, lambda f: condition_name(f.condition), condition_name)),
        Table("practitioner", "By practitioner", _grouped(facts, lambda f: f.clinician, condition_name, mix=True)),
        Table("segment", "By segment treated", _grouped(facts, lambda f: f.segment or NO_EXAM, condition_name, order=_spinal)),
    ]

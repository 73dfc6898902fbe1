"""The rules around a needling session, on plain data (no Django): may it start, and how it bills.

ready = readiness(Practice("7", credentialed=True), consents, SessionFacts(...))
ready.blockers        # [] when the session may start; else what stands in the way, in words

Sources (see docs/sessions.md): consent is specific to the intervention and the practitioner,
and consent signed at intake before the assessment is not valid (CPTA "Consent in practice");
consent is ongoing and reaffirmed when the plan, the condition or the information changes
(Physiotherapy Alberta consent standard; UK physio consent guidance). CPT 20560/20561 count
muscles, not needles (APTA 2020 coding update; medpayiq.com/cpt/20561).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

#: Tissue resistance felt through the needle, 0-10, and what its ends read. IMS describes a
#: banded muscle gripping the needle like a "rubber eraser" and, as it releases, resistance
#: falling to "soft butter" (Gunn's clinical model, docs/sessions.md): the scale counts
#: resistance, so the hard end is the high one. One wording for the page, the PDF and the docs.
RESISTANCE_HARD = (10, "rubber eraser")
RESISTANCE_SOFT = (0, "soft butter")
RESISTANCE_SCALE = (
    f'resistance 0–10: {RESISTANCE_HARD[0]} = "{RESISTANCE_HARD[1]}" (hard, gripping), '
    f'{RESISTANCE_SOFT[0]} = "{RESISTANCE_SOFT[1]}" (released)'
)

#: CPT codes for needle insertion without injection, by distinct muscles (in effect from 1 Jan 2020).
CPT_ONE_OR_TWO = "20560"
CPT_THREE_OR_MORE = "20561"


@dataclass(frozen=True, slots=True)
class ConsentOnFile:
    """A consent to needling not withdrawn: when it was given and by whom it was taken."""

    given_on: date
    taken_by: str  # a user id
    taken_by_name: str


@dataclass(frozen=True, slots=True)
class NewPrecaution:
    name: str
    recorded_on: date


@dataclass(frozen=True, slots=True)
class SessionFacts:
    """What the start panel weighs, gathered by the caller."""

    first_assessed_on: date  # the patient's first saved exam: consent before it was taken at intake
    exam_on: date  # the exam whose plan the session follows
    episode_started_on: date
    episode_regions: str
    cleared: bool  # the exam's red-flag screen lets a session start
    thoracic_planned: bool
    thoracic_needled_since: date | None  # the latest thoracic insertion, if any
    precautions: Sequence[NewPrecaution] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Practice:
    user: str  # a user id
    credentialed: bool


@dataclass(frozen=True, slots=True)
class Readiness:
    consent: ConsentOnFile | None
    triggers: tuple[str, ...]  # re-consent triggers since that consent
    blockers: tuple[str, ...]  # everything that stops the session starting (triggers included)

    @property
    def ready(self) -> bool:
        return not self.blockers


def valid_consent(consents: Iterable[ConsentOnFile], practitioner: str, first_assessed_on: date) -> ConsentOnFile | None:
    """The latest consent taken by this practitioner on or after the first assessment, or None."""
    mine = [c for c in consents if c.taken_by == practitioner and c.given_on >= first_assessed_on]
    return max(mine, key=lambda c: c.given_on, default=None)


def reconsent_triggers(consent: ConsentOnFile, facts: SessionFacts) -> list[str]:
    """What changed since ``consent`` that calls for consent to be reaffirmed."""
    given = consent.given_on
    triggers = []
    if facts.episode_started_on > given:
        triggers.append(
            f"New region: this episode ({facts.episode_regions}) began on {facts.episode_started_on:%d %b %Y}, after the consent."
        )
    thorax_since = facts.thoracic_needled_since is not None and facts.thoracic_needled_since >= given
    if facts.thoracic_planned and not thorax_since and facts.exam_on > given:
        triggers.append(
            "New region, the thorax: the plan needles over the chest wall (pneumothorax risk) and no thoracic needling followed the consent."
        )
    for p in facts.precautions:
        if p.recorded_on > given:
            triggers.append(f"New precaution since the consent: {p.name} (recorded {p.recorded_on:%d %b %Y}).")
    return triggers


def readiness(practice: Practice, consents: Sequence[ConsentOnFile], facts: SessionFacts) -> Readiness:
    """May ``practice`` start a session now, and if not, why not (every reason, in words)."""
    blockers = []
    if not practice.credentialed:
        blockers.append("You have no needling credential in this clinic: a clinic admin records your profession and registration first.")
    if not facts.cleared:
        blockers.append("The exam's red flags are not cleared: no session can start from it.")
    consent = valid_consent(consents, practice.user, facts.first_assessed_on)
    triggers: list[str] = []
    if consent is None:
        others = [c for c in consents if c.taken_by != practice.user]
        early = [c for c in consents if c.taken_by == practice.user and c.given_on < facts.first_assessed_on]
        if others:
            names = ", ".join(sorted({c.taken_by_name for c in others}))
            triggers.append(f"New practitioner: consent on file was taken by {names}; consent is specific to the practitioner who needles.")
        if early:
            blockers.append(
                f"Your consent of {early[0].given_on:%d %b %Y} predates the first assessment ({facts.first_assessed_on:%d %b %Y}): "
                "consent taken at intake, before assessment, is not valid."
            )
        blockers.append("No valid consent to needling by you is on file: record it after explaining the plan and its risks.")
    else:
        triggers = reconsent_triggers(consent, facts)
    return Readiness(consent, tuple(triggers), (*blockers, *triggers))


def distinct_muscles(needled: Iterable[tuple[str, str]], *, count_sides: bool = False) -> int:
    """How many muscles count toward the code: by default left and right of one muscle count once."""
    return len({(muscle, side) if count_sides else muscle for muscle, side in needled})


def cpt_code(muscles: int) -> str | None:
    """CPT 20560 for 1-2 muscles, 20561 for 3 or more, None when nothing was needled."""
    if muscles <= 0:
        return None
    return CPT_ONE_OR_TWO if muscles <= 2 else CPT_THREE_OR_MORE

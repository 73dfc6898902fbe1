"""The patient handout: why we treat the spine for a pain further away, what the needle
feels like, what to expect and do at home, and when to get help. Plain words, our own,
aimed at a reading age of about 12 (tests/documents measure the Flesch-Kincaid grade).

    doc = handout(HandoutFacts(pain_areas=("elbow",), segments=("C6",), muscles=("Supinator",)))
    print(doc.text())

The breathing and chest-pain advice appears only when a muscle over the chest wall (a lung
zone) was needled or is planned: reference file (b), symptoms can start hours later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from myotome.documents.model import Block, Bullets, Document, Notice, Paragraph, Section

# Where the nerves of each part of the spine come out, in words a patient uses.
SPINE_PART = {"C": "neck", "T": "upper back", "L": "lower back", "S": "lower back"}


@dataclass(frozen=True, slots=True)
class HandoutFacts:
    pain_areas: tuple[str, ...]  # plain words: "outside of the elbow"
    segments: tuple[str, ...]  # ranked: "C6", "L4"
    muscles: tuple[str, ...]  # display names, in the order treated
    thoracic: bool = False  # a lung-zone muscle needled (or planned, before a session)
    needled: bool = True  # False: the plan's muscles, before the first session
    clinic: str = ""


def spine_parts(segments: Sequence[str]) -> list[str]:
    """'neck', 'lower back'... for segment ids, in order, each once."""
    out: list[str] = []
    for s in segments:
        part = SPINE_PART.get(s[:1].upper())
        if part and part not in out:
            out.append(part)
    return out


def _join(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _why(facts: HandoutFacts) -> Section:
    parts = spine_parts(facts.segments) or ["spine"]
    where = _join([a.lower() for a in facts.pain_areas]) or "the painful area"
    levels = _join(list(facts.segments))
    blocks: list[Block] = [
        Paragraph(f"You came to us with pain in your {where}."),
        Paragraph(
            "Pain that lasts a long time often starts with a nerve that is pinched or worn where it leaves the spine. "
            "The nerve then makes its muscles tight and sore, even far from the spine."
        ),
    ]
    if levels:
        blocks.append(
            Paragraph(
                f"Your tests point to the nerve at {levels}, in your {_join(parts)}. "
                f"That is why we treat your {_join(parts)} first, and then the muscles out to your {where}."
            )
        )
    return Section("Why we treat your " + _join(parts), tuple(blocks))


def _muscles(facts: HandoutFacts) -> Section:
    lead = "Today we treated these muscles, in this order:" if facts.needled else "We plan to treat these muscles, in this order:"
    items = tuple(m[:1].upper() + m[1:] for m in facts.muscles) or ("No muscles yet.",)
    return Section("The muscles we treat", (Paragraph(lead), Bullets(items)))


GRASP = Section(
    "What you feel during treatment",
    (
        Paragraph("A thin needle goes into a tight muscle for a few seconds, then comes out."),
        Paragraph(
            "A tight muscle may grab the needle and cramp for a few seconds. We call this the grasp. "
            "It can feel like a deep ache or a cramp. It is a good sign: the muscle lets go and gets softer."
        ),
        Paragraph("A healthy muscle feels almost nothing."),
    ),
)

AFTER = Section(
    "After treatment",
    (
        Paragraph("The muscles may feel sore or bruised for one to three days. This is normal and goes away."),
        Paragraph("Some people feel tired or a little dizzy for a short time. Sit down and rest until it passes."),
    ),
)

HOME = Section(
    "What to do at home",
    (
        Bullets(
            (
                "Keep moving. Walk and do your usual things, but go easy on hard exercise for a day.",
                "Do the stretches and exercises we showed you.",
                "Use heat or a warm shower on sore muscles.",
                "Drink water.",
                "Keep track of your pain so you can tell us how it went next time.",
            )
        ),
    ),
)


def _help(facts: HandoutFacts) -> Section:
    call = f"Call {facts.clinic}" if facts.clinic else "Call the clinic"
    blocks: list[Block] = [
        Paragraph(f"{call} if:"),
        Bullets(
            (
                "the soreness is worse after three days, or",
                "a bruise keeps growing, or",
                "you see redness, heat or pus where a needle went in, or",
                "you have new numbness or weakness.",
            )
        ),
    ]
    if facts.thoracic:
        blocks.append(
            Notice(
                "We put needles in muscles over your chest wall. Very rarely, a needle there can let air leak around a lung. "
                "Go to the emergency room or call for an ambulance at once if you get short of breath, fast breathing, "
                "chest pain, a dry cough, or blue lips. This can start hours later or the next day. Tell them you had needles in your chest wall."
            )
        )
    blocks.append(Paragraph("Call for an ambulance if you faint, or if you feel very unwell."))
    return Section("When to get help", tuple(blocks))


def handout(facts: HandoutFacts) -> Document:
    """The handout for one patient's plan or session.

    doc = handout(HandoutFacts(("lower back", "leg"), ("L5",), ("Lumbar multifidus", "Gluteus medius")))
    doc.text()
    """
    return Document(
        kind="handout",
        title="Your IMS treatment",
        subtitle="What we did, why, and what to do next" if facts.needled else "What we plan, why, and what to do after each visit",
        sections=(_why(facts), _muscles(facts), GRASP, AFTER, HOME, _help(facts)),
        footer="Keep this sheet. Bring it to your next visit.",
    )

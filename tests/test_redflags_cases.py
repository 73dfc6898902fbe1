"""Issue 8, section 2: red flags come before any plan, as a table of clinical cases.

The table below is the red-flag screen's specification, written and frozen (commit ccb1f4b)
before any rule was coded on this branch: small format 1.1 (and two 1.0) documents a
physiotherapist can review, each with the flags it must raise (code, action, the findings
behind it, numbered from 1) and whether a plan may follow. The classic benign cases must raise
nothing. Since frozen, only the codes were renamed to the merged table's
(spinal_infection_fever, spinal_infection_iv_drug_use, chest_pain_unscreened) and the calls
adapted to engine.Result (tests/test_redflags.py holds the lead's own table).

Actions: ``refer_urgently`` (never unlocked: no plan, whatever is acknowledged), ``refer`` and
``screen_first`` (no plan until the clinician lists the code in ``acknowledged_red_flags``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from myotome import engine
from myotome.kb import KnowledgeBase


def F(kind: str, side: str = "right", **fields: Any) -> dict[str, Any]:
    """One finding."""
    return {"type": kind, "side": side, **fields}


def doc(*findings: dict[str, Any], regions: tuple[str, ...] = ("low back",), side: str = "right", **fields: Any) -> dict[str, Any]:
    """A format 1.1 document; ``fields`` adds top-level fields (history, sphincter, cardiac_screen...)."""
    patient = fields.pop("patient", {"age": 45})
    return {
        "format": "1.1",
        "patient": patient,
        "complaint": {"regions": list(regions), "side": side},
        "findings": list(findings),
        **fields,
    }


@dataclass(frozen=True)
class Case:
    name: str
    document: dict[str, Any]
    flags: tuple[tuple[str, str, tuple[int, ...]], ...] = ()  # (code, action, findings)
    plan: bool = True  # whether a plan (with steps) may be produced
    why: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


# Findings that point to a segment, so that a case that may plan does plan.
L5 = (F("paraspinal", "right", level="L4-L5", sign="thickened"), F("tender_band", "right", muscle="gluteus medius", severity=3))
C6 = (F("paraspinal", "right", level="C5-C6", sign="thickened"), F("tender_band", "right", muscle="ECRB", severity=3))

CASES = [
    # -- cauda equina: refer urgently, and no plan whatever is acknowledged --------------------------
    Case(
        "bilateral saddle numbness and a dense foot drop (the issue's case)",
        doc(
            F("sensory", "bilateral", region="saddle area", change="reduced"),
            F("weakness", "left", movement="ankle dorsiflexion", grade=1),
            *L5,
            side="bilateral",
            acknowledged_red_flags=["cauda_equina", "marked_motor_deficit"],
        ),
        (("cauda_equina", "refer_urgently", (1,)), ("marked_motor_deficit", "refer", (2,))),
        plan=False,
        why="acknowledging cauda equina does not unlock a plan",
    ),
    Case(
        "numbness around the anus on one side",
        doc(F("sensory", "left", region="perianal", change="altered"), *L5),
        (("cauda_equina", "refer_urgently", (1,)),),
        plan=False,
    ),
    Case(
        "new bladder or bowel dysfunction with back pain, no abnormal finding",
        doc(*L5, sphincter="yes"),
        (("cauda_equina", "refer_urgently", ()),),
        plan=False,
    ),
    Case(
        "reduced sensation over both lateral feet",
        doc(
            F("sensory", "left", region="lateral foot", change="reduced"),
            F("sensory", "right", region="lateral foot", change="reduced"),
            *L5,
        ),
        (("cauda_equina", "refer_urgently", (1, 2)),),
        plan=False,
    ),
    Case(
        "mild weakness of both big-toe extensors (one bilateral finding)",
        doc(F("weakness", "bilateral", movement="great toe extension", grade=4), *L5),
        (("cauda_equina", "refer_urgently", (1,)),),
        plan=False,
        why="bilateral leg deficit; MRC 4 is not marked, so no motor-deficit flag",
    ),
    Case(
        "weak calf on the left, numb shin on the right",
        doc(F("weakness", "left", movement="ankle plantarflexion", grade=4), F("sensory", "right", region="shin", change="reduced"), *L5),
        (("cauda_equina", "refer_urgently", (1, 2)),),
        plan=False,
        why="a motor deficit in one leg and a sensory deficit in the other are bilateral leg signs",
    ),
    Case(
        "weak hip flexion on both sides (iliopsoas moves the leg though the KB files it as axial)",
        doc(F("weakness", "left", movement="hip flexion", grade=4), F("weakness", "right", movement="hip flexion"), *L5),
        (("cauda_equina", "refer_urgently", (1, 2)),),
        plan=False,
    ),
    # -- marked motor deficit: refer; a plan once acknowledged ---------------------------------------
    Case(
        "foot drop, MRC 3",
        doc(F("weakness", "right", movement="ankle dorsiflexion", grade=3), *L5),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "foot drop, MRC 2, acknowledged after referral",
        doc(F("weakness", "right", muscle="tibialis anterior", grade=2), *L5, acknowledged_red_flags=["marked_motor_deficit"]),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=True,
    ),
    Case(
        "wrist drop, MRC 1",
        doc(F("weakness", "right", movement="wrist extension", grade=1), *C6, regions=("lateral elbow",)),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "elbow flexion MRC 3 (C5 key muscle)",
        doc(F("weakness", "right", movement="elbow flexion", grade=3), *C6, regions=("lateral arm",)),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "finger abduction MRC 3 (T1 key muscle)",
        doc(F("weakness", "right", movement="finger abduction", grade=3), *C6, regions=("little finger",)),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "quadriceps MRC 2, named as a group (L3 key muscle)",
        doc(F("weakness", "right", muscle="quadriceps", grade=2), *L5, regions=("anterior knee",)),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "soleus MRC 0 (S1 key muscle)",
        doc(F("weakness", "right", muscle="soleus", grade=0), *L5, regions=("calf",)),
        (("marked_motor_deficit", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "ankle dorsiflexion MRC 4",
        doc(F("weakness", "right", movement="ankle dorsiflexion", grade=4), *L5),
        plan=True,
        why="MRC 4 is weakness, not a marked deficit",
    ),
    Case(
        "weak dorsiflexion without a grade",
        doc(F("weakness", "right", movement="ankle dorsiflexion"), *L5),
        plan=True,
        why="without a grade the screen cannot call it marked: grade it (docs say so)",
    ),
    # -- upper motor neurone: refer; brisk reflexes alone are not a flag -----------------------------
    Case(
        "positive Hoffmann",
        doc(F("reflex", "right", reflex="Hoffmann", grade="positive"), *C6, regions=("neck",)),
        (("upper_motor_neurone", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "extensor plantar response (Babinski)",
        doc(F("reflex", "left", reflex="Babinski", grade="positive"), *L5),
        (("upper_motor_neurone", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "ankle clonus",
        doc(F("reflex", "right", reflex="clonus", grade="positive"), *L5),
        (("upper_motor_neurone", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "brisk biceps with a positive Hoffmann on the same side",
        doc(
            F("reflex", "right", reflex="biceps", grade="brisk"),
            F("reflex", "right", reflex="Hoffmann", grade="positive"),
            *C6,
            regions=("neck",),
        ),
        (("upper_motor_neurone", "refer", (1, 2)),),
        plan=False,
    ),
    Case(
        "brisk knee jerks on both sides (one bilateral finding)",
        doc(F("reflex", "bilateral", reflex="patellar", grade="brisk"), *L5),
        (("upper_motor_neurone", "refer", (1,)),),
        plan=False,
    ),
    Case(
        "brisk biceps left and right",
        doc(
            F("reflex", "left", reflex="biceps", grade="brisk"),
            F("reflex", "right", reflex="biceps", grade="brisk"),
            *C6,
            regions=("neck",),
        ),
        (("upper_motor_neurone", "refer", (1, 2)),),
        plan=False,
    ),
    Case(
        "brisk triceps and brisk knee jerk on one side (arm and leg)",
        doc(
            F("reflex", "right", reflex="triceps", grade="brisk"),
            F("reflex", "right", reflex="patellar", grade="brisk"),
            *C6,
            regions=("neck",),
        ),
        (("upper_motor_neurone", "refer", (1, 2)),),
        plan=False,
    ),
    Case(
        "positive Hoffmann, acknowledged after referral",
        doc(
            F("reflex", "right", reflex="Hoffmann", grade="positive"),
            *C6,
            regions=("neck",),
            acknowledged_red_flags=["upper_motor_neurone"],
        ),
        (("upper_motor_neurone", "refer", (1,)),),
        plan=True,
    ),
    Case(
        "a format 1.0 document with a Hoffmann graded brisk",
        {
            "complaint": {"regions": ["neck"], "side": "right"},
            "findings": [F("reflex", "right", reflex="Hoffmann", grade="brisk"), *C6],
        },
        (("upper_motor_neurone", "refer", (1,)),),
        plan=False,
        why="format 1.0 has no positive/negative grades; its findings are screened all the same",
    ),
    # -- chest or upper-abdominal pain: screen first ----------------------------------------------
    Case(
        "chest pain, no cardiac screen recorded",
        doc(F("tender_band", "right", muscle="pectoralis major", severity=2), regions=("chest",)),
        (("chest_pain_unscreened", "screen_first", ()),),
        plan=False,
    ),
    Case(
        "epigastric pain, cardiac screen not done",
        doc(*L5, regions=("epigastrium",), cardiac_screen="not_done"),
        (("chest_pain_unscreened", "screen_first", ()),),
        plan=False,
    ),
    Case(
        "rib pain at the side of the chest, screening acknowledged instead of recorded",
        doc(*L5, regions=("ribs",), acknowledged_red_flags=["chest_pain_unscreened"]),
        (("chest_pain_unscreened", "screen_first", ()),),
        plan=True,
    ),
    Case(
        "a format 1.0 chest complaint",
        {"complaint": {"regions": ["upper chest"], "side": "left"}, "findings": [*C6]},
        (("chest_pain_unscreened", "screen_first", ()),),
        plan=False,
        why="format 1.0 cannot record a cardiac screen: write the document in 1.1",
    ),
    # -- history ---------------------------------------------------------------------------------
    Case(
        "fever with low back pain",
        doc(*L5, history=["fever"]),
        (("spinal_infection_fever", "refer_urgently", ()),),
        plan=False,
    ),
    Case(
        "fever with back pain, acknowledged",
        doc(*L5, history=["fever"], acknowledged_red_flags=["spinal_infection_fever"]),
        (("spinal_infection_fever", "refer_urgently", ()),),
        plan=False,
        why="an urgent referral is never unlocked",
    ),
    Case(
        "fever with tennis elbow",
        doc(*C6, regions=("lateral elbow",), history=["fever"]),
        (("fever", "refer", ()),),
        plan=False,
    ),
    Case(
        "IV drug use with neck pain",
        doc(*C6, regions=("neck",), history=["iv_drug_use"]),
        (("spinal_infection_iv_drug_use", "refer_urgently", ()),),
        plan=False,
    ),
    Case(
        "IV drug use with knee pain",
        doc(*L5, regions=("knee",), history=["iv_drug_use"]),
        (("iv_drug_use", "screen_first", ()),),
        plan=False,
    ),
    Case(
        "history of cancer with shoulder pain",
        doc(*C6, regions=("shoulder",), history=["cancer_history"]),
        (("cancer_history", "refer", ()),),
        plan=False,
    ),
    Case(
        "unexplained weight loss and night pain with low back pain",
        doc(*L5, history=["unexplained_weight_loss", "night_pain"]),
        (("unexplained_weight_loss", "refer", ()), ("night_pain", "refer", ())),
        plan=False,
    ),
    Case(
        "night pain, acknowledged; weight loss not",
        doc(*L5, history=["unexplained_weight_loss", "night_pain"], acknowledged_red_flags=["night_pain"]),
        (("unexplained_weight_loss", "refer", ()), ("night_pain", "refer", ())),
        plan=False,
        why="every flag that blocks must be acknowledged",
    ),
    Case(
        "immunosuppression",
        doc(*C6, regions=("lateral elbow",), history=["immunosuppression"]),
        (("immunosuppression", "refer", ()),),
        plan=False,
    ),
    Case(
        "recent major trauma",
        doc(*C6, regions=("neck",), history=["major_trauma"]),
        (("major_trauma", "screen_first", ()),),
        plan=False,
    ),
    Case(
        "new onset over 50, screened and acknowledged",
        doc(*L5, patient={"age": 63}, history=["new_onset_over_50"], acknowledged_red_flags=["new_onset_over_50"]),
        (("new_onset_over_50", "screen_first", ()),),
        plan=True,
    ),
    # -- the classic benign cases: nothing --------------------------------------------------------
    Case(
        "tennis elbow",
        doc(
            F("tender_band", "right", muscle="ECRB", severity=3),
            F("paraspinal", "right", level="C5-C6"),
            F("reflex", "right", reflex="brachioradialis", grade="reduced"),
            F("sensory", "right", region="thumb", change="reduced"),
            regions=("lateral elbow",),
            sphincter="no",
        ),
        tags=("benign",),
    ),
    Case(
        "mechanical low back pain",
        doc(
            F("paraspinal", "bilateral", level="L4-L5", sign="thickened"),
            F("tender_band", "bilateral", muscle="quadratus lumborum", severity=2),
            F("rom", "right", movement="lumbar flexion", value=40),
            regions=("low back",),
            side="midline",
            sphincter="no",
        ),
        tags=("benign",),
    ),
    Case(
        "one-sided sciatica: numb lateral foot, weak big toe (MRC 4), reduced ankle jerk",
        doc(
            F("sensory", "left", region="lateral foot", change="reduced"),
            F("weakness", "left", movement="great toe extension", grade=4),
            F("reflex", "left", reflex="achilles", grade="reduced"),
            F("paraspinal", "left", level="L5-S1"),
            regions=("low back", "posterior thigh"),
            side="left",
            sphincter="no",
        ),
        tags=("benign",),
    ),
    Case("a brisk reflex alone", doc(F("reflex", "right", reflex="biceps", grade="brisk"), *C6, regions=("neck",)), tags=("benign",)),
    Case("a negative Hoffmann", doc(F("reflex", "right", reflex="Hoffmann", grade="negative"), *C6, regions=("neck",)), tags=("benign",)),
    Case("a negative Babinski", doc(F("reflex", "bilateral", reflex="Babinski", grade="negative"), *L5), tags=("benign",)),
    Case("no clonus", doc(F("reflex", "bilateral", reflex="clonus", grade="negative"), *L5), tags=("benign",)),
    Case("a brisk jaw jerk alone", doc(F("reflex", "right", reflex="jaw jerk", grade="brisk"), *C6, regions=("jaw",)), tags=("benign",)),
    Case(
        "chest wall pain with the cardiac screen done",
        doc(F("tender_band", "left", muscle="pectoralis major", severity=2), *C6, regions=("chest",), side="left", cardiac_screen="done"),
        tags=("benign",),
    ),
    Case(
        "thoracic back pain between the shoulder blades",
        doc(
            F("paraspinal", "right", level="T4-T5"),
            F("tender_band", "right", muscle="rhomboid major", severity=2),
            regions=("interscapular",),
        ),
        tags=("benign",),
        why="not a chest complaint: no cardiac screen is asked for",
    ),
    Case(
        "occipital headache with suboccipital and semispinalis bands",
        doc(
            F("tender_band", "bilateral", muscle="suboccipitals", severity=3),
            F("tender_band", "bilateral", muscle="semispinalis capitis", severity=3),
            F("paraspinal", "bilateral", level="C1-C2"),
            regions=("occiput",),
            side="bilateral",
        ),
        tags=("benign",),
    ),
    Case(
        "carpal tunnel in both hands",
        doc(
            F("sensory", "left", region="index finger", change="reduced"),
            F("sensory", "right", region="index finger", change="reduced"),
            F("tender_band", "bilateral", muscle="pronator teres", severity=2),
            F("paraspinal", "bilateral", level="C6-C7"),
            regions=("palm",),
            side="bilateral",
        ),
        tags=("benign",),
        why="bilateral hand signs are not bilateral leg signs",
    ),
    Case(
        "knee osteoarthritis at 71 with no history flags",
        doc(
            F("tender_band", "right", muscle="vastus medialis", severity=2),
            F("paraspinal", "right", level="L3-L4"),
            regions=("medial knee",),
            patient={"age": 71},
            sphincter="no",
            cardiac_screen="done",
        ),
        tags=("benign",),
    ),
    Case(
        "plantar heel pain with calf bands",
        doc(F("tender_band", "right", muscle="calf", severity=3), F("paraspinal", "right", level="L5-S1"), regions=("plantar heel",)),
        tags=("benign",),
    ),
    Case(
        "normal saddle sensation and no sphincter change",
        doc(F("sensory", "bilateral", region="saddle area", change="normal"), *L5, sphincter="no"),
        tags=("benign",),
    ),
    Case(
        "a format 1.0 tennis elbow",
        {"complaint": {"regions": ["lateral elbow"], "side": "right"}, "findings": [*C6]},
        tags=("benign",),
    ),
]

URGENCY = {"refer_urgently": 0, "refer": 1, "screen_first": 2}


def _assess(kb: KnowledgeBase, document: dict[str, Any]) -> engine.Result:
    return engine.assess(document, kb)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_raises_exactly_its_red_flags(kb: KnowledgeBase, case: Case) -> None:
    result = _assess(kb, case.document)
    got = {(f.code, f.action, f.findings) for f in result.screen.flags}
    assert got == set(case.flags)
    assert not result.localization.unresolved, "a case must name only what the KB knows"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_plan_follows_only_when_the_flags_allow_it(kb: KnowledgeBase, case: Case) -> None:
    result = _assess(kb, case.document)
    assert result.cleared is case.plan
    assert bool(result.plan.steps) is case.plan
    if not case.plan:
        assert result.to_json()["plan"]["blocked"]


@pytest.mark.parametrize("case", [c for c in CASES if len(c.flags) > 1], ids=[c.name for c in CASES if len(c.flags) > 1])
def test_the_most_urgent_flag_comes_first(kb: KnowledgeBase, case: Case) -> None:
    actions = [URGENCY[f.action] for f in _assess(kb, case.document).screen.flags]
    assert actions == sorted(actions)


def test_the_table_covers_every_action_and_the_benign_classics() -> None:
    assert {action for case in CASES for _, action, _ in case.flags} == set(URGENCY)
    assert len([c for c in CASES if "benign" in c.tags]) >= 10

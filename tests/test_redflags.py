"""Red flags, as a table of clinical cases a physiotherapist can review.

Each case is a small format 1.1 document and the flags it must raise (code and action),
or none. The benign cases are the classic presentations IMS treats every day: nothing
in them may raise a flag. Sources for each rule are in kb/data/red_flags.yaml.
"""

from __future__ import annotations

from typing import Any

import pytest

from myotome import engine
from myotome.exam import parse_assessment
from myotome.kb import KnowledgeBase
from myotome.redflags import screen


def case(regions: list[str], *findings: dict[str, Any], side: str = "right", **top: Any) -> dict[str, Any]:
    return {"format": "1.1", "complaint": {"regions": regions, "side": side}, "findings": list(findings), **top}


def band(muscle: str, side: str = "right", severity: int = 2) -> dict[str, Any]:
    return {"type": "tender_band", "muscle": muscle, "side": side, "severity": severity}


def sensory(region: str, change: str = "reduced", side: str = "right") -> dict[str, Any]:
    return {"type": "sensory", "region": region, "change": change, "side": side}


def weak(side: str = "right", grade: int | None = None, **target: str) -> dict[str, Any]:
    return {"type": "weakness", "side": side, **target, **({"grade": grade} if grade is not None else {})}


def reflex(name: str, grade: str, side: str = "right") -> dict[str, Any]:
    return {"type": "reflex", "reflex": name, "grade": grade, "side": side}


def paraspinal(level: str, side: str = "right") -> dict[str, Any]:
    return {"type": "paraspinal", "level": level, "side": side}


BENIGN = [
    # The everyday IMS caseload: none of these may raise a flag.
    ("tennis elbow", case(["lateral elbow"], band("ECRB", severity=3), paraspinal("C5-C6"), reflex("brachioradialis", "reduced"))),
    (
        "mechanical low back pain",
        case(["low back"], band("quadratus lumborum", "bilateral"), paraspinal("L4-L5", "bilateral"), side="midline"),
    ),
    ("L5 radiculopathy on one side", case(["lateral leg"], sensory("lateral leg"), weak(movement="great toe extension", grade=4))),
    ("a brisk reflex alone", case(["neck"], reflex("biceps", "brisk"), side="left")),
    ("a negative Hoffmann", case(["neck"], reflex("Hoffmann", "negative"))),
    ("a negative Babinski and no clonus", case(["low back"], reflex("Babinski", "negative"), reflex("ankle clonus", "negative"))),
    ("chest wall pain after a cardiac screen", case(["chest"], band("pectoralis major"), cardiac_screen="done")),
    ("normal saddle sensation", case(["low back"], sensory("saddle area", "normal", "bilateral"), side="midline")),
    ("continence asked and normal", case(["low back"], band("gluteus medius"), sphincter="no")),
    ("mild foot weakness (MRC 4)", case(["shin"], weak(movement="ankle dorsiflexion", grade=4))),
    ("weakness without a grade", case(["shin"], weak(movement="ankle dorsiflexion"))),
    ("fever with elbow pain, acknowledged", case(["elbow"], history=["fever"], acknowledged_red_flags=["fever"])),
    ("a neck history of trauma, acknowledged", case(["neck"], history=["major_trauma"], acknowledged_red_flags=["major_trauma"])),
]


@pytest.mark.parametrize(("label", "document"), BENIGN, ids=[label for label, _ in BENIGN])
def test_benign_cases_raise_no_blocking_flag(kb: KnowledgeBase, label: str, document: dict[str, Any]) -> None:
    found = screen(parse_assessment(document), kb)
    assert found.cleared, [f.code for f in found.flags]
    assert all(f.acknowledged for f in found.flags)


FLAGGED = [
    # (label, document, {code: action}, findings that raised it)
    (
        "saddle numbness",
        case(["low back"], sensory("saddle area", "reduced", "bilateral"), side="midline"),
        {"cauda_equina": "refer_urgently"},
        (1,),
    ),
    ("perianal numbness", case(["buttock"], sensory("perianal", "altered")), {"cauda_equina": "refer_urgently"}, (1,)),
    ("new bladder dysfunction", case(["low back"], band("multifidus"), sphincter="yes"), {"cauda_equina": "refer_urgently"}, ()),
    (
        "deficits in both legs",
        case(["low back"], sensory("lateral leg", side="left"), weak(side="right", movement="ankle dorsiflexion", grade=4), side="midline"),
        {"cauda_equina": "refer_urgently"},
        (1, 2),
    ),
    ("numb soles on both sides", case(["foot"], sensory("sole", side="bilateral")), {"cauda_equina": "refer_urgently"}, (1,)),
    (
        "bilateral saddle numbness and a dense foot drop (the issue's case)",
        case(
            ["low back", "buttock"],
            band("quadratus lumborum", "bilateral", 3),
            sensory("saddle area", side="bilateral"),
            weak(movement="ankle dorsiflexion", grade=1),
            side="bilateral",
        ),
        {"cauda_equina": "refer_urgently", "marked_motor_deficit": "refer"},
        (2, 3),
    ),
    ("foot drop", case(["shin"], weak(movement="ankle dorsiflexion", grade=2)), {"marked_motor_deficit": "refer"}, (1,)),
    ("wrist drop", case(["forearm"], weak(movement="wrist extension", grade=1)), {"marked_motor_deficit": "refer"}, (1,)),
    ("tibialis anterior MRC 3", case(["shin"], weak(muscle="tibialis anterior", grade=3)), {"marked_motor_deficit": "refer"}, (1,)),
    ("deltoid MRC 2", case(["shoulder"], weak(movement="shoulder abduction", grade=2)), {"marked_motor_deficit": "refer"}, (1,)),
    ("a positive Hoffmann", case(["neck"], reflex("Hoffmann", "positive")), {"upper_motor_neurone": "refer"}, (1,)),
    ("an extensor plantar response", case(["low back"], reflex("Babinski", "positive")), {"upper_motor_neurone": "refer"}, (1,)),
    ("clonus", case(["calf"], reflex("ankle clonus", "positive")), {"upper_motor_neurone": "refer"}, (1,)),
    ("brisk reflexes on both sides", case(["neck"], reflex("biceps", "brisk", "bilateral")), {"upper_motor_neurone": "refer"}, (1,)),
    (
        "brisk reflexes in arm and leg",
        case(["neck"], reflex("triceps", "brisk"), reflex("patellar", "brisk")),
        {"upper_motor_neurone": "refer"},
        (1, 2),
    ),
    (
        "brisk reflex with a positive Hoffmann",
        case(["neck"], reflex("biceps", "brisk"), reflex("Hoffmann", "positive")),
        {"upper_motor_neurone": "refer"},
        (1, 2),  # the brisk reflex is part of the same picture
    ),
    ("chest pain, no cardiac screen", case(["chest"], band("pectoralis major")), {"chest_pain_unscreened": "screen_first"}, ()),
    (
        "upper abdominal pain, screen not done",
        case(["upper abdomen"], cardiac_screen="not_done"),
        {"chest_pain_unscreened": "screen_first"},
        (),
    ),
    ("stomach pain, no cardiac screen", case(["stomach"]), {"chest_pain_unscreened": "screen_first"}, ()),
    ("fever with back pain", case(["low back"], history=["fever"], side="midline"), {"spinal_infection_fever": "refer_urgently"}, ()),
    ("fever with neck pain", case(["neck"], history=["fever"]), {"spinal_infection_fever": "refer_urgently"}, ()),
    ("fever with elbow pain", case(["elbow"], history=["fever"]), {"fever": "refer"}, ()),
    (
        "IV drug use with back pain",
        case(["mid back"], history=["iv_drug_use"]),
        {"spinal_infection_iv_drug_use": "refer_urgently"},
        (),
    ),
    ("IV drug use with knee pain", case(["knee"], history=["iv_drug_use"]), {"iv_drug_use": "screen_first"}, ()),
    ("history of cancer", case(["low back"], history=["cancer_history"]), {"cancer_history": "refer"}, ()),
    ("unexplained weight loss", case(["low back"], history=["unexplained_weight_loss"]), {"unexplained_weight_loss": "refer"}, ()),
    ("night pain", case(["shoulder"], history=["night_pain"]), {"night_pain": "refer"}, ()),
    ("immunosuppression", case(["knee"], history=["immunosuppression"]), {"immunosuppression": "refer"}, ()),
    ("major trauma", case(["neck"], history=["major_trauma"]), {"major_trauma": "screen_first"}, ()),
    ("new pain after 50", case(["low back"], history=["new_onset_over_50"]), {"new_onset_over_50": "screen_first"}, ()),
]


@pytest.mark.parametrize(("label", "document", "expected", "findings"), FLAGGED, ids=[row[0] for row in FLAGGED])
def test_each_red_flag_fires_with_its_action(
    kb: KnowledgeBase, label: str, document: dict[str, Any], expected: dict[str, str], findings: tuple[int, ...]
) -> None:
    found = screen(parse_assessment(document), kb)
    assert {f.code: f.action for f in found.flags} == expected
    assert tuple(sorted({n for f in found.flags for n in f.findings})) == findings
    assert not found.cleared


def test_flags_come_most_urgent_first(kb: KnowledgeBase) -> None:
    document = case(["low back"], history=["major_trauma", "cancer_history"], sphincter="yes")
    assert [f.action for f in screen(parse_assessment(document), kb).flags] == ["refer_urgently", "refer", "screen_first"]


def test_a_format_1_0_document_is_screened_on_its_findings() -> None:
    from myotome.kb import load_kb

    document = {"complaint": {"regions": ["low back"], "side": "midline"}, "findings": [sensory("saddle area", side="bilateral")]}
    assert [f.code for f in screen(parse_assessment(document), load_kb()).flags] == ["cauda_equina"]
    # ...and says what it could not screen. A 1.0 chest complaint cannot record a cardiac screen, so it is
    # flagged until the document is written in 1.1 with the screen or an acknowledgement.
    chest = screen(parse_assessment({"complaint": {"regions": ["chest"], "side": "left"}}), load_kb())
    assert [f.code for f in chest.flags] == ["chest_pain_unscreened"] and "only the findings and the complaint" in chest.notes[0]
    assert '"format": "1.1"' in (chest.reason or "")


# -- what the flags do to the plan ---------------------------------------------------------

DENSE_FOOT_DROP = FLAGGED[5][1]
FOOT_DROP = case(
    ["shin", "lateral leg"], band("tibialis anterior", severity=3), paraspinal("L4-L5"), weak(movement="ankle dorsiflexion", grade=2)
)


def test_cauda_equina_gives_no_plan_even_when_acknowledged(kb: KnowledgeBase) -> None:
    for document in (DENSE_FOOT_DROP, {**DENSE_FOOT_DROP, "acknowledged_red_flags": ["cauda_equina", "marked_motor_deficit"]}):
        result = engine.assess(document, kb)
        out = result.to_json()
        assert out["plan"]["steps"] == [] and out["plan"]["dropped"] == []
        assert out["plan"]["blocked"].startswith("No plan: Possible cauda equina syndrome needs urgent medical assessment")
        assert out["red_flags"][0]["code"] == "cauda_equina" and out["red_flags"][0]["action"] == "refer_urgently"
        assert not result.cleared


def test_a_refer_flag_withholds_the_plan_until_acknowledged(kb: KnowledgeBase) -> None:
    held = engine.assess(FOOT_DROP, kb)
    assert held.plan.steps == () and not held.cleared
    assert "marked_motor_deficit" in (held.to_json()["plan"]["blocked"] or "")
    given = engine.assess({**FOOT_DROP, "acknowledged_red_flags": ["marked_motor_deficit"]}, kb)
    assert given.plan.steps and given.cleared
    assert (held.to_json()["cleared"], given.to_json()["cleared"]) == (False, True)
    assert given.to_json()["plan"]["blocked"] is None
    assert given.to_json()["red_flags"] == [
        {
            "code": "marked_motor_deficit",
            "name": "Marked or progressive weakness",
            "action": "refer",
            "text": given.screen.flags[0].text,
            "findings": [3],
            "acknowledged": True,
        }
    ]


def test_an_unknown_acknowledged_code_is_reported_not_ignored(kb: KnowledgeBase) -> None:
    result = engine.assess({**FOOT_DROP, "acknowledged_red_flags": ["marked_motor_deficits"]}, kb)
    assert result.screen.unknown_acknowledgements == ("marked_motor_deficits",)
    assert any("marked_motor_deficits" in note and "no red flag" in note for note in result.to_json()["notes"])
    assert not result.cleared


def test_the_text_report_shows_red_flags_above_everything_else(kb: KnowledgeBase) -> None:
    from rich.console import Console

    from myotome.report import render_text

    console = Console(width=120, record=True)
    console.print(render_text(engine.assess(DENSE_FOOT_DROP, kb), kb))
    text = console.export_text()
    assert text.index("RED FLAG") < text.index("IMS assessment") < text.index("Likely segments")
    assert "No plan: Possible cauda equina syndrome" in text


def test_a_withheld_plan_keeps_what_the_findings_warn_of(kb: KnowledgeBase) -> None:
    warnings = engine.assess(case(["neck"], reflex("Hoffmann", "positive")), kb).plan.warnings
    assert warnings[0].startswith("No plan until the red flags are acknowledged")
    assert any("hoffmann sign" in w.lower() for w in warnings[1:])

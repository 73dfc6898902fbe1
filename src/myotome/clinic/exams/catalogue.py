"""What the exam form offers: the movements, reflexes, levels and signs, with the KB's normals.

The lists are the clinic's choice of what to examine routinely; every id is checked
against the knowledge base by the tests, and normal values are read from it::

    [row.label for row in rom_rows(load_kb())][:2]   # ['Cervical flexion', 'Cervical extension']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any, Literal, get_args, get_origin

from myotome import exam
from myotome.exam import VERTEBRAL_LEVELS
from myotome.kb import KnowledgeBase
from myotome.kb import model as m

SIDES = ("left", "right")


def _codes(annotation: Any) -> tuple[str, ...]:
    """The values a field of the engine's Assessment allows (its Literal, inside Optional or list)."""
    if get_origin(annotation) is Literal:
        return tuple(str(a) for a in get_args(annotation))
    return tuple(code for arg in get_args(annotation) for code in _codes(arg))


def _labelled(model: type[Any], name: str, labels: dict[str, str], *, leave_out: tuple[str, ...] = ()) -> tuple[tuple[str, str], ...]:
    """The form's choices for a field: the values the engine accepts (the one place they are written),
    each with the form's label, in the label table's order. A value without a label is an error at import."""
    codes = set(_codes(model.model_fields[name].annotation)) - set(leave_out)
    if codes != set(labels):
        raise ValueError(f"exam form: {model.__name__}.{name} takes {sorted(codes)} but the form labels {sorted(labels)}")
    return tuple(labels.items())


# Range of motion: the common movements, grouped as a clinician examines them.
ROM_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Neck and jaw", ("cervical_flexion", "cervical_extension", "cervical_lateral_flexion", "cervical_rotation", "tmj_opening")),
    ("Trunk", ("thoracolumbar_flexion", "thoracolumbar_extension", "thoracolumbar_lateral_flexion", "thoracolumbar_rotation")),
    (
        "Shoulder and arm",
        (
            "shoulder_flexion",
            "shoulder_abduction",
            "shoulder_internal_rotation",
            "shoulder_external_rotation",
            "elbow_flexion",
            "forearm_pronation",
            "forearm_supination",
            "wrist_flexion",
            "wrist_extension",
        ),
    ),
    (
        "Hip and leg",
        (
            "hip_flexion",
            "hip_extension",
            "hip_abduction",
            "hip_internal_rotation",
            "hip_external_rotation",
            "knee_flexion",
            "ankle_dorsiflexion",
            "ankle_plantarflexion",
        ),
    ),
)
# Movements in the midline have one value, not one per side (side "bilateral" in the document).
MIDLINE_MOVEMENTS = frozenset({"cervical_flexion", "cervical_extension", "thoracolumbar_flexion", "thoracolumbar_extension", "tmj_opening"})
# A value more than this many times the normal is a typing slip, not a finding.
ROM_MAX_FACTOR = 2.0

REFLEXES = ("biceps_reflex", "brachioradialis_reflex", "triceps_reflex", "patellar_reflex", "medial_hamstring_reflex", "achilles_reflex")
# The reflexes and signs by limb, as the form groups them (the arm's roots are cervical, the leg's lumbosacral).
REFLEX_GROUPS = (
    ("Arm", ("biceps_reflex", "brachioradialis_reflex", "triceps_reflex", "hoffmann_sign")),
    ("Leg", ("patellar_reflex", "medial_hamstring_reflex", "achilles_reflex", "plantar_response", "ankle_clonus")),
)
_GRADES = _labelled(
    exam.ReflexFinding,
    "grade",
    {"absent": "Absent", "reduced": "Reduced", "normal": "Normal", "brisk": "Brisk", "negative": "Negative", "positive": "Positive"},
)
REFLEX_GRADES = _GRADES[:4]
# Pathological signs (upper motor neurone): positive or negative, never a tendon reflex's grade.
SIGNS = ("hoffmann_sign", "plantar_response", "ankle_clonus")
SIGN_GRADES = _GRADES[4:]

# The red-flag screen (format 1.1); the rules that read it are in the KB (red_flags.yaml).
HISTORY = _labelled(
    exam.Assessment,
    "history",
    {
        "cancer_history": "History of cancer",
        "unexplained_weight_loss": "Unexplained weight loss",
        "night_pain": "Constant night pain, not eased by rest",
        "fever": "Fever, or feeling systemically unwell",
        "immunosuppression": "Immunosuppression (steroids, chemotherapy, transplant drugs, HIV)",
        "iv_drug_use": "Intravenous drug use",
        "major_trauma": "Recent major trauma",
        "new_onset_over_50": "First episode of this pain after 50",
    },
)
SPHINCTER = _labelled(exam.Assessment, "sphincter", {"not_asked": "Not asked", "no": "No", "yes": "Yes: new bladder or bowel dysfunction"})
CARDIAC_SCREEN = _labelled(exam.Assessment, "cardiac_screen", {"done": "Done, clear or referred", "not_done": "Not done"})
TRIMESTERS = ((1, "First"), (2, "Second"), (3, "Third"))

# Paraspinal levels examined, per side: every vertebra and interspace from occiput-C1 to S1
# (assessment format 1.1). An interspace sits in the table of its upper vertebra, so that
# C7-T1, where the C8 root leaves, is with the neck.
LEVELS = VERTEBRAL_LEVELS
LEVEL_GROUPS = (
    ("Cervical", tuple(level for level in LEVELS if level.startswith("C"))),
    ("Thoracic", tuple(level for level in LEVELS if level.startswith("T"))),
    ("Lumbar and sacral", tuple(level for level in LEVELS if level[0] in "LS")),
)
LEVEL_SIGNS = _labelled(exam.Paraspinal, "sign", {"tender": "Tender", "thickened": "Thickened"})

SKIN_SIGNS = _labelled(
    exam.Skin,
    "sign",
    {
        "trophedema": "Trophedema (orange-peel skin, pits under a matchstick)",
        "pilomotor": "Pilomotor (goose bumps)",
        "vasomotor": "Vasomotor (coolness)",
        "sudomotor": "Sudomotor (sweating)",
        "hair_loss": "Hair loss",
        "hyperalgesia": "Hyperalgesia",
    },
)
# "normal" is the absence of a finding: the form records only changes.
SENSORY_CHANGES = _labelled(
    exam.Sensory,
    "change",
    {"reduced": "Reduced sensation", "increased": "Increased sensation", "altered": "Altered sensation"},
    leave_out=("normal",),
)
SEVERITIES = (1, 2, 3)

BUILDS = _labelled(exam.Patient, "build", {"slender": "Slender", "average": "Average", "muscular": "Muscular, tight"})
TEMPERAMENTS = _labelled(exam.Patient, "temperament", {"calm": "Calm", "anxious": "Anxious", "type_a": "Type A, driven"})


def side_label(side: str) -> str:
    return {"left": "Left", "right": "Right", "bilateral": "Both sides"}.get(side, side)


def sign_label(kind: str, value: str) -> str:
    table = dict(SKIN_SIGNS) if kind == "skin" else dict(SENSORY_CHANGES)
    return table.get(value, value).split(" (")[0]


@dataclass(frozen=True)
class RomRow:
    """One movement of the range-of-motion form and its normal from the KB."""

    movement: m.Movement
    group: str
    sides: tuple[str, ...]  # ("left", "right"), or ("bilateral",) for a midline movement

    @property
    def id(self) -> str:
        return self.movement.id

    @property
    def label(self) -> str:
        return self.movement.name

    @property
    def normal(self) -> float:
        assert self.movement.normal is not None  # checked by rom_rows
        return self.movement.normal.value

    @property
    def unit(self) -> str:
        assert self.movement.normal is not None
        return self.movement.normal.unit

    @property
    def unit_symbol(self) -> str:
        return "°" if self.unit == "deg" else " mm"

    def field(self, side: str) -> str:
        return f"rom_{self.id}" if side == "bilateral" else f"rom_{self.id}_{side}"


@functools.cache
def rom_rows(kb: KnowledgeBase) -> tuple[RomRow, ...]:
    rows = []
    for group, ids in ROM_GROUPS:
        for movement_id in ids:
            movement = kb.movements[movement_id]
            if movement.normal is None or movement.normal.value <= 0:
                raise ValueError(f"exam form: movement {movement_id!r} has no positive normal range in the knowledge base")
            sides = ("bilateral",) if movement_id in MIDLINE_MOVEMENTS else SIDES
            rows.append(RomRow(movement, group, sides))
    return tuple(rows)


@functools.cache
def rom_slots(kb: KnowledgeBase) -> dict[tuple[str, str], tuple[int, RomRow]]:
    """Each field of the range form, (movement id, side), with its place in the form and its row."""
    fields = ((row, side) for row in rom_rows(kb) for side in row.sides)
    return {(row.id, side): (place, row) for place, (row, side) in enumerate(fields)}


def restriction(value: float, normal: float) -> int:
    """Percent of the normal range missing (0 when at or above normal), as the engine judges it."""
    if normal <= 0:
        return 0
    return max(0, round((1 - value / normal) * 100))


@functools.cache
def reflexes(kb: KnowledgeBase) -> tuple[m.Reflex, ...]:
    """The tendon reflexes, then the pathological signs, as the form lists them."""
    return tuple(kb.reflexes[r] for r in (*REFLEXES, *SIGNS))


@functools.cache
def reflex_places(kb: KnowledgeBase) -> dict[tuple[str, str], int]:
    """Each field of the reflex form, (reflex id, side), with its place in the form."""
    return {key: place for place, key in enumerate((reflex.id, side) for reflex in reflexes(kb) for side in SIDES)}


def grades_of(reflex: m.Reflex) -> tuple[tuple[str, str], ...]:
    return SIGN_GRADES if reflex.pathological else REFLEX_GRADES


def acknowledgeable(kb: KnowledgeBase) -> tuple[m.RedFlagRule, ...]:
    """The red flags a clinician may acknowledge after referral or screening (an urgent referral never is)."""
    return tuple(rule for rule in kb.red_flags.rules if rule.action != "refer_urgently")

"""Which parts of the exam a complaint opens: its movements, reflexes and spinal levels.

A neck and arm complaint opens the neck and arm range of motion, the arm reflexes and the
cervical levels; everything else stays one click away, collapsed, never gone. The parts
are read from the complaint's body areas (their limb and dermatomes) in the KB::

    parts = focus_parts(kb, ["lateral_forearm"])        # {"cervical", "arm"}
    is_open(ROM_GROUP_PARTS["Hip and leg"], parts)       # False
"""

from __future__ import annotations

from collections.abc import Iterable

from myotome.kb import KnowledgeBase

# The parts of the body an exam is organised by.
PARTS = ("cervical", "thoracic", "lumbar", "arm", "leg")

# Range-of-motion groups (catalogue.ROM_GROUPS), reflex groups and level groups, each with the parts that open it.
ROM_GROUP_PARTS = {
    "Neck and jaw": {"cervical"},
    "Trunk": {"thoracic", "lumbar"},
    "Shoulder and arm": {"arm"},
    "Hip and leg": {"leg", "lumbar"},  # the hip is examined for a low back too
}
REFLEX_GROUP_PARTS = {"Arm": {"cervical", "arm"}, "Leg": {"lumbar", "leg"}}
LEVEL_GROUP_PARTS = {"Cervical": {"cervical", "arm"}, "Thoracic": {"thoracic"}, "Lumbar and sacral": {"lumbar", "leg"}}


def focus_parts(kb: KnowledgeBase, region_ids: Iterable[str]) -> set[str]:
    """The parts a complaint's areas belong to; empty when none is known (then everything is open)."""
    parts: set[str] = set()
    for region_id in region_ids:
        region = kb.regions.get(region_id)
        if region is None:
            continue
        if region.limb == "upper":
            parts.add("arm")
        elif region.limb == "lower":
            parts.add("leg")
        for dermatome in region.dermatomes:
            parts.update(_dermatome_parts(dermatome))
    return parts


def _dermatome_parts(dermatome: str) -> set[str]:
    # A cranial nerve's area (face, jaw) is examined with the neck; C5-T1 supply the arm, L2-S2 the leg.
    if dermatome.startswith("CN") or dermatome.startswith("C"):
        return {"cervical"}
    if dermatome.startswith("T"):
        return {"thoracic"}
    if dermatome[:1] in ("L", "S"):
        return {"lumbar"}
    return set()


def is_open(group_parts: set[str], parts: set[str]) -> bool:
    """A group is open when the complaint touches it, or when nothing says what the complaint is."""
    return not parts or bool(group_parts & parts)

"""Default measure sets by condition and region, as issue 11 §2 lists them; primary measure first."""

from __future__ import annotations

import pytest

from myotome.kb import KnowledgeBase
from myotome.outcomes.sets import default_measure_set, set_rules

SETS = [
    # condition, regions, expected set (primary first)
    ("", ["posterior_neck"], ("ndi", "nprs", "psfs")),  # neck -> NDI
    ("", ["lateral_shoulder"], ("spadi", "nprs", "psfs")),  # shoulder -> SPADI (or QuickDASH, by editing)
    ("tennis_elbow", ["lateral_elbow"], ("prtee", "nprs", "psfs")),  # elbow -> PRTEE
    ("carpal_tunnel_syndrome", ["palm"], ("quickdash", "nprs", "psfs")),  # wrist and hand -> QuickDASH
    ("", ["thumb"], ("quickdash", "nprs", "psfs")),
    ("low_back_pain", ["low_back"], ("odi", "nprs", "psfs")),  # back -> ODI
    ("", ["lateral_hip"], ("lefs", "nprs", "psfs")),  # hip and knee -> LEFS
    ("knee_osteoarthritis", ["medial_knee"], ("lefs", "nprs", "psfs")),
    ("patellofemoral_pain", ["anterior_knee"], ("kujala", "nprs", "psfs")),  # the condition beats the knee region's LEFS
    ("plantar_fasciitis", ["plantar_heel"], ("faam", "nprs", "psfs")),  # ankle and foot -> FAAM (or FFI)
    ("headache", ["temple"], ("nprs", "psfs")),  # headache and TMJ -> NPRS and PSFS
    ("tmj_dysfunction", ["jaw"], ("nprs", "psfs")),
    ("headache", ["posterior_neck"], ("nprs", "psfs")),  # a condition rule wins, even an empty one
    ("", ["chest"], ("nprs", "psfs")),  # everyone -> NPRS and PSFS
    ("", [], ("nprs", "psfs")),
    ("", ["chest", "low_back"], ("odi", "nprs", "psfs")),  # the first region with a rule decides
]


@pytest.mark.parametrize(("condition", "regions", "expected"), SETS)
def test_the_default_set_follows_condition_then_region(condition: str, regions: list[str], expected: tuple[str, ...]) -> None:
    assert default_measure_set(condition, regions) == expected


def test_every_condition_and_region_in_the_rules_is_in_the_knowledge_base(kb: KnowledgeBase) -> None:
    rules = set_rules()
    for condition in rules.conditions:
        assert kb.find_condition(condition).id == condition
    for region in rules.regions:
        assert kb.find_region(region).id == region

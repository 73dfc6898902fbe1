"""Generated documents never crash the engine, and every result keeps its invariants."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from myotome.engine import assess
from myotome.exam import SPINAL_ORDER, InvalidAssessment
from myotome.kb import load_kb

KB = load_kb()
SIDES = st.sampled_from(["left", "right", "bilateral"])


def names(records: Any) -> st.SearchStrategy[str]:
    """Real names (ids, display names, aliases) mixed with noise."""
    known = sorted({n for r in records for n in (r.id, r.name, *r.aliases)})
    return st.one_of(st.sampled_from(known), st.text(min_size=1, max_size=20).filter(str.strip))


muscles = names([*KB.muscles.values(), *KB.groups.values()])
regions = names(KB.regions.values())
movements = names(KB.movements.values())
reflexes = names(KB.reflexes.values())
levels = st.one_of(
    st.sampled_from(SPINAL_ORDER), st.integers(0, len(SPINAL_ORDER) - 2).map(lambda i: f"{SPINAL_ORDER[i]}-{SPINAL_ORDER[i + 1]}")
)

findings = st.one_of(
    st.fixed_dictionaries({"type": st.just("tender_band"), "side": SIDES, "muscle": muscles, "severity": st.integers(1, 3)}),
    st.fixed_dictionaries(
        {
            "type": st.just("skin"),
            "side": SIDES,
            "sign": st.sampled_from(["trophedema", "pilomotor", "vasomotor", "sudomotor", "hair_loss", "hyperalgesia"]),
            "region": regions,
        }
    ),
    st.fixed_dictionaries(
        {"type": st.just("skin"), "side": SIDES, "sign": st.just("trophedema"), "segment": st.sampled_from(SPINAL_ORDER)}
    ),
    st.fixed_dictionaries(
        {"type": st.just("paraspinal"), "side": SIDES, "level": levels, "sign": st.sampled_from(["tender", "thickened"])}
    ),
    st.fixed_dictionaries(
        {"type": st.just("rom"), "side": SIDES, "movement": movements, "value": st.floats(0, 360), "unit": st.sampled_from(["deg", "mm"])}
    ),
    st.fixed_dictionaries({"type": st.just("weakness"), "side": SIDES, "movement": movements}),
    st.fixed_dictionaries({"type": st.just("weakness"), "side": SIDES, "muscle": muscles}),
    st.fixed_dictionaries(
        {"type": st.just("reflex"), "side": SIDES, "reflex": reflexes, "grade": st.sampled_from(["absent", "reduced", "normal", "brisk"])}
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("sensory"),
            "side": SIDES,
            "region": regions,
            "change": st.sampled_from(["reduced", "increased", "altered", "normal"]),
        }
    ),
)

documents = st.fixed_dictionaries(
    {
        "id": st.text(max_size=10),
        "patient": st.fixed_dictionaries(
            {},
            optional={
                "age": st.integers(0, 120),
                "build": st.sampled_from(["muscular", "average", "slender"]),
                "temperament": st.sampled_from(["calm", "anxious", "type_a"]),
                "needle_fear": st.booleans(),
                "first_session": st.booleans(),
                "precautions": st.lists(names(KB.precautions.values()), max_size=3),
            },
        ),
        "complaint": st.fixed_dictionaries(
            {"regions": st.lists(regions, min_size=1, max_size=3), "side": st.sampled_from(["left", "right", "bilateral", "midline"])},
            optional={"condition": names(KB.conditions.values()), "pain": st.integers(0, 10)},
        ),
        "findings": st.lists(findings, max_size=12),
    }
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_valid_documents_always_get_a_coherent_result(document: dict[str, Any]) -> None:
    result = assess(document, KB).to_json()
    scores = [s["score"] for s in result["segments"]]
    assert scores == sorted(scores, reverse=True)
    if scores:
        assert sum(scores) <= 1.005 and min(scores) >= 0.01  # shares of all the evidence (rounded); tiny ones not shown
    steps = result["plan"]["steps"]
    assert [s["order"] for s in steps] == list(range(1, len(steps) + 1))
    assert len(steps) <= result["plan"]["max_insertions"]
    regions_seen = [s["region"] == "paraspinal" for s in steps]
    assert regions_seen == sorted(regions_seen, reverse=True), "paraspinal steps come first"
    for step in steps:
        assert step["muscle"]["id"] in KB.muscles and step["needle_mm"] > 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        json_values, documents.map(lambda d: {**d, "findings": [*d["findings"], {"type": "paraspinal", "side": "left", "level": "C9"}]})
    )
)
def test_anything_else_is_rejected_cleanly(value: Any) -> None:
    try:
        assess(value if isinstance(value, dict) else {"complaint": value}, KB)
    except InvalidAssessment as exc:
        assert exc.problems and all(isinstance(p, str) and ":" in p for p in exc.problems)

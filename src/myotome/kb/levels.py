"""Vertebral levels and interspaces (levels.yaml): reading, checking, and what to write instead.

A clinician palpates and needles at vertebral levels (``C7``) and interspaces (``C7-T1``);
each level implicates one or two roots with weights. The loader reads the file with
:func:`parse_level` and checks the whole table with :func:`check_levels`::

    kb.find_level("C7-T1").segments        # ('C8',)
    kb.find_level("L4-L5").roots           # L4 exiting 0.5, L5 traversing 0.5
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from myotome.kb import model as m

if TYPE_CHECKING:
    from myotome.kb.loader import _Context

OCCIPUT = "C0"  # the occiput, as clinicians write it in "C0-C1"
_VERTEBRA = re.compile(r"^(?:C[1-7]|T(?:[1-9]|1[0-2])|L[1-5]|S1)$")
_REGION = {"C": "cervical", "T": "thoracic", "L": "lumbar", "S": "sacral"}


def parse_level(ctx: _Context, i: int, raw: Any) -> m.VertebralLevel:
    from myotome.kb.loader import _COMMON, _Record  # the loader's field readers

    r = _Record(ctx, "levels", i, raw, _COMMON | {"kind", "roots", "paraspinal"})
    kind = r.choice("kind", m.LEVEL_KINDS)
    ends = r.id.split("-")
    if kind == "vertebra" and not _VERTEBRA.match(r.id):
        r.problem("kind", f"'{r.id}' is not a vertebra from C1 to S1")
    if kind == "interspace" and not (len(ends) == 2 and (ends[0] == OCCIPUT or _VERTEBRA.match(ends[0])) and _VERTEBRA.match(ends[1])):
        r.problem("kind", f"'{r.id}' is not an interspace between two vertebrae written like C7-T1 (or C0-C1 for occiput-C1)")
    return m.VertebralLevel(
        id=r.id,
        name=r.required_text("name"),
        kind=kind,
        region=_REGION.get(ends[-1][:1], "cervical"),
        aliases=r.texts("aliases"),
        roots=_roots(r),
        paraspinal=r.refs("paraspinal", ("muscles",), required=True),
        sources=r.sources(),
        order=i,
        note=r.text("note", required=False),
    )


def _roots(r: Any) -> tuple[m.LevelRoot, ...]:
    out: list[m.LevelRoot] = []
    for n, entry in enumerate(r.mapping_list("roots"), 1):
        segment, weight, relation = entry.get("segment"), entry.get("weight"), entry.get("relation")
        if set(entry) != {"segment", "weight", "relation"}:
            r.problem("roots", f"root {n} needs segment, weight and relation; got {entry!r}")
            continue
        if segment not in r.ctx.segment_order:
            r.problem("roots", f"root {n}: '{segment}' is not a spinal segment")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            r.problem("roots", f"root {n}: weight must be above 0 and at most 1, got {weight!r}")
            continue
        if relation not in m.ROOT_RELATIONS:
            r.problem("roots", f"root {n}: relation {relation!r}; expected one of {', '.join(m.ROOT_RELATIONS)}")
        out.append(m.LevelRoot(str(segment), float(weight), str(relation)))
    if not out:
        r.problem("roots", "a level must implicate at least one root")
    elif abs(sum(root.weight for root in out) - 1) > 1e-6:
        r.problem("roots", f"the weights must add up to 1, got {sum(root.weight for root in out):g}")
    return tuple(out)


def check_levels(ctx: _Context, levels: list[m.VertebralLevel]) -> None:
    """The table runs occiput-C1 to S1 without gaps, and each level's muscles belong there."""
    where = "levels.yaml"
    expected = expected_level_ids(ctx.segment_order)
    ids = [level.id for level in levels]
    if ids != expected:
        missing = [i for i in expected if i not in ids]
        extra = [i for i in ids if i not in expected]
        detail = "; ".join(
            part
            for part in (f"missing {', '.join(missing)}" if missing else "", f"not a level {', '.join(extra)}" if extra else "")
            if part
        )
        ctx.problems.append(
            f"{where}: the levels must run from C0-C1 to S1, each vertebra followed by the interspace below it"
            + (f" ({detail})" if detail else " (out of order)")
        )
    for level in levels:
        for muscle_id in level.paraspinal:
            muscle = ctx.ids["muscles"].get(muscle_id)
            if muscle is None:
                continue  # already reported as unknown
            label = f"{where}: record '{level.id}', field 'paraspinal'"
            if muscle.rank != "paraspinal":
                ctx.problems.append(f"{label}: '{muscle_id}' is not a paraspinal muscle (rank {muscle.rank})")
            if muscle.needling.never:
                ctx.problems.append(f"{label}: '{muscle_id}' is never needled (muscles.yaml)")
            if not set(muscle.roots.all) & _within_one(level.segments, ctx.segment_order):
                ctx.problems.append(
                    f"{label}: '{muscle_id}' ({', '.join(muscle.roots.all)}) is not supplied by "
                    f"{', '.join(level.segments)} or a neighbouring root"
                )
    placed = {mid for level in levels for mid in level.paraspinal}
    for muscle in ctx.ids["muscles"].values():
        if muscle.rank == "paraspinal" and not muscle.needling.never and muscle.id not in placed:
            ctx.problems.append(f"{where}: paraspinal muscle '{muscle.id}' is needled at no level; add it to the levels it spans")


def _within_one(segments: tuple[str, ...], order: list[str]) -> set[str]:
    """The segments and their craniocaudal neighbours (paraspinal signs localise to about one level)."""
    out = set(segments)
    for segment in segments:
        if segment in order:
            i = order.index(segment)
            out.update(order[max(0, i - 1) : i + 2])
    return out


def expected_level_ids(segment_order: list[str] | tuple[str, ...]) -> list[str]:
    """Every vertebra and interspace, craniocaudal: C0-C1, C1, C1-C2, ..., L5-S1, S1."""
    vertebrae = [s for s in segment_order if _VERTEBRA.match(s)]
    ids = [f"{OCCIPUT}-C1"] if vertebrae[:1] == ["C1"] else []
    for i, vertebra in enumerate(vertebrae):
        if i:
            ids.append(f"{vertebrae[i - 1]}-{vertebra}")
        ids.append(vertebra)
    return ids


def level_hint(name: str) -> str | None:
    """What to write instead of a level that names no vertebra (C8, C7-C8, S2...), or None."""
    text = name.strip().upper().replace("–", "-").replace("/", "-").replace(" ", "")
    ends = [e for e in text.split("-") if e]
    if not ends or not all(re.match(r"^[CTLS]\d{1,2}$", e) for e in ends) or len(ends) > 2:
        return None
    if "C8" in ends:
        return "there is no C8 vertebra: the C8 root leaves between C7 and T1, so write C7-T1 (or C7 or T1 for a vertebra)"
    if any(re.match(r"^S[2-5]$", e) for e in ends):
        return "levels run from C1 to S1; the sacrum below S1 is fused: write S1 or L5-S1"
    if not all(_VERTEBRA.match(e) for e in ends):
        return "that vertebra does not exist: levels run C1-C7, T1-T12, L1-L5 and S1"
    if len(ends) == 2:
        return "an interspace names two adjacent vertebrae, e.g. C4-C5, C7-T1, T12-L1 or L5-S1"
    return None

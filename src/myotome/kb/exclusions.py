"""A precaution's ``excludes`` list: the muscles and vertebral levels it takes out of a plan.

Each entry names what it excludes (muscles or groups, vertebral levels or ranges such as
``L1 to S1``, or the whole body), why, and the references that say so; pregnancy entries
may hold only in some trimesters::

    excludes:
      - name: the lumbar spine and sacrum (L1 to S1)
        levels: [L1 to S1]
        reason: ...
        sources: [gemt_pregnancy]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from myotome.kb import model as m

if TYPE_CHECKING:
    from myotome.kb.loader import _Context, _Record

_FIELDS = {"name", "muscles", "levels", "whole_body", "trimesters", "reason", "sources"}


def parse_exclusions(ctx: _Context, r: _Record) -> tuple[m.Exclusion, ...]:
    out = []
    for n, raw in enumerate(r.mapping_list("excludes"), 1):
        label = f"exclusion {n}"
        unknown = sorted(set(raw) - _FIELDS)
        if unknown:
            r.problem("excludes", f"{label}: unknown field(s) {', '.join(unknown)}; allowed are {', '.join(sorted(_FIELDS))}")
            continue
        name, reason, sources = raw.get("name"), raw.get("reason"), raw.get("sources") or []
        if not all(isinstance(v, str) and v.strip() for v in (name, reason)):
            r.problem("excludes", f"{label} needs a short 'name' and a 'reason'")
        if not isinstance(sources, list) or not sources:
            r.problem("excludes", f"{label} needs the references that say so in 'sources'")
            sources = []
        for source in sources:
            if source not in ctx.ids["references"]:
                r.problem("excludes", f"{label}: unknown reference id '{source}'")
        muscles = _muscles(ctx, r, label, raw.get("muscles") or [])
        levels = _levels(ctx, r, label, raw.get("levels") or [])
        whole = raw.get("whole_body", False)
        if not isinstance(whole, bool):
            r.problem("excludes", f"{label}: whole_body must be true or false, got {whole!r}")
            whole = False
        if not (muscles or levels or whole):
            r.problem("excludes", f"{label} must name muscles, levels or whole_body: true")
        trimesters = raw.get("trimesters") or []
        if not isinstance(trimesters, list) or not all(t in (1, 2, 3) and not isinstance(t, bool) for t in trimesters):
            r.problem("excludes", f"{label}: trimesters must list 1, 2 or 3, got {trimesters!r}")
            trimesters = []
        if trimesters and r.id != "pregnancy":
            r.problem("excludes", f"{label}: only pregnancy has trimesters")
        out.append(
            m.Exclusion(
                name=" ".join(str(name or "").split()),
                reason=" ".join(str(reason or "").split()),
                sources=tuple(sources),
                muscles=muscles,
                levels=levels,
                whole_body=whole,
                trimesters=tuple(sorted(set(trimesters))),
            )
        )
    return tuple(out)


def _muscles(ctx: _Context, r: _Record, label: str, ids: Any) -> tuple[str, ...]:
    if not isinstance(ids, list):
        r.problem("excludes", f"{label}: muscles must be a list of muscle or group ids, got {ids!r}")
        return ()
    muscles, unknown = ctx.expand_muscles(ids)
    for ref in unknown:
        r.problem("excludes", f"{label}: unknown muscle or group id '{ref}'")
    return muscles


def _levels(ctx: _Context, r: _Record, label: str, items: Any) -> tuple[str, ...]:
    """Level ids from a list of levels (``L4``, ``L4-L5``) and ranges (``L1 to S1``)."""
    if not isinstance(items, list):
        r.problem("excludes", f"{label}: levels must be a list of levels or ranges, got {items!r}")
        return ()
    order = list(ctx.ids["levels"])  # as written in levels.yaml: craniocaudal
    out: dict[str, None] = {}
    for item in items:
        first, sep, last = str(item).partition(" to ")
        ends = (first.strip(), last.strip()) if sep else (first.strip(), first.strip())
        if not all(end in ctx.ids["levels"] for end in ends):
            r.problem(
                "excludes", f"{label}: unknown level or range '{item}'; write a level from levels.yaml (L4, L4-L5) or a range 'L1 to S1'"
            )
            continue
        lo, hi = order.index(ends[0]), order.index(ends[1])
        if lo > hi:
            r.problem("excludes", f"{label}: range '{item}' runs upwards; write the higher level first")
            continue
        out.update(dict.fromkeys(order[lo : hi + 1]))
    return tuple(out)

"""Cross-record checks the loader runs after reading each file.

Each check appends plain-language problems naming file, record and field; the
loader raises them all together.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from myotome.kb import model as m

if TYPE_CHECKING:
    from myotome.kb.loader import _Context


def spinal_runs_contiguous(segments: tuple[str, ...], order: list[str]) -> bool:
    """True when the spinal segments among ``segments`` form one unbroken run."""
    positions = sorted(order.index(s) for s in segments if s in order)
    return all(b - a == 1 for a, b in itertools.pairwise(positions))


def check_nerves(ctx: _Context, nerves: list[m.Nerve]) -> None:
    for nerve in nerves:
        where = f"nerves.yaml: record '{nerve.id}'"
        if not nerve.roots:
            ctx.problems.append(f"{where}, field 'roots': must name at least one segment")
        if nerve.branch_of and nerve.branch_of not in ctx.ids["nerves"]:
            ctx.problems.append(f"{where}, field 'branch_of': unknown nerve id '{nerve.branch_of}'")


def check_muscles(ctx: _Context, muscles: list[m.Muscle]) -> None:
    for muscle in muscles:
        where = f"muscles.yaml: record '{muscle.id}', field 'roots'"
        roots = muscle.roots.all
        if not spinal_runs_contiguous(roots, ctx.segment_order):
            ctx.problems.append(f"{where}: roots {', '.join(roots)} are not contiguous; a muscle's spinal roots form one run such as C5-C7")
        nerve = ctx.ids["nerves"].get(muscle.nerve)
        if nerve is not None:
            outside = [s for s in roots if s not in nerve.roots]
            if outside:
                ctx.problems.append(
                    f"{where}: {', '.join(outside)} not among the roots of {nerve.id} ({', '.join(nerve.roots)}); "
                    "correct the roots or the nerve's composition"
                )
        if muscle.segmental and muscle.rank != "paraspinal":
            ctx.problems.append(f"muscles.yaml: record '{muscle.id}', field 'segmental': segmental muscles must have rank paraspinal")
        if muscle.needling.allowed == "yes" and any(c.kind == "lung" for c in muscle.cautions):
            ctx.problems.append(
                f"muscles.yaml: record '{muscle.id}', field 'needling': a muscle in a lung zone must say whether it may be "
                "needled (allowed: caution or never, with reason and sources)"
            )


def check_groups(ctx: _Context, groups: list[m.Group]) -> None:
    """Expand nested groups to muscle ids, rejecting unknown members and cycles."""
    raw = {g.id: g for g in groups}

    def expand(group_id: str, trail: tuple[str, ...]) -> list[str]:
        out: list[str] = []
        for member in raw[group_id].members:
            if member in ctx.ids["muscles"]:
                out.append(member)
            elif member in raw:
                if member in trail:
                    ctx.problems.append(f"groups.yaml: record '{group_id}', field 'members': cycle {' -> '.join((*trail, member))}")
                    continue
                out.extend(expand(member, (*trail, member)))
            else:
                ctx.problems.append(f"groups.yaml: record '{group_id}', field 'members': unknown muscle or group id '{member}'")
        return out

    for index, group in enumerate(groups):
        expanded = tuple(dict.fromkeys(expand(group.id, (group.id,))))
        groups[index] = replace(group, members=expanded)
        ctx.ids["groups"][group.id] = groups[index]
        _check_not_needled(ctx, groups[index])


def _check_not_needled(ctx: _Context, group: m.Group) -> None:
    """A group says which of its members are never needled, so none is dropped from a plan unsaid."""
    where = f"groups.yaml: record '{group.id}', field 'not_needled'"
    never = [mid for mid in group.members if mid in ctx.ids["muscles"] and ctx.ids["muscles"][mid].needling.never]
    unsaid = [mid for mid in never if mid not in group.not_needled]
    if unsaid:
        ctx.problems.append(f"{where}: list {', '.join(unsaid)}: never needled (muscles.yaml), so a plan through this group leaves it out")
    wrong = [mid for mid in group.not_needled if mid not in never]
    if wrong:
        ctx.problems.append(f"{where}: {', '.join(wrong)} is not a member whose needling is never")


def _supplied(ctx: _Context, muscle_ids: tuple[str, ...]) -> set[str]:
    return {s for mid in muscle_ids if mid in ctx.ids["muscles"] for s in ctx.ids["muscles"][mid].roots.all}


def check_movements(ctx: _Context, movements: list[m.Movement]) -> None:
    for movement in movements:
        where = f"movements.yaml: record '{movement.id}'"
        unsupplied = [s for s in movement.roots.all if s not in _supplied(ctx, movement.muscles)]
        if unsupplied:
            ctx.problems.append(f"{where}, field 'roots': {', '.join(unsupplied)} supplies none of its prime movers or assistants")
        opposite = ctx.ids["movements"].get(movement.opposite or "")
        if movement.opposite and (opposite is None or opposite.kind != "joint"):
            ctx.problems.append(f"{where}, field 'opposite': '{movement.opposite}' is not a joint movement in movements.yaml")
        if movement.kind == "functional" and movement.normal is not None:
            ctx.problems.append(f"{where}, field 'normal': functional movements have no normal range")


def check_reflexes(ctx: _Context, reflexes: list[m.Reflex]) -> None:
    for reflex in reflexes:
        if not reflex.muscles:
            continue
        unsupplied = [s for s in reflex.roots.all if s not in _supplied(ctx, reflex.muscles)]
        if unsupplied:
            ctx.problems.append(
                f"reflexes.yaml: record '{reflex.id}', field 'roots': {', '.join(unsupplied)} supplies none of the reflex's muscles"
            )


def check_aliases(ctx: _Context, kind: str, records: list[Any], shared: dict[str, tuple[str, ...]]) -> None:
    """Every name denotes one record, except aliases declared as shared."""
    from myotome.kb.names import normalize

    owners: dict[str, str] = {}
    shared_keys = {normalize(a) for a in shared}
    for record in records:
        for name in dict.fromkeys((record.id, record.name, *record.aliases)):
            key = normalize(name)
            if not key:
                ctx.problems.append(f"{kind}: record '{record.id}': name {name!r} has no letters or digits")
                continue
            if key in shared_keys and name in record.aliases:
                ctx.problems.append(
                    f"{kind}: record '{record.id}', field 'aliases': '{name}' is declared in shared_aliases; remove it here"
                )
            owner = owners.setdefault(key, record.id)
            if owner != record.id:
                ctx.problems.append(
                    f"{kind}: '{name}' names both '{owner}' and '{record.id}'; keep it on one record, "
                    "or declare it under shared_aliases if clinicians really use it for both"
                )


def check_evidence(ctx: _Context, evidence: Any) -> None:
    """Every weight in evidence.yaml cites its references, or says it is a project convention.

    A mapping with a ``reason`` needs ``sources`` (reference ids) unless it carries
    ``basis: convention``; a ``<name>_reason`` key needs ``<name>_sources`` beside it.
    """

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            walk(value, f"{path}.{key}" if path else str(key))
        reasons = [k for k in node if k == "reason" or str(k).endswith("_reason")]
        for reason in reasons:
            sources_key = "sources" if reason == "reason" else f"{str(reason)[: -len('_reason')]}_sources"
            where = f"evidence.yaml: {path or 'top level'}"
            sources = node.get(sources_key)
            if sources is None:
                if reason == "reason" and node.get("basis") == "convention":
                    continue
                ctx.problems.append(f"{where}: cite the references behind this weight in '{sources_key}', or mark it 'basis: convention'")
                continue
            if not isinstance(sources, list) or not sources:
                ctx.problems.append(f"{where}, field '{sources_key}': expected a list of reference ids, got {sources!r}")
                continue
            for source in sources:
                if source not in ctx.ids["references"]:
                    ctx.problems.append(f"{where}, field '{sources_key}': unknown reference id '{source}'")

    if isinstance(evidence, dict):
        walk({k: v for k, v in evidence.items() if k != "meta"}, "")

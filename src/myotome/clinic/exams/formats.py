"""Stored exam documents between assessment formats 1.0 and 1.1: the paraspinal levels.

Format 1.0 wrote a paraspinal level as root segments (``C6``, or two adjacent roots
``C5-C6``); format 1.1 writes a vertebra or an interspace (``myotome.exam.VERTEBRAL_LEVELS``).
Migration ``0002_assessment_format_1_1`` converts every stored exam with these functions,
and a 1.0 document that still reaches the form is read through them, so their meaning
is fixed with that migration: a later format gets functions and a migration of its own::

    level_1_1("C8")       # 'C7-T1': the C8 root leaves between C7 and T1
    document_1_1(doc)     # the document in format 1.1, or None when it already is
"""

from __future__ import annotations

from typing import Any

from myotome.exam import SPINAL_ORDER, VERTEBRAL_LEVELS

_VERTEBRAE = frozenset(level for level in VERTEBRAL_LEVELS if "-" not in level)
_INTERSPACES = frozenset(level for level in VERTEBRAL_LEVELS if "-" in level)


def level_1_1(level: str) -> str:
    """The vertebral level a format 1.0 paraspinal level (root segments) stands for.

    A root with a vertebra of its name (C1-C7, T1-T12, L1-L5, S1) is that vertebra, which
    implicates that root alone (levels.yaml), so the localisation is the same. C8, which
    has no vertebra, is C7-T1, where it leaves. S2-S5 lie on the fused sacrum: S1. Two
    adjacent roots "A-B" are the interspace A-B, which is what clinicians meant by them,
    where that interspace exists; otherwise (C7-C8, C8-T1, S1-S2 ...) the upper root's level.

    level_1_1("C5-C6")    # 'C5-C6'
    level_1_1("S3")       # 'S1'
    """
    if level in _VERTEBRAE:
        return level
    if level == "C8":
        return "C7-T1"
    if level in SPINAL_ORDER and level.startswith("S"):
        return "S1"
    upper, _, lower = level.partition("-")
    if lower and upper in SPINAL_ORDER and lower in SPINAL_ORDER and SPINAL_ORDER.index(lower) - SPINAL_ORDER.index(upper) == 1:
        return level if level in _INTERSPACES else level_1_1(upper)
    raise ValueError(f"'{level}' is not a format 1.0 paraspinal level (one root segment such as C6, or two adjacent ones such as C5-C6)")


def level_1_0(level: str) -> str:
    """The format 1.0 level (root segments) for a vertebral level: the reverse of :func:`level_1_1`.

    A vertebra is the root of its name; an interspace between two roots' vertebrae is that
    pair; C7-T1 is C8, which leaves there, and occiput-C1 is C1. Levels that 1.0 wrote
    otherwise (S2-S5, C7-C8 ...) were merged on the way to 1.1 and do not come back.

    level_1_0("C7-T1")    # 'C8'
    """
    if level in _VERTEBRAE:
        return level
    if level == "C7-T1":
        return "C8"
    if level == "C0-C1":
        return "C1"
    if level in _INTERSPACES:
        return level
    raise ValueError(f"'{level}' is not a vertebral level; levels run {VERTEBRAL_LEVELS[0]} to {VERTEBRAL_LEVELS[-1]}")


def is_1_0(document: dict[str, Any]) -> bool:
    """A document without ``format`` is read as 1.0."""
    return document.get("format") in (None, "1.0")


def document_1_1(document: dict[str, Any]) -> dict[str, Any] | None:
    """A format 1.0 document in format 1.1 (a new dict), or None when it is not 1.0.

    Only the paraspinal levels change meaning between the formats; every finding keeps its
    place, so that a stored result's "finding 3" still names the same finding.
    """
    if not is_1_0(document):
        return None
    findings = [
        {**f, "level": level_1_1(str(f.get("level")))} if isinstance(f, dict) and f.get("type") == "paraspinal" else f
        for f in document.get("findings") or []
    ]
    rest = {k: v for k, v in document.items() if k != "format"}
    return {"format": "1.1", **rest, **({"findings": findings} if "findings" in document else {})}


# What format 1.0 cannot say: (where, the value 1.0 has for it); anything else needs 1.1.
_ONLY_1_1 = (
    ("history", []),
    ("sphincter", "not_asked"),
    ("cardiac_screen", None),
    ("acknowledged_red_flags", []),
    ("thoracic_needling", "allowed"),
)


def document_1_0(document: dict[str, Any]) -> dict[str, Any] | None:
    """A format 1.1 document back in format 1.0 (a new dict), or None when it is not 1.1.

    Raises ValueError naming what 1.0 cannot hold (the red-flag screen, a trimester, a
    positive or negative sign, a lack of extension): nothing is dropped on the way back.
    """
    if document.get("format") != "1.1":
        return None
    problems = [name for name, old in _ONLY_1_1 if document.get(name, old) != old]
    if (document.get("patient") or {}).get("pregnancy_trimester") is not None:
        problems.append("patient.pregnancy_trimester")
    findings = []
    for n, f in enumerate(document.get("findings") or [], 1):
        kind = f.get("type") if isinstance(f, dict) else None
        if kind == "reflex" and f.get("grade") in ("positive", "negative"):
            problems.append(f"finding {n} (reflex) grade '{f['grade']}'")
        if kind == "rom" and isinstance(f.get("value"), (int, float)) and f["value"] < 0:
            problems.append(f"finding {n} (rom) value {f['value']:g}")
        findings.append({**f, "level": level_1_0(str(f.get("level")))} if kind == "paraspinal" else f)
    if problems:
        raise ValueError(f"format 1.0 cannot hold {', '.join(problems)}")
    rest = {k: v for k, v in document.items() if k not in ("format", *(name for name, _ in _ONLY_1_1))}
    return {**rest, **({"findings": findings} if "findings" in document else {})}

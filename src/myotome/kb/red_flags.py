"""Reading and checking red_flags.yaml: the rules that come before any needling plan.

Each rule names a code, an action and the inputs that raise it; the inputs are a fixed
vocabulary that :mod:`myotome.redflags` evaluates. Problems name the file, the rule and
the field::

    table = parse_red_flags(raw, ids, problems)
    table.codes[0]      # 'cauda_equina'
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from myotome.kb import model as m

FILE = "red_flags.yaml"
REGION_LISTS = ("saddle", "spine", "chest")
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# The parameters each trigger takes, with the check each value must pass.
_PARAMS: dict[str, dict[str, Any]] = {
    "key_weakness": {"max_grade": lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 4},
    "history": {"code": None, "spinal_pain": lambda v: isinstance(v, bool)},  # code: checked against HISTORY_CODES
}


def parse_red_flags(
    raw: Any, ids: Mapping[str, Collection[str]], history_codes: Collection[str], problems: list[str]
) -> m.RedFlagTable | None:
    """The red-flag table in ``raw`` (red_flags.yaml as YAML), or None after adding problems.

    ``ids`` maps a kind (regions, movements, references) to the ids the KB holds.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("meta"), dict) or raw["meta"].get("entity") != "red_flags":
        problems.append(f"{FILE}: expected a 'meta' block with entity: red_flags, then regions, key_movements and rules")
        return None
    before = len(problems)
    for name in sorted(set(raw) - {"meta", "regions", "key_movements", "rules"}):
        problems.append(f"{FILE}: unknown entry '{name}'; the entries are regions, key_movements and rules")
    regions = _regions(raw.get("regions"), ids["regions"], problems)
    key_movements = _ids(raw.get("key_movements"), ids["movements"], "key_movements", "movement", problems)
    rules = [_rule(i, entry, ids, history_codes, problems) for i, entry in enumerate(raw.get("rules") or [], 1)]
    if not rules:
        problems.append(f"{FILE}: 'rules' must list at least one rule")
    codes = [r.code for r in rules if r is not None]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"{FILE}: code '{code}' is used by more than one rule")
    if len(problems) > before:
        return None
    return m.RedFlagTable(rules=tuple(r for r in rules if r is not None), regions=regions, key_movements=key_movements)


def _regions(raw: Any, known: Collection[str], problems: list[str]) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict) or set(raw) != set(REGION_LISTS):
        problems.append(f"{FILE}: 'regions' must list exactly {', '.join(REGION_LISTS)}, got {raw!r}")
        return {}
    return {name: _ids(raw[name], known, f"regions.{name}", "region", problems) for name in REGION_LISTS}


def _ids(raw: Any, known: Collection[str], where: str, kind: str, problems: list[str]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        problems.append(f"{FILE}: '{where}' must be a non-empty list of {kind} ids, got {raw!r}")
        return ()
    for unknown in [x for x in raw if x not in known]:
        problems.append(f"{FILE}: '{where}' names unknown {kind} '{unknown}'")
    return tuple(raw)


def _rule(
    i: int, raw: Any, ids: Mapping[str, Collection[str]], history_codes: Collection[str], problems: list[str]
) -> m.RedFlagRule | None:
    where = f"{FILE}: rule {i}"
    fields = {"code", "name", "action", "when", "text", "sources"}
    if not isinstance(raw, dict) or set(raw) != fields:
        problems.append(f"{where}: expected exactly {', '.join(sorted(fields))}, got {sorted(raw) if isinstance(raw, dict) else raw!r}")
        return None
    before = len(problems)
    code = raw["code"]
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(f"{where}: code must be lower_snake_case, got {code!r}")
    where = f"{FILE}: rule '{code}'"
    if raw["action"] not in m.RED_FLAG_ACTIONS:
        problems.append(f"{where}, field 'action': {raw['action']!r}; expected one of {', '.join(m.RED_FLAG_ACTIONS)}")
    for field in ("name", "text"):
        if not isinstance(raw[field], str) or not raw[field].strip():
            problems.append(f"{where}, field '{field}': required text")
    sources = raw["sources"]
    if not isinstance(sources, list) or not sources:
        problems.append(f"{where}, field 'sources': every rule cites at least one reference")
        sources = []
    for unknown in [s for s in sources if s not in ids["references"]]:
        problems.append(f"{where}, field 'sources': unknown reference '{unknown}'")
    when = raw["when"]
    if not isinstance(when, list) or not when:
        problems.append(f"{where}, field 'when': list at least one trigger")
        when = []
    triggers = [_trigger(where, n, t, history_codes, problems) for n, t in enumerate(when, 1)]
    if len(problems) > before:
        return None
    return m.RedFlagRule(
        code=code,
        name=raw["name"].strip(),
        action=raw["action"],
        when=tuple(t for t in triggers if t is not None),
        text=" ".join(raw["text"].split()),
        sources=tuple(sources),
    )


def _trigger(where: str, n: int, raw: Any, history_codes: Collection[str], problems: list[str]) -> m.RedFlagTrigger | None:
    if not isinstance(raw, dict) or raw.get("trigger") not in m.RED_FLAG_TRIGGERS:
        problems.append(f"{where}, trigger {n}: expected {{trigger: ...}} with one of {', '.join(m.RED_FLAG_TRIGGERS)}, got {raw!r}")
        return None
    name = raw["trigger"]
    allowed = _PARAMS.get(name, {})
    params = {k: v for k, v in raw.items() if k != "trigger"}
    for key, value in params.items():
        check = allowed.get(key, False)
        if check is False:
            problems.append(f"{where}, trigger {n} ({name}): unknown parameter '{key}'")
        elif check is not None and not check(value):
            problems.append(f"{where}, trigger {n} ({name}): bad value {value!r} for '{key}'")
    if name == "history" and params.get("code") not in history_codes:
        problems.append(f"{where}, trigger {n} (history): code must be one of {', '.join(history_codes)}, got {params.get('code')!r}")
    if name == "key_weakness" and "max_grade" not in params:
        problems.append(f"{where}, trigger {n} (key_weakness): max_grade is required")
    return m.RedFlagTrigger(name, tuple(sorted(params.items())))

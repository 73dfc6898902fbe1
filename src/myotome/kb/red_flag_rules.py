"""Reading and checking red_flags.yaml: the red-flag rules and the inputs they read.

Every rule has a unique code, an action, the clinician's text and its sources; every id an
input names is checked against the files read before it. Problems name the file, the rule or
input, and the field::

    table = parse_red_flags(raw, ctx.ids, problems)
    table.rule("cauda_equina").action  # 'refer_urgently'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from myotome.kb import model as m

FILE = "red_flags.yaml"
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")  # what acknowledged_red_flags accepts
_RULE_FIELDS = {"code", "name", "action", "when", "history", "back_pain", "text", "basis", "reason", "sources"}
_BASES = ("published", "convention")

# Input -> (the key holding its values, what the values must be: a file of ids, or a fixed vocabulary).
INPUTS: dict[str, tuple[str, str | tuple[str, ...]]] = {
    "back_pain_regions": ("regions", "regions"),
    "chest_regions": ("regions", "regions"),
    "saddle_regions": ("regions", "regions"),
    "saddle_changes": ("changes", m.SENSORY_CHANGES),
    "deficit_changes": ("changes", m.SENSORY_CHANGES),
    "leg_joints": ("joints", "joints"),
    "arm_joints": ("joints", "joints"),
    "key_movements": ("movements", "movements"),
    "marked_grade": ("grade", ()),
    "drops": ("", "movements"),
    "pathological_signs": ("reflexes", "reflexes"),
}


class _Reader:
    def __init__(self, ids: Mapping[str, Mapping[str, Any]], problems: list[str]):
        self.ids = ids
        self.problems = problems

    def problem(self, where: str, text: str) -> None:
        self.problems.append(f"{FILE}: {where}: {text}")

    def sources(self, where: str, raw: Any) -> tuple[str, ...]:
        if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
            self.problem(where, f"cite the references behind it in 'sources' (a list of reference ids), got {raw!r}")
            return ()
        for source in raw:
            if source not in self.ids["references"]:
                self.problem(where, f"unknown reference id '{source}' in 'sources'")
        return tuple(raw)

    def text(self, where: str, raw: Any, what: str) -> str:
        if not isinstance(raw, str) or not raw.strip():
            self.problem(where, f"'{what}' must be non-empty text, got {raw!r}")
            return ""
        return " ".join(raw.split())

    def values(self, where: str, raw: Any, kind: str | tuple[str, ...]) -> tuple[str, ...]:
        """A list of ids (checked against a file, or the movements' joints) or of fixed words."""
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            self.problem(where, f"expected a list, got {raw!r}")
            return ()
        if isinstance(kind, tuple):
            allowed: Any = kind
        elif kind == "joints":
            allowed = {mv.joint for mv in self.ids["movements"].values()}
        else:
            allowed = self.ids[kind]
        for value in raw:
            if value not in allowed:
                what = "word" if isinstance(kind, tuple) else ("joint" if kind == "joints" else kind.rstrip("s") + " id")
                self.problem(where, f"unknown {what} '{value}'; expected one of {', '.join(sorted(allowed))}")
        return tuple(raw)


def parse_red_flags(raw: Any, ids: Mapping[str, Mapping[str, Any]], problems: list[str]) -> m.RedFlagTable | None:
    """The red-flag table in ``raw`` (red_flags.yaml read as YAML), or None after adding problems."""
    if not isinstance(raw, dict) or not isinstance(raw.get("meta"), dict) or raw["meta"].get("entity") != "red_flags":
        problems.append(f"{FILE}: expected a 'meta' block with entity: red_flags, then 'inputs' and 'rules'")
        return None
    before = len(problems)
    reader = _Reader(ids, problems)
    for key in sorted(set(raw) - {"meta", "inputs", "rules"}):
        reader.problem(f"entry '{key}'", "unknown; the file holds meta, inputs and rules")
    inputs = _inputs(reader, raw.get("inputs"))
    rules = _rules(reader, raw.get("rules"))
    if len(problems) > before:
        return None
    values = {name: entry.values for name, entry in inputs.items()}
    drops = raw["inputs"]["drops"]
    return m.RedFlagTable(
        rules=rules,
        back_pain_regions=values["back_pain_regions"],
        chest_regions=values["chest_regions"],
        saddle_regions=values["saddle_regions"],
        saddle_changes=values["saddle_changes"],
        deficit_changes=values["deficit_changes"],
        leg_joints=values["leg_joints"],
        arm_joints=values["arm_joints"],
        key_movements=values["key_movements"],
        marked_grade=int(raw["inputs"]["marked_grade"]["grade"]),
        drops={name: tuple(movements) for name, movements in drops.items() if name not in ("reason", "sources")},
        pathological_signs=values["pathological_signs"],
        positive_grades=tuple(raw["inputs"]["pathological_signs"]["grades"]),
        inputs=inputs,
    )


def _inputs(reader: _Reader, raw: Any) -> dict[str, m.RedFlagInput]:
    if not isinstance(raw, dict):
        reader.problem("inputs", f"expected a mapping of input name to its values, reason and sources, got {raw!r}")
        return {}
    for name in sorted(set(raw) - set(INPUTS)):
        reader.problem(f"input '{name}'", f"unknown; the inputs are {', '.join(INPUTS)}")
    out = {}
    for name, (key, kind) in INPUTS.items():
        where = f"input '{name}'"
        entry = raw.get(name)
        if not isinstance(entry, dict):
            reader.problem(where, "missing; give its values, a reason and sources")
            continue
        reason = reader.text(where, entry.get("reason"), "reason")
        sources = reader.sources(where, entry.get("sources"))
        if name == "drops":
            values = _drops(reader, where, entry)
        elif name == "marked_grade":
            grade = entry.get("grade")
            if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 4:
                reader.problem(where, f"'grade' must be a whole MRC grade from 0 to 4, got {grade!r}")
            values = (str(grade),)
        else:
            extra = {"grades"} if name == "pathological_signs" else set()
            for field in sorted(set(entry) - {key, "reason", "sources"} - extra):
                reader.problem(where, f"unknown field '{field}'")
            values = reader.values(f"{where}, field '{key}'", entry.get(key), kind)
            if name == "pathological_signs":
                _signs(reader, where, entry, values)
        out[name] = m.RedFlagInput(name, values, reason, sources)
    return out


def _drops(reader: _Reader, where: str, entry: dict[str, Any]) -> tuple[str, ...]:
    named = {k: v for k, v in entry.items() if k not in ("reason", "sources")}
    if not named:
        reader.problem(where, "name at least one drop, such as foot_drop: [ankle_dorsiflexion]")
    out: list[str] = []
    for drop, movements in named.items():
        out += reader.values(f"{where}, field '{drop}'", movements, "movements")
    return tuple(out)


def _signs(reader: _Reader, where: str, entry: dict[str, Any], reflexes: tuple[str, ...]) -> None:
    for reflex_id in reflexes:
        reflex = reader.ids["reflexes"].get(reflex_id)
        if reflex is not None and reflex.kind != "pathological":
            reader.problem(f"{where}, field 'reflexes'", f"'{reflex_id}' is a {reflex.kind} reflex, not a pathological sign")
    reader.values(f"{where}, field 'grades'", entry.get("grades"), m.REFLEX_GRADES)


def _rules(reader: _Reader, raw: Any) -> tuple[m.RedFlagRule, ...]:
    if not isinstance(raw, list) or not raw:
        reader.problem("rules", f"expected a list of rules, got {raw!r}")
        return ()
    rules: list[m.RedFlagRule] = []
    seen: set[str] = set()
    for n, entry in enumerate(raw, 1):
        code = entry.get("code") if isinstance(entry, dict) else None
        where = f"rule '{code}'" if isinstance(code, str) else f"rule {n}"
        if not isinstance(entry, dict):
            reader.problem(where, f"expected a mapping, got {entry!r}")
            continue
        for field in sorted(set(entry) - _RULE_FIELDS):
            reader.problem(where, f"unknown field '{field}'; allowed fields are {', '.join(sorted(_RULE_FIELDS))}")
        if not isinstance(code, str) or not _CODE.match(code):
            reader.problem(
                where, f"'code' must be lower-case letters, digits and underscores (as acknowledged_red_flags takes), got {code!r}"
            )
            continue
        if code in seen:
            reader.problem(where, "duplicate code: every code must be unique")
        seen.add(code)
        action = entry.get("action")
        if action not in m.RED_FLAG_ACTIONS:
            reader.problem(where, f"'action' {action!r}; expected one of {', '.join(m.RED_FLAG_ACTIONS)}")
        basis = entry.get("basis")
        if basis not in _BASES:
            reader.problem(where, f"'basis' {basis!r}; expected one of {', '.join(_BASES)}")
        reason = entry.get("reason")
        if basis == "convention" and not (isinstance(reason, str) and reason.strip()):
            reader.problem(where, "a convention needs its 'reason'")
        when, history, back_pain = _trigger(reader, where, entry)
        rules.append(
            m.RedFlagRule(
                code=code,
                name=reader.text(where, entry.get("name"), "name"),
                action=str(action),
                text=reader.text(where, entry.get("text"), "text"),
                basis=str(basis),
                sources=reader.sources(where, entry.get("sources")),
                when=when,
                history=history,
                back_pain=back_pain,
                reason=" ".join(reason.split()) if isinstance(reason, str) else None,
            )
        )
    _history_covered(reader, rules)
    return tuple(sorted(rules, key=lambda rule: rule.urgency if rule.action in m.RED_FLAG_ACTIONS else 0))


def _trigger(reader: _Reader, where: str, entry: dict[str, Any]) -> tuple[tuple[str, ...], str | None, str]:
    """A rule's ``when`` triggers, or its ``history`` code and ``back_pain``: one or the other."""
    when, history, back_pain = entry.get("when"), entry.get("history"), entry.get("back_pain")
    if (when is None) == (history is None):
        reader.problem(where, "give either 'when' (a list of triggers) or 'history' (a history code), not both or neither")
        return (), None, "any"
    if when is not None:
        if back_pain is not None:
            reader.problem(where, "'back_pain' goes with 'history' only")
        if not isinstance(when, list) or not when or not all(isinstance(t, str) for t in when):
            reader.problem(where, f"'when' must list triggers, got {when!r}")
            return (), None, "any"
        for trigger in when:
            if trigger not in m.RED_FLAG_TRIGGERS:
                reader.problem(where, f"unknown trigger '{trigger}' in 'when'; expected one of {', '.join(m.RED_FLAG_TRIGGERS)}")
        return tuple(when), None, "any"
    if history not in m.RED_FLAG_HISTORY:
        reader.problem(where, f"unknown history code {history!r}; expected one of {', '.join(m.RED_FLAG_HISTORY)}")
    if back_pain not in m.BACK_PAIN:
        reader.problem(where, f"'back_pain' {back_pain!r}; expected one of {', '.join(m.BACK_PAIN)}")
        back_pain = "any"
    return (), str(history), str(back_pain)


def _history_covered(reader: _Reader, rules: list[m.RedFlagRule]) -> None:
    """Every history code raises a flag, with back pain and without: none is recorded for nothing."""
    for code in m.RED_FLAG_HISTORY:
        kinds = [rule.back_pain for rule in rules if rule.history == code]
        missing = [case for case in ("with", "without") if "any" not in kinds and case not in kinds]
        if missing:
            reader.problem(f"history '{code}'", f"no rule raises a flag for it {' or '.join(missing)} back pain")
        if len(kinds) != len(set(kinds)) or ("any" in kinds and len(kinds) > 1):
            reader.problem(f"history '{code}'", "more than one rule raises a flag for it in the same case")

"""Scoring outcome measures by their published rules: one entry point, small rule functions.

result = score("quickdash", [1, 2, 3, 1, 1, 2, 1, 1, 2, 1, None])
result.score, result.valid  # (12.5, True): one missing item is allowed
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from myotome.outcomes.definitions import NOT_APPLICABLE, Measure, Part, Value, load_measures

Responses = dict[str, list[Value | None]]
Subscales = dict[str, float | None]


class OutcomeInputError(ValueError):
    """Responses that cannot be scored as given: the message names the item and what is allowed."""


@dataclass(frozen=True)
class Score:
    """A scored form with everything needed to re-check it later.

    ``responses`` holds every item response by part, exactly as scored; ``missing_rule`` names
    whose rule was applied ("published" or "project") and what it says.
    """

    measure: Measure
    score: float | None
    subscales: Subscales
    valid: bool
    reason: str | None
    responses: Responses
    activity_names: tuple[str, ...] = field(default=())

    @property
    def instrument_version(self) -> str:
        return self.measure.instrument_version

    @property
    def scoring_rule_version(self) -> str:
        return self.measure.scoring_rule_version

    @property
    def missing_rule(self) -> str:
        return f"{self.measure.missing.by}: {self.measure.missing.rule}"

    def as_json(self) -> dict[str, Any]:
        """The result object `myotome outcomes score --json` prints (issue 11's keys)."""
        m = self.measure
        return {
            "measure": m.id,
            "score": self.score,
            "subscales": self.subscales,
            "range": list(m.range),
            "better": m.better,
            "mcid": mcid_json(m),
            "valid": self.valid,
            "reason": self.reason,
        }

    def record(self) -> dict[str, Any]:
        """What is stored with every score: the result plus responses and the versions of instrument and rule."""
        return {
            **self.as_json(),
            "responses": self.responses,
            "activity_names": list(self.activity_names),
            "instrument_version": self.instrument_version,
            "scoring_rule_version": self.scoring_rule_version,
            "missing_rule": self.missing_rule,
        }


def mcid_json(m: Measure) -> dict[str, Any]:
    return {"value": m.mcid.value, "basis": m.mcid.basis, "source": m.mcid.source, "subscales": dict(m.mcid.subscales)}


def score(measure_id: str, responses: Any) -> Score:
    """Score one completed form; ``responses`` as the CLI takes them (a list, or an object by part).

    score("ndi", [1, 2, 0, 1, 3, 2, 1, 0, 2, 1]).score  # 13.0
    score("psfs", {"activities": [{"name": "stairs", "score": 4}, ...]})
    """
    measures = load_measures()
    if measure_id not in measures:
        raise OutcomeInputError(f"unknown measure {measure_id!r}; known measures: {', '.join(measures)}")
    measure = measures[measure_id]
    names: tuple[str, ...] = ()
    if measure.activities is not None:
        names, parsed = _parse_activities(measure, responses)
    else:
        parsed = _parse_parts(measure, responses)
    reason = _too_many_missing(measure, parsed)
    if reason is not None:
        return Score(measure, None, {}, False, reason, parsed, names)
    value, subscales, note = RULES[measure.scoring](measure, parsed)
    return Score(measure, _round(value), {k: _round(v) for k, v in subscales.items()}, True, note, parsed, names)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- reading the responses -------------------------------------------------------------------


def _parse_parts(measure: Measure, responses: Any) -> Responses:
    required = [p for p in measure.parts if not p.optional]
    if isinstance(responses, list):
        expected = sum(p.items for p in required)
        if len(responses) != expected:
            raise OutcomeInputError(f"{measure.id} expects {expected} item values in order, got {len(responses)}")
        parsed: Responses = {}
        start = 0
        for part in required:
            parsed[part.id] = _check_values(measure, part, responses[start : start + part.items])
            start += part.items
        return parsed
    if isinstance(responses, dict):
        known = {p.id for p in measure.parts}
        unknown = sorted(set(responses) - known)
        if unknown:
            raise OutcomeInputError(f"{measure.id} has no part {unknown[0]!r}; its parts are {', '.join(sorted(known))}")
        parsed = {}
        for part in measure.parts:
            if part.id not in responses:
                if part.optional:
                    continue
                raise OutcomeInputError(f"{measure.id} needs the part {part.id!r} ({part.items} item values)")
            values = responses[part.id]
            if not isinstance(values, list) or len(values) != part.items:
                got = f"{len(values)} values" if isinstance(values, list) else type(values).__name__
                raise OutcomeInputError(f"{measure.id} part {part.id!r} expects a list of {part.items} item values, got {got}")
            parsed[part.id] = _check_values(measure, part, values)
        return parsed
    raise OutcomeInputError(f"{measure.id} responses must be a JSON array of item values (null for missing) or an object by part")


def _parse_activities(measure: Measure, responses: Any) -> tuple[tuple[str, ...], Responses]:
    assert measure.activities is not None
    low, high = measure.activities
    activities = responses.get("activities") if isinstance(responses, dict) else None
    if not isinstance(activities, list):
        raise OutcomeInputError(f'{measure.id} responses must be {{"activities": [{{"name": ..., "score": ...}}, ...]}}')
    if not low <= len(activities) <= high:
        raise OutcomeInputError(f"{measure.id} takes {low} to {high} patient-chosen activities, got {len(activities)}")
    names: list[str] = []
    for n, activity in enumerate(activities, start=1):
        name = activity.get("name") if isinstance(activity, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise OutcomeInputError(f"{measure.id} activity {n}: needs a non-empty 'name' (the activity the patient chose)")
        names.append(name.strip())
    part = measure.parts[0]
    scores = [a.get("score") for a in activities]
    return tuple(names), {part.id: _check_values(measure, part, scores, label="activity")}


def _check_values(measure: Measure, part: Part, values: Sequence[Any], label: str = "item") -> list[Value | None]:
    checked: list[Value | None] = []
    for index, value in enumerate(values):
        allowed = part.allowed(index)
        if value is None:
            checked.append(None)
        elif isinstance(value, bool) or value not in allowed or type(value) is float:
            where = f"{measure.id} {label} {index + 1}" + ("" if part.id in ("items", "activities") else f" of part {part.id!r}")
            shown = ", ".join(str(a) for a in allowed)
            raise OutcomeInputError(f"{where}: {value!r} is not allowed; allowed values are {shown}, or null for missing")
        else:
            checked.append(value)
    return checked


def _unanswered(values: Sequence[Value | None]) -> int:
    return sum(1 for v in values if v is None or v == NOT_APPLICABLE)


def _noun(part: Part) -> str:
    return {"items": "item", "activities": "activity"}.get(part.id, f"{part.id} item")


def _too_many_missing(measure: Measure, parsed: Responses) -> str | None:
    """Why the form cannot be scored, or None. Optional modules are judged in their own rule."""
    total = 0
    for part in measure.parts:
        if part.optional or part.id not in parsed:
            continue
        values = parsed[part.id]
        missing = _unanswered(values)
        total += missing
        noun = _noun(part)
        if missing == len(values):
            return f"{measure.id}: every {noun} is missing or not applicable"
        if part.max_missing is not None and missing > part.max_missing:
            return f"{measure.id}: {missing} of {len(values)} {noun}s missing or not applicable; the rule allows at most {part.max_missing}"
    if total > measure.missing.max_missing:
        items = "item" if total == 1 else "items"
        return f"{measure.id}: {total} {items} missing or not applicable; the rule allows at most {measure.missing.max_missing}"
    return None


# --- the rules ------------------------------------------------------------------------------

RuleResult = tuple[float, Subscales, str | None]


def _answered(values: Sequence[Value | None]) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def _mean(values: Sequence[Value | None]) -> float:
    answered = _answered(values)
    return sum(answered) / len(answered)


def _percent(values: Sequence[Value | None], item_max: int) -> float:
    """Sum over the answered items out of their maximum, as a percentage (ODI, SPADI, FAAM, FFI)."""
    answered = _answered(values)
    return sum(answered) / (item_max * len(answered)) * 100


def _prorated_sum(values: Sequence[Value | None]) -> float:
    """The sum with each missing item replaced by the mean of the answered items (NDI, LEFS, PRTEE)."""
    return _mean(values) * len(values)


def _item_max(part: Part) -> int:
    return max(v for v in part.values[0] if isinstance(v, int))


def _raw(measure: Measure, parsed: Responses) -> RuleResult:
    return float(_answered(parsed["items"])[0]), {}, None


def _activity_mean(measure: Measure, parsed: Responses) -> RuleResult:
    return _mean(parsed["activities"]), {}, None


def _dash(measure: Measure, parsed: Responses) -> RuleResult:
    """((sum / answered) - 1) x 25 for the 11 items; each optional module the same over its 4 items."""
    subscales: Subscales = {}
    notes = []
    for part in measure.parts:
        if not part.optional or part.id not in parsed:
            continue
        missing = _unanswered(parsed[part.id])
        if part.max_missing is not None and missing > part.max_missing:
            subscales[part.id] = None
            notes.append(f"{part.id} module not scored: {missing} of {part.items} items missing; all {part.items} are needed")
        else:
            subscales[part.id] = (_mean(parsed[part.id]) - 1) * 25
    return (_mean(parsed["items"]) - 1) * 25, subscales, "; ".join(notes) or None


def _percent_of_maximum(measure: Measure, parsed: Responses) -> RuleResult:
    return _percent(parsed["items"], _item_max(measure.parts[0])), {}, None


def _prorated(measure: Measure, parsed: Responses) -> RuleResult:
    return _prorated_sum(parsed["items"]), {}, None


def _weighted_sum(measure: Measure, parsed: Responses) -> RuleResult:
    return float(sum(_answered(parsed["items"]))), {}, None


def _prtee(measure: Measure, parsed: Responses) -> RuleResult:
    """Pain = sum of 5 (0-50); function = sum of 10 / 2 (0-50); total = pain + function."""
    pain = _prorated_sum(parsed["pain"])
    function = _prorated_sum(parsed["function"]) / 2
    return pain + function, {"pain": pain, "function": function}, None


def _subscale_percents(measure: Measure, parsed: Responses) -> dict[str, float]:
    return {p.id: _percent(parsed[p.id], _item_max(p)) for p in measure.parts if p.id in parsed}


def _mean_of_subscales(measure: Measure, parsed: Responses) -> RuleResult:
    """SPADI and FFI: each subscale over its answered items; the total is the subscales' mean."""
    subscales = _subscale_percents(measure, parsed)
    return sum(subscales.values()) / len(subscales), dict(subscales), None


def _faam(measure: Measure, parsed: Responses) -> RuleResult:
    """ADL is the score; Sports, when given, a subscale judged by its own limit."""
    sports_part = measure.part("sports")
    subscales: Subscales = {"adl": _percent(parsed["adl"], 4)}
    note = None
    if "sports" in parsed:
        missing = _unanswered(parsed["sports"])
        if sports_part.max_missing is not None and missing > sports_part.max_missing:
            subscales["sports"] = None
            note = f"sports not scored: {missing} of {sports_part.items} items missing or not applicable; the rule allows at most {sports_part.max_missing}"
        else:
            subscales["sports"] = _percent(parsed["sports"], 4)
    adl = subscales["adl"]
    assert adl is not None
    return adl, subscales, note


RULES: Mapping[str, Callable[[Measure, Responses], RuleResult]] = {
    "raw": _raw,
    "activity_mean": _activity_mean,
    "dash": _dash,
    "percent_of_maximum": _percent_of_maximum,
    "prorated_sum": _prorated,
    "weighted_sum": _weighted_sum,
    "prtee": _prtee,
    "spadi": _mean_of_subscales,
    "ffi": _mean_of_subscales,
    "faam": _faam,
}

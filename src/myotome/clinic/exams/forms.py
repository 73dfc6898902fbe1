"""The exam form: parse what was posted, keep every value as typed, and say what is wrong.

The form has a fixed part (range of motion, reflexes, paraspinal levels, the session's
dose factors), a variable part (tender bands and zone signs marked on the chart or
added from the searchable list, rows of weakness) and small "add" controls that work
without JavaScript: each post re-renders the page with everything kept, and only
"Save" or "Save draft" stores anything::

    form = ExamForm.from_post(request.POST, kb)
    if form.action == "save" and form.validate(): exam_input = form.exam_input
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from myotome.clinic import input_limits
from myotome.clinic.exams import catalogue, focus
from myotome.clinic.exams.findings import Band, ExamInput, Weak, ZoneSign, muscle_record
from myotome.kb import KnowledgeBase
from myotome.kb.search import resolve

SAVE_ACTIONS = ("save", "draft")
EDIT_ACTIONS = ("add_band", "add_zone", "more_weakness", "refresh")
BLANK_WEAKNESS_ROWS = 2
MAX_MARKS = 200  # a page can hold many marks, but not an unbounded post
MAX_WEAKNESS_ROWS = 50
# Every single value of the form is a name, a number or a choice: none is longer than a name.
MAX_VALUE = input_limits.KB_NAME
ZONE_SIGN_CHOICES = [
    *(("skin:" + v, label.split(" (")[0]) for v, label in catalogue.SKIN_SIGNS),
    *(("sensory:" + v, label) for v, label in catalogue.SENSORY_CHANGES),
]
SIDE_CHOICES = (("right", "Right"), ("left", "Left"), ("bilateral", "Both sides"))
GRADE_CHOICES = tuple((str(g), f"{g}/5") for g in range(5))
# The free-text notes: several lines each, within the clinic's limit for notes.
NOTE_FIELDS = {"history_note": "Subjective history", "exam_note": "Exam notes"}


@dataclass
class WeakRow:
    """One row of the weakness table, as typed."""

    name: str = ""
    side: str = "right"
    grade: str = ""
    error: str = ""


@dataclass
class Lookup:
    """The answer to an "add" from the searchable list: an error and suggestions, or what was added."""

    kind: str  # "band" | "zone"
    query: str
    error: str = ""
    suggestions: tuple[str, ...] = ()
    added: str = ""


@dataclass
class ExamForm:
    kb: KnowledgeBase
    values: dict[str, str] = field(default_factory=dict)  # every single-valued input, as typed
    bands: list[Band] = field(default_factory=list)
    zones: list[ZoneSign] = field(default_factory=list)
    weakness: list[WeakRow] = field(default_factory=list)
    action: str = ""
    errors: dict[str, str] = field(default_factory=dict)  # input name -> what is wrong
    lookup: Lookup | None = None
    exam_input: ExamInput | None = None
    refused: dict[str, str] = field(default_factory=dict)  # marks that were posted but could not be read
    history: list[str] = field(default_factory=list)  # the red-flag screen's history codes ticked
    acknowledged: list[str] = field(default_factory=list)  # red-flag codes ticked as acknowledged
    # The parts of the body the complaint touches (focus.PARTS): they open their groups of the form.
    parts: set[str] = field(default_factory=set)
    # The ladder rung just tapped without JavaScript ("C5-C6:right"): the page comes back focused on it.
    cycled: str = ""
    default_side: str = "right"  # the complaint's side: the side of a new weakness row

    # -- building ----------------------------------------------------------------------

    @classmethod
    def from_input(cls, data: ExamInput, kb: KnowledgeBase, default_side: str = "right") -> ExamForm:
        """A form showing a stored exam (a draft, or the exam copied forward)."""
        form = cls(kb, values=_adder_defaults(default_side), default_side=default_side)
        form.bands = list(data.bands)
        form.zones = list(data.zones)
        for (movement_id, side), value in data.rom.items():
            form.values[_rom_name(movement_id, side)] = f"{value:g}"
        for (reflex_id, side), grade in data.reflexes.items():
            form.values[f"reflex_{reflex_id}_{side}"] = grade
        for (level, side), sign in data.levels.items():
            form.values[f"para_{level}_{side}"] = sign
        form.values.update(build=data.build, temperament=data.temperament)
        form.values.update(needle_fear="on" if data.needle_fear else "", first_session="on" if data.first_session else "")
        form.values.update(sphincter=data.sphincter, cardiac_screen=data.cardiac_screen)
        form.values["pregnancy_trimester"] = "" if data.pregnancy_trimester is None else str(data.pregnancy_trimester)
        form.history, form.acknowledged = list(data.history), list(data.acknowledged)
        form.values.update(history_note=data.history_note, exam_note=data.exam_note)
        for weak in data.weakness:
            record = kb.movements.get(weak.record_id) if weak.kind == "movement" else muscle_record(kb, weak.record_id)
            name = record.name if record is not None else weak.record_id
            form.weakness.append(WeakRow(name, weak.side, "" if weak.grade is None else str(weak.grade)))
        form._pad_weakness()
        return form

    @classmethod
    def from_post(cls, post: QueryDict, kb: KnowledgeBase, default_side: str = "right") -> ExamForm:
        """The form as posted. A value the text policy refuses is kept out of ``values`` and
        named in ``refused``: nothing is cut short or cleaned into something else."""
        form = cls(kb, default_side=default_side)
        for name in form.scalar_names():
            raw = post.get(name, "").strip()
            problem = input_limits.text_problem(raw, MAX_VALUE)
            if problem:
                form.refused[name] = f"{form.scalar_label(name)}: {problem}"
            else:
                form.values[name] = raw
        for name, label in NOTE_FIELDS.items():
            # Line breaks are kept as typed; only the ends are trimmed.
            raw = post.get(name, "").strip()
            problem = input_limits.text_problem(raw, input_limits.NOTES, multi_line=True)
            if problem:
                form.refused[name] = f"{label}: {problem}"
            # A note that is only too long is shown back whole, to be shortened; one with control characters is not shown.
            if not problem or input_limits.text_problem(raw, len(raw), multi_line=True) is None:
                form.values[name] = raw
        form.history, form.acknowledged = _screen_lists(post, kb, form.refused)
        form.bands, bad_bands, bad_severities = _bands(post, kb)
        form.zones, bad_zones = _zones(post, kb)
        band_problems = []
        if bad_bands:
            band_problems.append(
                f"Tender band {', '.join(_quoted(t) for t in bad_bands)} is not a muscle and side (left or right) the knowledge base knows; mark it again."
            )
        band_problems += [
            f"Tender band {where}: severity {severity} is not 1, 2 or 3; choose 1 (mild), 2 or 3 (severe)."
            for where, severity in bad_severities
        ]
        if band_problems:
            form.refused["band"] = " ".join(band_problems)
        if bad_zones:
            form.refused["zone"] = (
                f"Skin or sensory mark {', '.join(_quoted(t) for t in bad_zones)} is not a body area, side and sign the form knows; mark it again."
            )
        for name, label in (("band", "Tender bands"), ("zone", "Skin and sensory marks")):
            if (count := len(post.getlist(name))) > MAX_MARKS:
                form.refused[name] = (
                    f"{label}: {count:,} were posted; an exam holds at most {MAX_MARKS}, so save fewer and add the rest in a new exam."
                )
        names, sides, grades = post.getlist("weak_name"), post.getlist("weak_side"), post.getlist("weak_grade")
        if len(names) > MAX_WEAKNESS_ROWS:
            form.refused["weakness_rows"] = f"Weakness: the table has {len(names):,} rows; it takes at most {MAX_WEAKNESS_ROWS}."
        for i, name in enumerate(names[:MAX_WEAKNESS_ROWS]):
            form.weakness.append(WeakRow(name.strip(), _at(sides, i, "right"), _at(grades, i, "").strip()))
        form.action = _action(post)
        form._apply_edit(post)
        form._pad_weakness()
        # Shown on every page, not only on save: a refused value is never dropped without a word.
        form.errors.update(form.refused)
        return form

    def scalar_names(self) -> list[str]:
        names = [
            "build",
            "temperament",
            "needle_fear",
            "first_session",
            "sphincter",
            "cardiac_screen",
            "pregnancy_trimester",
            "band_name",
            "band_side",
            "band_severity",
            "zone_name",
            "zone_side",
            "zone_sign",
        ]
        names += [row.field(side) for row in catalogue.rom_rows(self.kb) for side in row.sides]
        names += [f"reflex_{r.id}_{side}" for r in catalogue.reflexes(self.kb) for side in catalogue.SIDES]
        names += [f"para_{level}_{side}" for level in catalogue.LEVELS for side in catalogue.SIDES]
        return names

    def scalar_label(self, name: str) -> str:
        """The label of a single-valued input, as its error messages name it."""
        for row in catalogue.rom_rows(self.kb):
            for side in row.sides:
                if row.field(side) == name:
                    return row.label + ("" if side == "bilateral" else f", {side}")
        for reflex in catalogue.reflexes(self.kb):
            for side in catalogue.SIDES:
                if name == f"reflex_{reflex.id}_{side}":
                    return f"{reflex.name}, {side}"
        if name.startswith("para_"):
            _, level, side = name.split("_", 2)
            return f"Paraspinal {level}, {side}"
        return _ADDER_LABELS.get(name, name.replace("_", " ").capitalize())

    # -- the "add" and "remove" buttons --------------------------------------------------

    def _apply_edit(self, post: QueryDict) -> None:
        if post.get("cycle_level"):
            self._cycle_level(post["cycle_level"])
        elif post.get("remove_band"):
            self.bands = [b for b in self.bands if b.token != post["remove_band"]]
        elif post.get("remove_zone"):
            self.zones = [z for z in self.zones if z.token != post["remove_zone"]]
        elif post.get("pick_band"):
            self._add_band(post["pick_band"])
        elif post.get("pick_zone"):
            self._add_zone(post["pick_zone"])
        elif self.action == "add_band" or (self.action == "refresh" and self.values.get("band_name")):
            self._add_band(self.values.get("band_name", ""))
        elif self.action == "add_zone" or (self.action == "refresh" and self.values.get("zone_name")):
            self._add_zone(self.values.get("zone_name", ""))
        elif self.action == "more_weakness":
            self.weakness += [WeakRow(side=self.default_side) for _ in range(3)]

    def _cycle_level(self, token: str) -> None:
        """One tap on the spine ladder: clear -> tender -> thickened -> clear (a value it does not know clears)."""
        level, _, side = token.rpartition(":")
        if level not in catalogue.LEVELS or side not in catalogue.SIDES:
            return
        name = f"para_{level}_{side}"
        self.values[name] = next_level_sign(self.values.get(name, ""))
        self.cycled = token
        self.errors.pop(name, None)
        self.refused.pop(name, None)

    def _add_band(self, query: str) -> None:
        if refused := self._refused_adder("band", ("band_name", "band_side", "band_severity")):
            self.lookup = Lookup("band", "", refused)
            return
        found = resolve(self.kb, "muscle", query)
        if not found.ok:
            self.lookup = Lookup("band", query, found.error, found.suggestions)
            return
        severity_text = self.values.get("band_severity") or "2"
        side = self.values.get("band_side") or "right"
        if severity_text not in ("1", "2", "3") or side not in _ADDER_SIDES:
            self.lookup = Lookup(
                "band",
                query,
                f"Severity '{severity_text}' on side '{side}' cannot be added; choose severity 1, 2 or 3 and side right, left or both sides.",
            )
            return
        severity = int(severity_text)
        sides = _sides(side)
        for side in sides:
            self.bands = [b for b in self.bands if b.token != f"{found.record.id}:{side}"] + [Band(found.record.id, side, severity)]
        self.values["band_name"] = ""
        self.lookup = Lookup("band", query, added=f"{found.record.name} ({_side_words(sides)}), severity {severity}")

    def _add_zone(self, query: str) -> None:
        if refused := self._refused_adder("zone", ("zone_name", "zone_side", "zone_sign")):
            self.lookup = Lookup("zone", "", refused)
            return
        found = resolve(self.kb, "region", query)
        if not found.ok:
            self.lookup = Lookup("zone", query, found.error, found.suggestions)
            return
        sign_text = self.values.get("zone_sign") or "skin:trophedema"
        side = self.values.get("zone_side") or "right"
        kind, _, value = sign_text.partition(":")
        if not _valid_sign(kind, value) or side not in _ADDER_SIDES:
            self.lookup = Lookup(
                "zone",
                query,
                f"Sign '{sign_text}' on side '{side}' cannot be added; choose a sign from the list and side right, left or both sides.",
            )
            return
        sides = _sides(side)
        for side in sides:
            sign = ZoneSign(found.record.id, side, kind, value)
            # One sensory change per area and side: a new one replaces the old.
            self.zones = [
                z
                for z in self.zones
                if z.token != sign.token
                and not (kind == "sensory" and z.kind == "sensory" and (z.region_id, z.side) == (sign.region_id, side))
            ]
            self.zones.append(sign)
        self.values["zone_name"] = ""
        self.lookup = Lookup(
            "zone", query, added=f"{catalogue.sign_label(kind, value)} over {found.record.name.lower()} ({_side_words(sides)})"
        )

    def _refused_adder(self, kind: str, inputs: tuple[str, ...]) -> str:
        """The refusal of any of an "add" control's inputs, taken out of the summary into the control."""
        messages = [self.refused.pop(name) for name in inputs if name in self.refused]
        return " ".join(messages)

    def _pad_weakness(self) -> None:
        while sum(1 for row in self.weakness if not row.name and not row.grade) < BLANK_WEAKNESS_ROWS:
            self.weakness.append(WeakRow(side=self.default_side))

    # -- validation ------------------------------------------------------------------------

    def validate(self, *, require_findings: bool) -> bool:
        """Check every value; on success ``exam_input`` holds the exam. Errors name the field and the reason."""
        self.errors.update(self.refused)
        data = ExamInput(bands=list(self.bands), zones=list(self.zones))
        for row in catalogue.rom_rows(self.kb):
            for side in row.sides:
                name = row.field(side)
                value = self._rom_value(name, row, side)
                if value is not None:
                    data.rom[(row.id, side)] = value
        for reflex in catalogue.reflexes(self.kb):
            grades = dict(catalogue.grades_of(reflex))
            for side in catalogue.SIDES:
                name = f"reflex_{reflex.id}_{side}"
                grade = self.values.get(name, "")
                if grade and grade not in grades:
                    self.errors[name] = f"{reflex.name}, {side}: '{grade}' is not a grade; choose {_or_words(list(grades))}."
                elif grade:
                    data.reflexes[(reflex.id, side)] = grade
        signs = dict(catalogue.LEVEL_SIGNS)
        for level in catalogue.LEVELS:
            for side in catalogue.SIDES:
                name = f"para_{level}_{side}"
                sign = self.values.get(name, "")
                if sign and sign not in signs:
                    self.errors[name] = f"Paraspinal {level}, {side}: '{sign}' is not a sign; choose tender or thickened."
                elif sign:
                    data.levels[(level, side)] = sign
        for name, choices in (("build", catalogue.BUILDS), ("temperament", catalogue.TEMPERAMENTS)):
            value = self.values.get(name, "")
            if value and value not in dict(choices):
                self.errors[name] = f"{name.capitalize()}: '{value}' is not one of {', '.join(dict(choices))}."
            else:
                setattr(data, name, value)
        data.needle_fear = bool(self.values.get("needle_fear"))
        data.first_session = bool(self.values.get("first_session"))
        data.history_note, data.exam_note = self.values.get("history_note", ""), self.values.get("exam_note", "")
        self._screen(data)
        data.weakness = self._weakness()
        if require_findings and data.is_empty() and not self.errors:
            self.errors["findings"] = (
                "Nothing is recorded yet: mark a tender band or a zone, or fill in a range, reflex, level or weakness before saving."
            )
        if self.errors:
            return False
        self.exam_input = data
        return True

    def _screen(self, data: ExamInput) -> None:
        """The red-flag screen's answers: each a choice the form offers, named when it is not."""
        for name, label, choices in (
            ("sphincter", "Bladder or bowel", catalogue.SPHINCTER),
            ("cardiac_screen", "Cardiac screen", catalogue.CARDIAC_SCREEN),
        ):
            value = self.values.get(name, "")
            if value and value not in dict(choices):
                self.errors[name] = f"{label}: '{value}' is not one of {_or_words(list(dict(choices)))}."
            elif value:
                setattr(data, name, value)
        trimester = self.values.get("pregnancy_trimester", "")
        if trimester and trimester not in ("1", "2", "3"):
            self.errors["pregnancy_trimester"] = f"Trimester: '{trimester}' is not 1, 2 or 3; leave it empty when not pregnant."
        elif trimester:
            data.pregnancy_trimester = int(trimester)
        data.history, data.acknowledged = list(self.history), list(self.acknowledged)

    def _rom_value(self, name: str, row: catalogue.RomRow, side: str) -> float | None:
        raw = self.values.get(name, "")
        if not raw:
            return None
        where = row.label + ("" if side == "bilateral" else f", {side}")
        value = _rom_number(raw)
        unit = "degrees" if row.unit == "deg" else "millimetres"
        if value is None:
            self.errors[name] = (
                f"{where}: '{raw}' is not a number; enter the range reached in {unit}, e.g. {round(row.normal * 0.75 / 5) * 5:g}."
            )
            return None
        if value < 0:
            self.errors[name] = f"{where}: {value:g} is below 0; enter the range reached in {unit} (0 or more)."
            return None
        if value > row.normal * catalogue.ROM_MAX_FACTOR:
            self.errors[name] = (
                f"{where}: {value:g}{row.unit_symbol} is more than twice the normal {row.normal:g}{row.unit_symbol}; check the value."
            )
            return None
        return value

    def _weakness(self) -> list[Weak]:
        out: list[Weak] = []
        for number, row in enumerate(self.weakness, 1):
            row.error = ""
            found = resolve(self.kb, "weakness", row.name) if row.name else None
            if found is None:
                if row.grade:
                    row.error = f"Weakness row {number}: name the movement or muscle, or clear the grade."
            elif not found.ok:
                row.error = f"Weakness row {number}: {found.error}"
            elif row.side not in ("left", "right", "bilateral"):
                row.error = f"Weakness row {number}: side {_quoted(row.side)} must be right, left or both sides."
            elif row.grade and row.grade not in dict(GRADE_CHOICES):
                row.error = (
                    f"Weakness row {number}: MRC 5 is normal strength, not weakness; choose 0 to 4 or leave the grade empty."
                    if row.grade == "5"
                    else f"Weakness row {number}: grade {_quoted(row.grade)} is not an MRC grade; choose 0 to 4 or leave it empty."
                )
            else:
                out.append(Weak(found.kind, found.record.id, row.side, int(row.grade) if row.grade else None))
            if row.error:
                self.errors[f"weak_name_{number}"] = row.error
        return out

    # -- for the template ------------------------------------------------------------------

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def rom_table(self) -> list[dict[str, Any]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in catalogue.rom_rows(self.kb):
            cells = []
            for side in row.sides:
                name = row.field(side)
                raw = self.values.get(name, "")
                # Only for a value the form would accept: "-inf" or "1e999" must not reach the arithmetic.
                value = _rom_number(raw)
                plausible = value is not None and 0 <= value <= row.normal * catalogue.ROM_MAX_FACTOR and name not in self.errors
                restriction = catalogue.restriction(value, row.normal) if plausible and value is not None else None
                cells.append({"name": name, "side": side, "value": raw, "restriction": restriction, "error": self.errors.get(name, "")})
            groups.setdefault(row.group, []).append({"row": row, "cells": cells, "midline": row.sides == ("bilateral",)})
        return [
            {"group": group, "rows": rows, "open": self._opens(focus.ROM_GROUP_PARTS.get(group, set()), rows)}
            for group, rows in groups.items()
        ]

    def _opens(self, group_parts: set[str], rows: list[dict[str, Any]]) -> bool:
        """A group is open when the complaint touches it or when anything in it is filled in or wrong."""
        filled = any(cell["value"] or cell["error"] for row in rows for cell in row["cells"])
        return filled or focus.is_open(group_parts, self.parts)

    def reflex_groups(self) -> list[dict[str, Any]]:
        """The reflexes by limb, each group open when the complaint touches it or something is recorded."""
        rows = {r["reflex"].id: r for r in self.reflex_table()}
        groups = []
        for group, ids in catalogue.REFLEX_GROUPS:
            members = [rows[i] for i in ids if i in rows]
            groups.append({"group": group, "rows": members, "open": self._opens(focus.REFLEX_GROUP_PARTS[group], members)})
        return groups

    def reflex_table(self) -> list[dict[str, Any]]:
        return [
            {
                "reflex": reflex,
                "grades": catalogue.grades_of(reflex),
                "roots": "UMN sign" if reflex.pathological else ", ".join(reflex.roots.main),
                "cells": [
                    {
                        "name": f"reflex_{reflex.id}_{side}",
                        "side": side,
                        "value": self.values.get(f"reflex_{reflex.id}_{side}", ""),
                        "error": self.errors.get(f"reflex_{reflex.id}_{side}", ""),
                    }
                    for side in catalogue.SIDES
                ],
            }
            for reflex in catalogue.reflexes(self.kb)
        ]

    def level_table(self) -> list[dict[str, Any]]:
        """The spine ladder: per group of levels, each level with its left and right cell."""
        table = []
        for group, levels in catalogue.LEVEL_GROUPS:
            rows = [
                {
                    "level": level,
                    "interspace": "-" in level,
                    "cells": [self._level_cell(level, side) for side in catalogue.SIDES],
                }
                for level in levels
            ]
            marked = sum(1 for row in rows for cell in row["cells"] if cell["value"])
            table.append({"group": group, "levels": rows, "marked": marked, "open": self._opens(focus.LEVEL_GROUP_PARTS[group], rows)})
        return table

    def _level_cell(self, level: str, side: str) -> dict[str, Any]:
        name = f"para_{level}_{side}"
        value = self.values.get(name, "")
        return {
            "name": name,
            "side": side,
            "value": value,
            "label": dict(catalogue.LEVEL_SIGNS).get(value, ""),
            "token": f"{level}:{side}",
            "error": self.errors.get(name, ""),
        }

    def band_rows(self) -> list[dict[str, Any]]:
        rows = []
        for band in self.bands:
            record = muscle_record(self.kb, band.muscle_id)
            rows.append({"band": band, "name": record.name if record else band.muscle_id, "side": catalogue.side_label(band.side)})
        return rows

    def zone_rows(self) -> list[dict[str, Any]]:
        rows = []
        for zone in self.zones:
            region = self.kb.regions.get(zone.region_id)
            rows.append(
                {
                    "zone": zone,
                    "name": region.name if region else zone.region_id,
                    "dermatomes": ", ".join(region.dermatomes) if region else "",
                    "side": catalogue.side_label(zone.side),
                    "sign": catalogue.sign_label(zone.kind, zone.value),
                }
            )
        return rows

    def error_list(self) -> list[tuple[str, str]]:
        """(input id, message) in page order, for the error summary."""
        order = {name: i for i, name in enumerate(["findings", *self.scalar_names(), *NOTE_FIELDS])}
        return sorted(((name, message) for name, message in self.errors.items()), key=lambda item: (order.get(item[0], 10_000), item[0]))


# -- parsing helpers ----------------------------------------------------------------------


_ADDER_LABELS = {
    "band_name": "Tender band: muscle",
    "band_side": "Tender band: side",
    "band_severity": "Tender band: severity",
    "zone_name": "Skin or sensory mark: body area",
    "zone_side": "Skin or sensory mark: side",
    "zone_sign": "Skin or sensory mark: sign",
    "build": "Build",
    "temperament": "Temperament",
    "needle_fear": "Needle fear",
    "first_session": "First session",
}
_ADDER_SIDES = ("right", "left", "bilateral")


def _quoted(value: str) -> str:
    return f"'{input_limits.shown(value)}'"


def _adder_defaults(side: str) -> dict[str, str]:
    return {"band_side": side, "band_severity": "2", "zone_side": side, "zone_sign": "skin:trophedema"}


def _rom_name(movement_id: str, side: str) -> str:
    return f"rom_{movement_id}" if side == "bilateral" else f"rom_{movement_id}_{side}"


def _rom_number(raw: str) -> float | None:
    """A range as typed ("120", "120°", "35,5 mm") as a finite number, or None."""
    text = raw.replace(",", ".").removesuffix("°").removesuffix("deg").removesuffix("mm").strip()
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _at(values: list[str], index: int, default: str) -> str:
    return values[index] if index < len(values) else default


def _sides(side: str) -> tuple[str, ...]:
    return catalogue.SIDES if side == "bilateral" else (side,) if side in catalogue.SIDES else ("right",)


def _side_words(sides: tuple[str, ...]) -> str:
    return "both sides" if len(sides) == 2 else sides[0]


def _valid_sign(kind: str, value: str) -> bool:
    return (kind == "skin" and value in dict(catalogue.SKIN_SIGNS)) or (kind == "sensory" and value in dict(catalogue.SENSORY_CHANGES))


def _screen_lists(post: QueryDict, kb: KnowledgeBase, refused: dict[str, str]) -> tuple[list[str], list[str]]:
    """The history codes and acknowledged red flags ticked; anything the form does not offer is refused by name."""
    history_codes, ack_codes = dict(catalogue.HISTORY), {rule.code for rule in catalogue.acknowledgeable(kb)}
    history, acknowledged = post.getlist("history"), post.getlist("acknowledged")
    bad = [v for v in history if v not in history_codes]
    if bad:
        refused["history"] = f"History: {', '.join(_quoted(v) for v in bad)} is not a red-flag history the form offers; tick it again."
    bad = [v for v in acknowledged if v not in ack_codes]
    if bad:
        refused["acknowledged"] = (
            f"Acknowledged red flags: {', '.join(_quoted(v) for v in bad)} is not a red flag that can be acknowledged "
            "(an urgent referral never is); tick it again."
        )
    return list(dict.fromkeys(v for v in history if v in history_codes)), list(dict.fromkeys(v for v in acknowledged if v in ack_codes))


def next_level_sign(sign: str) -> str:
    """The spine ladder's cycle: clear -> tender -> thickened -> clear."""
    order = ["", *dict(catalogue.LEVEL_SIGNS)]
    return order[(order.index(sign) + 1) % len(order)] if sign in order else ""


def _or_words(values: list[str]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def _action(post: QueryDict) -> str:
    action = post.get("action", "")
    if action in SAVE_ACTIONS or action in EDIT_ACTIONS:
        return action
    edits = ("remove_band", "remove_zone", "pick_band", "pick_zone", "cycle_level")
    return "edit" if any(post.get(k) for k in edits) else "refresh"


def _bands(post: QueryDict, kb: KnowledgeBase) -> tuple[list[Band], list[str], list[tuple[str, str]]]:
    """Bands posted as ``band=<muscle id>:<side>`` with ``severity_<muscle id>_<side>``,
    the tokens that are not, and the bands whose severity is not 1-3 (as ("Supinator, right", "'7'")).

    A band with a bad severity is kept (at 2) so that the page can show it again; the form is refused.
    """
    bands: dict[str, Band] = {}
    bad: list[str] = []
    bad_severities: list[tuple[str, str]] = []
    for token in post.getlist("band")[:MAX_MARKS]:
        muscle_id, _, side = token.partition(":")
        record = muscle_record(kb, muscle_id)
        if record is None or side not in catalogue.SIDES:
            bad.append(token)
            continue
        severity = post.get(f"severity_{muscle_id}_{side}", "2")
        if severity not in ("1", "2", "3"):
            bad_severities.append((f"{record.name}, {side}", _quoted(severity)))
            severity = "2"
        bands[token] = Band(muscle_id, side, int(severity))
    return list(bands.values()), bad, bad_severities


def _zones(post: QueryDict, kb: KnowledgeBase) -> tuple[list[ZoneSign], list[str]]:
    """Zone signs posted as ``zone=<region id>:<side>:<skin|sensory>:<sign>``, and the tokens that are not."""
    zones: dict[str, ZoneSign] = {}
    bad: list[str] = []
    sensory_at: dict[tuple[str, str], str] = {}
    for token in post.getlist("zone")[:MAX_MARKS]:
        parts = token.split(":")
        if len(parts) != 4 or parts[0] not in kb.regions or parts[1] not in catalogue.SIDES or not _valid_sign(parts[2], parts[3]):
            bad.append(token)
            continue
        region_id, side, kind, value = parts
        if kind == "sensory":  # the last sensory change posted for an area and side wins
            old = sensory_at.get((region_id, side))
            if old:
                zones.pop(old, None)
            sensory_at[(region_id, side)] = token
        zones[token] = ZoneSign(region_id, side, kind, value)
    return list(zones.values()), bad

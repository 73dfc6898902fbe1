"""What the exam form holds, and the engine's Assessment it becomes (format 1.1).

The form works in knowledge-base ids (a tender band is ``extensor_carpi_radialis_brevis``
on the right) and so does the stored document: the Assessment's JSON dump, read by the
engine and by the pages as it is, names shown only when a page is drawn. Exams stored
before carry display names; the KB resolves both. Patient and complaint fields come
from the records, never from the form::

    assessment = build_assessment(exam_input, patient=patient, episode=episode, kb=kb)
    document = assessment_json(assessment)               # what Exam.document stores
    exam_input = input_from_document(document, kb)       # for drafts and copy forward
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from myotome.bodychart.marks import build_marks
from myotome.clinic.exams import catalogue, formats
from myotome.clinic.patients.models import Episode, Patient
from myotome.exam import Assessment, parse_assessment
from myotome.kb import KnowledgeBase, LookupFailed
from myotome.kb import model as m


@dataclass(frozen=True)
class Band:
    """A tender taut band in one muscle (or muscle group) on one side, severity 1-3."""

    muscle_id: str
    side: str
    severity: int = 2

    @property
    def token(self) -> str:
        return f"{self.muscle_id}:{self.side}"


@dataclass(frozen=True)
class ZoneSign:
    """A skin sign or a sensory change over one body area on one side."""

    region_id: str
    side: str
    kind: str  # "skin" | "sensory"
    value: str  # a skin sign (trophedema...) or a sensory change (reduced...)

    @property
    def token(self) -> str:
        return f"{self.region_id}:{self.side}:{self.kind}:{self.value}"


@dataclass(frozen=True)
class Weak:
    """Weakness of a movement or a muscle, with its MRC grade when recorded."""

    kind: str  # "movement" | "muscle"
    record_id: str
    side: str
    grade: int | None = None


@dataclass
class ExamInput:
    bands: list[Band] = field(default_factory=list)
    zones: list[ZoneSign] = field(default_factory=list)
    rom: dict[tuple[str, str], float] = field(default_factory=dict)  # (movement id, side) -> value
    weakness: list[Weak] = field(default_factory=list)
    reflexes: dict[tuple[str, str], str] = field(default_factory=dict)  # (reflex id, side) -> grade
    levels: dict[tuple[str, str], str] = field(default_factory=dict)  # (vertebral level, side) -> tender | thickened
    build: str = ""
    temperament: str = ""
    needle_fear: bool = False
    first_session: bool = False
    # The red-flag screen (format 1.1): history asked about and found, the sphincter and cardiac
    # answers, red flags acknowledged after referral or screening, and a pregnancy's trimester.
    history: list[str] = field(default_factory=list)
    sphincter: str = "not_asked"
    cardiac_screen: str = ""
    acknowledged: list[str] = field(default_factory=list)
    pregnancy_trimester: int | None = None
    # Free text, stored on the exam beside the document (never in it, never copied forward).
    history_note: str = ""
    exam_note: str = ""

    def is_empty(self) -> bool:
        return not (self.bands or self.zones or self.rom or self.weakness or self.reflexes or self.levels)


# -- names ------------------------------------------------------------------------


def muscle_record(kb: KnowledgeBase, muscle_id: str) -> m.Muscle | m.Group | None:
    return kb.muscles.get(muscle_id) or kb.groups.get(muscle_id)


def shown_name(kb: KnowledgeBase, kind: str, stored: str) -> str:
    """The display name of what a stored document names: a KB id (what the form stores) or,
    in an exam stored before, the name it was written with. Unknown to today's KB: as stored."""
    record = kb.index(kind).get(stored)
    return record.name if record is not None else stored


# -- form -> assessment ---------------------------------------------------------------


def patient_fields(patient: Patient, precautions: list[str], data: ExamInput, today: date | None = None) -> dict[str, Any]:
    fields: dict[str, Any] = {"age": min(120, max(0, patient.age(today)))}
    if patient.sex in ("female", "male", "other"):
        fields["sex"] = patient.sex
    if data.build:
        fields["build"] = data.build
    if data.temperament:
        fields["temperament"] = data.temperament
    fields["needle_fear"] = data.needle_fear
    fields["first_session"] = data.first_session
    fields["precautions"] = list(precautions)
    if data.pregnancy_trimester is not None:
        fields["pregnancy_trimester"] = data.pregnancy_trimester
    return fields


def screen_fields(data: ExamInput) -> dict[str, Any]:
    """The red-flag screen's answers, as the document's top-level fields (only what was recorded)."""
    fields: dict[str, Any] = {"history": list(data.history), "sphincter": data.sphincter}
    if data.cardiac_screen:
        fields["cardiac_screen"] = data.cardiac_screen
    fields["acknowledged_red_flags"] = list(data.acknowledged)
    return fields


def complaint_fields(episode: Episode, today: date | None = None) -> dict[str, Any]:
    """The episode's complaint in KB ids; an id the KB no longer knows is kept, and the engine names it as unresolved."""
    complaint: dict[str, Any] = {"regions": list(episode.regions), "side": episode.side}
    if episode.condition:
        complaint["condition"] = episode.condition
    if episode.pain is not None:
        complaint["pain"] = episode.pain
    if episode.onset_date is not None:
        days = ((today or date.today()) - episode.onset_date).days
        complaint["duration_weeks"] = round(max(0, days) / 7, 1)
    return complaint


def findings(data: ExamInput, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """The findings in examination order (spine, muscles, skin, root signs, then range), each naming its KB record by id."""
    out: list[dict[str, Any]] = []
    position = {level: i for i, level in enumerate(catalogue.LEVELS)}
    for (level, side), sign in sorted(data.levels.items(), key=lambda item: (position.get(item[0][0], 99), item[0][1])):
        out.append({"type": "paraspinal", "level": level, "side": side, "sign": sign})
    for band in data.bands:
        out.append({"type": "tender_band", "muscle": band.muscle_id, "side": band.side, "severity": band.severity})
    for zone in data.zones:
        if zone.kind == "skin":
            out.append({"type": "skin", "sign": zone.value, "region": zone.region_id, "side": zone.side})
        else:
            out.append({"type": "sensory", "region": zone.region_id, "change": zone.value, "side": zone.side})
    # Reflexes and range in the form's order, by looking up each value recorded rather than each field of the form.
    reflex_places = catalogue.reflex_places(kb)
    for reflex_id, side in sorted(data.reflexes.keys() & reflex_places.keys(), key=reflex_places.__getitem__):
        grade = data.reflexes[(reflex_id, side)]
        if grade:
            out.append({"type": "reflex", "reflex": reflex_id, "grade": grade, "side": side})
    for weak in data.weakness:
        finding: dict[str, Any] = {"type": "weakness", weak.kind: weak.record_id, "side": weak.side}
        if weak.grade is not None:
            finding["grade"] = weak.grade
        out.append(finding)
    rom = catalogue.rom_slots(kb)
    for movement_id, side in sorted(data.rom.keys() & rom.keys(), key=lambda key: rom[key][0]):
        value = data.rom[(movement_id, side)]
        if value is not None:
            out.append({"type": "rom", "movement": movement_id, "value": value, "unit": rom[(movement_id, side)][1].unit, "side": side})
    return out


def build_assessment(data: ExamInput, **context: Any) -> Assessment:
    """The exam as the engine's ``Assessment`` (format 1.1), every record named by its KB id.

    Raises InvalidAssessment, naming what is wrong, before anything is stored.
    """
    return parse_assessment(unchecked_document(data, **context))


def unchecked_document(
    data: ExamInput,
    *,
    patient: Patient,
    episode: Episode,
    kb: KnowledgeBase,
    precautions: list[str] | None = None,
    document_id: str | None = None,
    today: date | None = None,
) -> dict[str, Any]:
    """What ``build_assessment`` validates: patient fields from the record (precautions default to
    the active ones), the complaint from the episode, the findings from the form."""
    if precautions is None:
        precautions = [p.kind for p in patient.active_precautions()]
    document: dict[str, Any] = {"format": "1.1"}
    if document_id:
        document["id"] = document_id
    document["patient"] = patient_fields(patient, precautions, data, today)
    document["complaint"] = complaint_fields(episode, today)
    document["findings"] = findings(data, kb)
    document.update(screen_fields(data))
    return document


def assessment_json(assessment: Assessment) -> dict[str, Any]:
    """What is stored: the assessment's JSON dump, without the empty fields and the clinic's
    thoracic rule (a clinic setting, not something the exam form records)."""
    return stored_json(assessment.model_dump(mode="json", exclude_none=True))


def stored_json(dump: dict[str, Any]) -> dict[str, Any]:
    """``assessment_json`` of a dump made elsewhere (``myotome.batch.check_and_assess``)."""
    if dump.get("thoracic_needling") != "allowed":
        return dump
    return {key: value for key, value in dump.items() if key != "thoracic_needling"}


def build_document(data: ExamInput, **context: Any) -> dict[str, Any]:
    """The stored document of ``build_assessment(data, **context)``: the same exam, as JSON."""
    return assessment_json(build_assessment(data, **context))


# -- document -> form ------------------------------------------------------------------


def _sides(side: str) -> tuple[str, ...]:
    return catalogue.SIDES if side == "bilateral" else (side,)


def input_from_document(document: dict[str, Any], kb: KnowledgeBase) -> ExamInput:
    """The form's contents for a stored document; names the current KB no longer knows are left out.

    A format 1.0 document (whose levels are root segments) is read as migration 0002 converts it.
    """
    data = ExamInput()
    read_level = formats.level_1_1 if formats.is_1_0(document) else str
    patient = document.get("patient") or {}
    data.build = patient.get("build") or ""
    data.temperament = patient.get("temperament") or ""
    data.needle_fear = bool(patient.get("needle_fear"))
    data.first_session = bool(patient.get("first_session"))
    trimester = patient.get("pregnancy_trimester")
    data.pregnancy_trimester = trimester if trimester in (1, 2, 3) else None
    data.history = [code for code in document.get("history") or [] if code in dict(catalogue.HISTORY)]
    data.sphincter = document.get("sphincter") if document.get("sphincter") in dict(catalogue.SPHINCTER) else "not_asked"
    data.cardiac_screen = document.get("cardiac_screen") if document.get("cardiac_screen") in dict(catalogue.CARDIAC_SCREEN) else ""
    data.acknowledged = [str(code) for code in document.get("acknowledged_red_flags") or []]
    rom_ids = {row.id: row for row in catalogue.rom_rows(kb)}
    for f in document.get("findings", []):
        kind = f.get("type")
        try:
            if kind == "tender_band":
                record = kb.find_muscle(f["muscle"])
                data.bands += [Band(record.id, s, int(f.get("severity", 2))) for s in _sides(f["side"])]
            elif kind in ("skin", "sensory") and f.get("region"):
                region = kb.find_region(f["region"])
                sign_kind, value = ("skin", f["sign"]) if kind == "skin" else ("sensory", f["change"])
                if value != "normal":
                    data.zones += [ZoneSign(region.id, s, sign_kind, value) for s in _sides(f["side"])]
            elif kind == "paraspinal" and (level := read_level(str(f["level"]))) in catalogue.LEVELS:
                for s in _sides(f["side"]):
                    data.levels[(level, s)] = f.get("sign", "tender")
            elif kind == "reflex":
                reflex = kb.find_reflex(f["reflex"])
                for s in _sides(f["side"]):
                    data.reflexes[(reflex.id, s)] = f["grade"]
            elif kind == "weakness":
                # A row of the weakness table may say "both sides": it stays one row.
                grade = f.get("grade")
                if f.get("movement"):
                    data.weakness.append(Weak("movement", kb.find_movement(f["movement"]).id, f["side"], grade))
                else:
                    data.weakness.append(Weak("muscle", kb.find_muscle(f["muscle"]).id, f["side"], grade))
            elif kind == "rom":
                movement = kb.find_movement(f["movement"])
                row = rom_ids.get(movement.id)
                if row is not None:
                    for s in row.sides if row.sides == ("bilateral",) else _sides(f["side"]):
                        data.rom[(movement.id, s)] = float(f["value"])
        except (LookupFailed, KeyError, TypeError, ValueError):
            continue
    return data


# -- chart marks --------------------------------------------------------------------------


def chart_marks(data: ExamInput, plan: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Marks for the body chart (myotome.bodychart.build_marks, the core's one builder): the
    form's bands, zone signs and paraspinal levels, and a stored result's plan steps."""
    steps = [
        (step["order"], step["muscle"]["id"], step["side"], _step_level(step) if step.get("region") == "paraspinal" else None)
        for step in (plan or {}).get("steps", [])
        if step.get("side") in ("left", "right", "bilateral")
    ]
    return build_marks(
        bands=[(b.muscle_id, b.side, b.severity) for b in data.bands],
        zones=[(z.region_id, z.side, z.kind, z.value) for z in data.zones],
        levels=[(level, side, sign) for (level, side), sign in data.levels.items()],
        plan=steps,
    )


def _step_level(step: dict[str, Any]) -> str | None:
    """Where a paraspinal step is drawn: its vertebral level, or, in a result from before
    steps named one, its segment read as migration 0002 reads a format 1.0 level."""
    level = str(step.get("level") or step.get("segment"))
    if level in catalogue.LEVELS:
        return level
    try:
        return formats.level_1_1(level)
    except ValueError:
        return None


def describe_finding(finding: dict[str, Any], kb: KnowledgeBase) -> str:
    """One finding of a document in a clinician's words: 'Tender band: Supinator, right, severity 2'.

    The stored names are KB ids (or, in exams stored before, display names): shown by their record's name.
    """
    kind = finding.get("type")
    side = catalogue.side_label(str(finding.get("side", ""))).lower()
    if kind == "tender_band":
        return f"Tender band: {shown_name(kb, 'muscle', finding['muscle'])}, {side}, severity {finding.get('severity', 2)}"
    if kind == "skin":
        where = shown_name(kb, "region", finding["region"]) if finding.get("region") else f"beside the spine at {finding.get('segment')}"
        return f"{catalogue.sign_label('skin', finding['sign'])}: {where}, {side}"
    if kind == "sensory":
        return f"{catalogue.sign_label('sensory', finding['change'])}: {shown_name(kb, 'region', finding['region'])}, {side}"
    if kind == "paraspinal":
        return f"Paraspinal {finding.get('sign', 'tender')} at {finding['level']}, {side}"
    if kind == "reflex":
        return f"{shown_name(kb, 'reflex', finding['reflex'])}: {finding['grade']}, {side}"
    if kind == "weakness":
        grade = f", MRC {finding['grade']}/5" if finding.get("grade") is not None else ""
        target = shown_name(kb, "movement", finding["movement"]) if finding.get("movement") else shown_name(kb, "muscle", finding["muscle"])
        return f"Weakness: {target}, {side}{grade}"
    if kind == "rom":
        unit = "°" if finding.get("unit", "deg") == "deg" else " mm"
        return f"Range: {shown_name(kb, 'movement', finding['movement'])} {finding['value']:g}{unit}, {side}"
    return str(kind)

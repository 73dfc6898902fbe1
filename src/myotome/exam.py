"""The assessment document, version 1: a structured segmental exam.

Validation checks shape and values only; names (muscles, regions, movements,
reflexes) are resolved against the knowledge base by :mod:`myotome.localize`, so
an unknown name is reported with suggestions instead of rejecting the document::

    assessment = parse_assessment(json_text)      # raises InvalidAssessment
    assessment.findings[0].type                   # 'tender_band'
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

FORMAT_VERSION = 1

Side = Literal["left", "right", "bilateral"]
ComplaintSide = Literal["left", "right", "bilateral", "midline"]
SkinSign = Literal["trophedema", "pilomotor", "vasomotor", "sudomotor", "hair_loss", "hyperalgesia"]

_SEGMENT = r"(?:C[1-8]|T(?:[1-9]|1[0-2])|L[1-5]|S[1-5])"
_LEVEL = re.compile(rf"^{_SEGMENT}(?:-{_SEGMENT})?$")
SPINAL_ORDER = (
    [f"C{i}" for i in range(1, 9)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)]
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Patient(_Strict):
    age: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: Literal["female", "male", "other"] | None = None
    build: Literal["muscular", "average", "slender"] | None = None
    temperament: Literal["calm", "anxious", "type_a"] | None = None
    needle_fear: bool = False
    first_session: bool = Field(default=False, description="True for the patient's first IMS session: the plan lowers the dose.")
    precautions: list[Annotated[str, Field(min_length=1)]] = Field(
        default_factory=list, description="Precaution names from the knowledge base, e.g. anticoagulants, pregnancy."
    )


class Complaint(_Strict):
    regions: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    side: ComplaintSide
    condition: Annotated[str, Field(min_length=1)] | None = None
    pain: Annotated[int, Field(ge=0, le=10)] | None = None
    duration_weeks: Annotated[float, Field(ge=0)] | None = None


class TenderBand(_Strict):
    type: Literal["tender_band"]
    side: Side
    muscle: Annotated[str, Field(min_length=1, description="Any muscle or group name the KB resolves (ECRB, calf, VMO).")]
    severity: Annotated[int, Field(ge=1, le=3)] = 2


class Skin(_Strict):
    type: Literal["skin"]
    side: Side
    sign: SkinSign
    region: Annotated[str, Field(min_length=1)] | None = None
    segment: Annotated[str, Field(pattern=rf"^{_SEGMENT}$")] | None = None

    @model_validator(mode="after")
    def _one_place(self) -> Skin:
        if (self.region is None) == (self.segment is None):
            raise ValueError("give either 'region' (a body area) or 'segment' (such as L5), not both or neither")
        return self


class Paraspinal(_Strict):
    type: Literal["paraspinal"]
    side: Side
    level: str = Field(description='One level ("C6") or two adjacent levels ("C5-C6").')
    sign: Literal["tender", "thickened"] = "tender"

    @field_validator("level")
    @classmethod
    def _real_level(cls, value: str) -> str:
        if not _LEVEL.match(value):
            raise ValueError(
                f"'{value}' is not a spinal level; write one such as C6 or two adjacent ones such as C5-C6 (C1-C8, T1-T12, L1-L5, S1-S5)"
            )
        first, _, last = value.partition("-")
        if last and SPINAL_ORDER.index(last) - SPINAL_ORDER.index(first) != 1:
            raise ValueError(f"'{value}' must name one level or two adjacent levels, upper first (e.g. C5-C6)")
        return value

    @property
    def levels(self) -> tuple[str, ...]:
        first, _, last = self.level.partition("-")
        return (first, last) if last else (first,)


class Rom(_Strict):
    type: Literal["rom"]
    side: Side
    movement: Annotated[str, Field(min_length=1)]
    value: Annotated[float, Field(ge=0, description="Measured active range; restriction is judged against the KB's normal.")]
    unit: Literal["deg", "mm"] = "deg"


class Weakness(_Strict):
    type: Literal["weakness"]
    side: Side
    movement: Annotated[str, Field(min_length=1)] | None = None
    muscle: Annotated[str, Field(min_length=1)] | None = None
    grade: Annotated[int, Field(ge=0, le=5, description="MRC grade, 0-5 (optional).")] | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Weakness:
        if (self.movement is None) == (self.muscle is None):
            raise ValueError("give either 'movement' or 'muscle', not both or neither")
        return self


class ReflexFinding(_Strict):
    type: Literal["reflex"]
    side: Side
    reflex: Annotated[str, Field(min_length=1)]
    grade: Literal["absent", "reduced", "normal", "brisk"]


class Sensory(_Strict):
    type: Literal["sensory"]
    side: Side
    region: Annotated[str, Field(min_length=1)]
    change: Literal["reduced", "increased", "altered", "normal"]


Finding = Annotated[TenderBand | Skin | Paraspinal | Rom | Weakness | ReflexFinding | Sensory, Field(discriminator="type")]


class Assessment(_Strict):
    """One patient's segmental exam: who, what hurts, and what was found."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Myotome assessment, format version 1")

    id: str | None = Field(default=None, description="Any identifier; echoed back in the result. Never put patient names here.")
    patient: Patient = Field(default_factory=lambda: Patient())
    complaint: Complaint
    findings: list[Finding] = Field(default_factory=list)


class InvalidAssessment(ValueError):
    """The document is not a valid assessment; ``problems`` lists each by JSON path."""

    def __init__(self, problems: list[str], document_id: Any = None):
        self.problems = problems
        self.document_id = document_id
        super().__init__("invalid assessment:\n" + "\n".join(f"  - {p}" for p in problems))


_ADAPTER = TypeAdapter(Assessment)


def parse_assessment(data: str | bytes | dict[str, Any]) -> Assessment:
    """Validate a document (JSON text or an already-parsed object).

    parse_assessment('{"complaint": {"regions": ["elbow"], "side": "left"}}')
    """
    if isinstance(data, (str, bytes)):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidAssessment([json_problem(exc)]) from exc
    if not isinstance(data, dict):
        raise InvalidAssessment([f"(document): expected a JSON object, got {type(data).__name__}"])
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise InvalidAssessment([_describe(e) for e in exc.errors()], data.get("id")) from exc


def json_problem(exc: json.JSONDecodeError, line: int | None = None) -> str:
    """Where and why a text is not JSON; ``line`` overrides the decoder's (a JSON Lines input's line number).

    json_problem(exc)   # "not valid JSON: Unterminated string starting at line 4, column 11"
    """
    # Some of the decoder's messages end in "at" ("Unterminated string starting at"), ready for a position.
    what = exc.msg.removesuffix(" at")
    return f"not valid JSON: {what} at line {line or exc.lineno}, column {exc.colno}"


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the assessment document."""
    schema = _ADAPTER.json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


_TYPE_STEPS = {"constrained-str", "int", "float", "str", "bool"}
_FINDING_TAGS = {"tender_band", "skin", "paraspinal", "rom", "weakness", "reflex", "sensory"}


def _describe(error: Any) -> str:
    """One validation problem as ``where: what is wrong (got value)``.

    ``where`` is a JSON path (``complaint.side``), except that findings are numbered from 1
    with their type, as the result and the report number them: ``finding 2 (paraspinal), level``.
    """
    loc = list(error["loc"])
    finding = ""
    if len(loc) > 1 and loc[0] == "findings" and isinstance(loc[1], int):
        # pydantic inserts the finding's type (the union tag) after its index.
        tag = f" ({loc.pop(2)})" if len(loc) > 2 and loc[2] in _FINDING_TAGS else ""
        finding = f"finding {loc[1] + 1}{tag}"
        loc = loc[2:]
    # Drop the names pydantic gives validator wrappers and constrained types ("function-after[...]", "int").
    loc = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in _TYPE_STEPS))]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    path = f"{finding}, {path}" if finding and path else finding or path or "(document)"
    message = str(error["msg"]).removeprefix("Value error, ")
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{path}: unknown field"
    if kind == "missing":
        return f"{path}: required"
    if kind == "union_tag_invalid":
        return f"{_type_path(path)}: '{error['input'].get('type')}' is not a finding type; use one of {', '.join(sorted(_FINDING_TAGS))}"
    if kind == "union_tag_not_found":
        return f"{_type_path(path)}: required; use one of {', '.join(sorted(_FINDING_TAGS))}"
    if "input" in error and kind not in ("value_error", "assertion_error") and not isinstance(error["input"], dict):
        return f"{path}: {message} (got {error['input']!r})"
    return f"{path}: {message}"


def _type_path(path: str) -> str:
    return f"{path}, type" if path.startswith("finding ") else f"{path}.type"

"""The assessment document: a structured segmental exam, in format 1.0 or 1.1.

Format 1.1 (``"format": "1.1"``) writes paraspinal levels as vertebral levels and
interspaces (``C7-T1``, ``L5-S1``) and adds what the red-flag screen reads: ``history``,
``sphincter``, ``cardiac_screen`` and ``acknowledged_red_flags``; pathological signs
graded ``positive``/``negative``; a lack of extension as a negative range; the trimester
of a pregnancy; and a clinic's ban on thoracic needling. A document without ``format``
is read as 1.0, where a paraspinal level names root segments (``C5-C6``).

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

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, ValidationInfo, field_validator, model_validator

from myotome.kb.levels import expected_level_ids, level_hint

FORMATS = ("1.0", "1.1")
LATEST_FORMAT = "1.1"

Side = Literal["left", "right", "bilateral"]
ComplaintSide = Literal["left", "right", "bilateral", "midline"]
SkinSign = Literal["trophedema", "pilomotor", "vasomotor", "sudomotor", "hair_loss", "hyperalgesia"]

_SEGMENT = r"(?:C[1-8]|T(?:[1-9]|1[0-2])|L[1-5]|S[1-5])"
_LEVEL = re.compile(rf"^{_SEGMENT}(?:-{_SEGMENT})?$")
SPINAL_ORDER = (
    [f"C{i}" for i in range(1, 9)] + [f"T{i}" for i in range(1, 13)] + [f"L{i}" for i in range(1, 6)] + [f"S{i}" for i in range(1, 6)]
)
#: Format 1.1's paraspinal levels: every vertebra and interspace, C0-C1 (occiput-C1) to S1.
VERTEBRAL_LEVELS = tuple(expected_level_ids(SPINAL_ORDER))

HistoryCode = Literal[
    "unexplained_weight_loss",
    "night_pain",
    "fever",
    "cancer_history",
    "major_trauma",
    "new_onset_over_50",
    "immunosuppression",
    "iv_drug_use",
]
HISTORY_CODES: tuple[str, ...] = HistoryCode.__args__  # type: ignore[attr-defined]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _format(info: ValidationInfo) -> str:
    """The document's format, passed down by :func:`parse_assessment` (1.0 when absent)."""
    return str((info.context or {}).get("format") or "1.0")


def _needs_1_1(info: ValidationInfo, what: str) -> None:
    if _format(info) == "1.0":
        raise ValueError(f'{what} needs "format": "1.1" at the top of the document')


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
    pregnancy_trimester: Literal[1, 2, 3] | None = Field(
        default=None, description="Format 1.1: the trimester when pregnancy is among the precautions (exclusions can depend on it)."
    )

    @field_validator("pregnancy_trimester")
    @classmethod
    def _trimester_in_1_1(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None:
            _needs_1_1(info, "pregnancy_trimester")
        return value


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
    level: str = Field(
        description='Format 1.1: a vertebra ("C6") or interspace ("C7-T1", "L5-S1"), C0-C1 to S1. '
        'Format 1.0: a root segment ("C6") or two adjacent ones ("C5-C6").'
    )
    sign: Literal["tender", "thickened"] = "tender"

    @field_validator("level")
    @classmethod
    def _real_level(cls, value: str, info: ValidationInfo) -> str:
        if _format(info) == "1.0":
            return _root_level(value)
        if value not in VERTEBRAL_LEVELS:
            hint = level_hint(value) or "write a vertebra such as C6 or an interspace such as C5-C6, C7-T1, T12-L1 or L5-S1 (C0-C1 to S1)"
            raise ValueError(f"'{value}' is not a vertebral level: {hint}")
        return value

    @property
    def levels(self) -> tuple[str, ...]:
        """The two ends of an interspace or root pair, or the one level."""
        first, _, last = self.level.partition("-")
        return (first, last) if last else (first,)


def _root_level(value: str) -> str:
    """Format 1.0's paraspinal level: one root segment or two adjacent ones."""
    if not _LEVEL.match(value):
        raise ValueError(
            f"'{value}' is not a spinal level; write one such as C6 or two adjacent ones such as C5-C6 (C1-C8, T1-T12, L1-L5, S1-S5)"
        )
    first, _, last = value.partition("-")
    if last and SPINAL_ORDER.index(last) - SPINAL_ORDER.index(first) != 1:
        raise ValueError(f"'{value}' must name one level or two adjacent levels, upper first (e.g. C5-C6)")
    return value


class Rom(_Strict):
    type: Literal["rom"]
    side: Side
    movement: Annotated[str, Field(min_length=1)]
    value: Annotated[
        float,
        Field(
            ge=-180,
            le=360,
            description="Measured active range; restriction is judged against the KB's normal. Format 1.1: a lack of "
            "extension in a movement whose normal is 0 (elbow, knee) is negative, e.g. -15.",
        ),
    ]
    unit: Literal["deg", "mm"] = "deg"

    @field_validator("value")
    @classmethod
    def _negative_in_1_1(cls, value: float, info: ValidationInfo) -> float:
        if value < 0 and _format(info) == "1.0":
            raise ValueError(f"Input should be greater than or equal to 0 (got {value:g})")
        return value


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
    grade: Literal["absent", "reduced", "normal", "brisk", "positive", "negative"] = Field(
        description="Tendon reflexes: absent, reduced, normal, brisk. Format 1.1: pathological signs "
        "(Hoffmann, Babinski/plantar response, clonus) positive or negative."
    )

    @field_validator("grade")
    @classmethod
    def _signs_in_1_1(cls, value: str, info: ValidationInfo) -> str:
        if value in ("positive", "negative"):
            _needs_1_1(info, f"grade '{value}'")
        return value


class Sensory(_Strict):
    type: Literal["sensory"]
    side: Side
    region: Annotated[str, Field(min_length=1)]
    change: Literal["reduced", "increased", "altered", "normal"]


Finding = Annotated[TenderBand | Skin | Paraspinal | Rom | Weakness | ReflexFinding | Sensory, Field(discriminator="type")]


class Assessment(_Strict):
    """One patient's segmental exam: who, what hurts, what was found, and the red-flag screen."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Myotome assessment, format 1.1 (1.0 read as before)")

    format: Literal["1.0", "1.1"] | None = Field(
        default=None, description='"1.1" for vertebral paraspinal levels and the red-flag screen; absent means 1.0.'
    )
    id: str | None = Field(default=None, description="Any identifier; echoed back in the result. Never put patient names here.")
    patient: Patient = Field(default_factory=lambda: Patient())
    complaint: Complaint
    findings: list[Finding] = Field(default_factory=list)
    history: list[HistoryCode] = Field(
        default_factory=list, description="Format 1.1: red-flag history the clinician asked about and found."
    )
    sphincter: Literal["yes", "no", "not_asked"] = Field(
        default="not_asked", description="Format 1.1: new bladder or bowel dysfunction (yes, no, not asked)."
    )
    cardiac_screen: Literal["done", "not_done"] | None = Field(
        default=None, description="Format 1.1: cardiac screening for a chest or upper-abdominal complaint."
    )
    acknowledged_red_flags: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")]] = Field(
        default_factory=list, description="Format 1.1: red-flag codes the clinician acknowledged after referral or screening."
    )
    thoracic_needling: Literal["allowed", "forbidden"] = Field(
        default="allowed", description="Format 1.1: 'forbidden' where a clinic or insurer excludes needling over the thorax."
    )

    @property
    def format_version(self) -> str:
        """The format the document is read in: "1.0" when it names none."""
        return self.format or "1.0"

    @model_validator(mode="after")
    def _screen_in_1_1(self) -> Assessment:
        if self.format_version == "1.0":
            used = [
                name
                for name, default in (
                    ("history", []),
                    ("sphincter", "not_asked"),
                    ("cardiac_screen", None),
                    ("acknowledged_red_flags", []),
                    ("thoracic_needling", "allowed"),
                )
                if getattr(self, name) != default
            ]
            if used:
                raise ValueError(f'{", ".join(used)} need "format": "1.1" at the top of the document')
        return self


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
    version = data.get("format")
    try:
        return _ADAPTER.validate_python(data, context={"format": version if version in FORMATS else "1.0"})
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

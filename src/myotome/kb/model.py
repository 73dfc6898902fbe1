"""Frozen records of the knowledge base.

Records refer to each other by id (``Muscle.nerve`` is a nerve id); the
:class:`~myotome.kb.knowledge.KnowledgeBase` holding them resolves ids to records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

RootLevel = Literal["main", "minor"]

#: IMS order of needling: paraspinal first, then proximal to distal.
RANKS: dict[str, int] = {
    "paraspinal": 0,
    "girdle": 1,
    "arm_thigh": 2,
    "forearm_leg": 3,
    "hand_foot": 4,
}
DEPTHS = ("superficial", "medium", "deep", "very_deep")
#: The millimetre band of each depth class (docs/knowledge-base.md): a muscle's typical depth falls in it.
DEPTH_BANDS_MM: dict[str, tuple[float, float]] = {"superficial": (0, 15), "medium": (15, 30), "deep": (30, 50), "very_deep": (50, 150)}
#: How the needle reaches the muscle: straight in; onto a bone that stops it (lamina, scapula,
#: transverse process, long bone); onto a rib bracketed between two fingers (the space beside it
#: is over the lung); at a shallow angle; or lifted between finger and thumb.
APPROACHES = ("perpendicular", "onto_bone", "onto_rib", "tangential", "pincer")
DEPTH_BASES = ("published", "estimate")
BODY_PARTS = (
    "head",
    "neck",
    "back",
    "chest",
    "abdomen",
    "pelvis",
    "shoulder",
    "arm",
    "forearm",
    "hand",
    "hip",
    "thigh",
    "leg",
    "foot",
)
LIMBS = ("upper", "lower", "axial")
CAUTION_KINDS = ("lung", "nerve", "vessel", "organ", "other")
#: Whether a muscle may be needled: yes (with its cautions), caution (a high-risk site the
#: clinician must be trained for) or never (the planner never plans it, even through a group).
NEEDLING = ("yes", "caution", "never")
SEGMENT_KINDS = ("cervical", "thoracic", "lumbar", "sacral", "cranial")


@dataclass(frozen=True, slots=True)
class Roots:
    """Segments supplying a structure, main contributions apart from minor ones.

    Both tuples are in craniocaudal order (cranial nerves first).
    """

    main: tuple[str, ...]
    minor: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Main roots first, then minor ones."""
        return self.main + self.minor

    def level(self, segment: str) -> RootLevel | None:
        if segment in self.main:
            return "main"
        if segment in self.minor:
            return "minor"
        return None


@dataclass(frozen=True, slots=True)
class Reference:
    id: str
    name: str
    confidence: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...]
    sources: tuple[str, ...]
    order: int | None = None  # craniocaudal position; None for cranial nerves
    full_name: str | None = None

    @property
    def is_spinal(self) -> bool:
        return self.order is not None


@dataclass(frozen=True, slots=True)
class Nerve:
    id: str
    name: str
    aliases: tuple[str, ...]
    roots: tuple[str, ...]
    sources: tuple[str, ...]
    branch_of: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Variant:
    """Root values another reference gives for the same muscle."""

    roots: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Caution:
    kind: str
    text: str
    structure: str | None = None


@dataclass(frozen=True, slots=True)
class NeedleDepth:
    """How deep the muscle lies in an average adult build (mm) and how the needle reaches it."""

    mm: tuple[int, int]  # from, to
    approach: str
    basis: str  # published: a cited source gives the depth; estimate: the project's reading of the anatomy
    sources: tuple[str, ...]
    note: str | None = None

    @property
    def typical_mm(self) -> float:
        return (self.mm[0] + self.mm[1]) / 2


@dataclass(frozen=True, slots=True)
class Needling:
    """Whether a muscle may be needled, why not, and the references that say so."""

    allowed: str = "yes"
    reason: str | None = None
    sources: tuple[str, ...] = ()

    @property
    def never(self) -> bool:
        return self.allowed == "never"


#: What a muscle record without a ``needling`` field means: it may be needled, with the
#: cautions it lists. Every muscle in a lung zone states its needling explicitly.
NEEDLING_DEFAULT = Needling()


@dataclass(frozen=True, slots=True)
class Muscle:
    id: str
    name: str
    aliases: tuple[str, ...]
    nerve: str
    roots: Roots
    body_part: str
    limb: str
    rank: str
    depth: str
    sources: tuple[str, ...]
    segmental: bool = False
    cautions: tuple[Caution, ...] = ()
    variants: tuple[Variant, ...] = ()
    note: str | None = None
    needling: Needling = NEEDLING_DEFAULT
    needle_depth: NeedleDepth | None = None  # every muscle in the packaged data has one
    position: int | None = None  # 0-100 from the spine along the body (docs/knowledge-base.md); None only for paraspinals
    # Derived by the loader from movements.yaml and groups.yaml.
    movements: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    @property
    def rank_order(self) -> int:
        return RANKS[self.rank]


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    name: str
    aliases: tuple[str, ...]
    members: tuple[str, ...]  # expanded: muscle ids only, in listed order
    sources: tuple[str, ...]
    note: str | None = None
    not_needled: tuple[str, ...] = ()  # members whose needling is never: a plan through the group leaves them out


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str
    aliases: tuple[str, ...]
    dermatomes: tuple[str, ...]  # primary first
    limb: str
    sources: tuple[str, ...]
    view: str | None = None
    muscles: tuple[str, ...] = ()  # muscles under the area, for precautions that exclude it
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Normal:
    value: float
    unit: str
    source: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Movement:
    id: str
    name: str
    aliases: tuple[str, ...]
    joint: str
    kind: str
    roots: Roots
    prime_movers: tuple[str, ...]
    assistants: tuple[str, ...]
    sources: tuple[str, ...]
    normal: Normal | None = None
    other_normals: tuple[Normal, ...] = ()
    opposite: str | None = None  # the movement whose muscles limit this one when short
    note: str | None = None

    @property
    def muscles(self) -> tuple[str, ...]:
        return self.prime_movers + self.assistants


@dataclass(frozen=True, slots=True)
class Reflex:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    roots: Roots
    nerve: str | None
    muscles: tuple[str, ...]
    sources: tuple[str, ...]
    note: str | None = None

    @property
    def pathological(self) -> bool:
        """A pathological sign (Hoffmann, Babinski, clonus): positive or negative, never a root sign."""
        return self.kind == "pathological"


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    name: str
    aliases: tuple[str, ...]
    segments: Roots
    muscles: tuple[str, ...]  # expanded to muscle ids, in usual treatment order
    regions: tuple[str, ...]
    confidence: str
    sources: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Exclusion:
    """What a precaution takes out of a plan: muscles, vertebral levels or every step, and why."""

    name: str  # short, for the plan's dropped list: "the lumbar spine and sacrum (L1 to S1)"
    reason: str
    sources: tuple[str, ...]
    muscles: tuple[str, ...] = ()  # muscle ids, groups expanded
    levels: tuple[str, ...] = ()  # vertebral level ids, ranges expanded (vertebrae and interspaces)
    whole_body: bool = False
    trimesters: tuple[int, ...] = ()  # pregnancy only: the trimesters it holds in; empty means always

    @property
    def always(self) -> bool:
        """True when it holds whatever the trimester."""
        return not self.trimesters or set(self.trimesters) == {1, 2, 3}


@dataclass(frozen=True, slots=True)
class Precaution:
    id: str
    name: str
    aliases: tuple[str, ...]
    severity: str
    warning: str
    sources: tuple[str, ...]
    excludes: tuple[Exclusion, ...] = ()
    avoid_regions: tuple[str, ...] = ()  # the areas the warning names; steps are removed by `excludes`
    avoid_zones: tuple[str, ...] = ()
    avoid_local: str | None = None
    dose_factor: float = 1.0
    note: str | None = None

    @property
    def avoid_muscles(self) -> tuple[str, ...]:
        """Muscle ids every exclusion that always holds takes out of a plan."""
        return tuple(dict.fromkeys(mid for ex in self.excludes if ex.always for mid in ex.muscles))

    @property
    def avoid_levels(self) -> tuple[str, ...]:
        """Vertebral level ids every exclusion that always holds takes out of a plan."""
        return tuple(dict.fromkeys(lv for ex in self.excludes if ex.always for lv in ex.levels))


@dataclass(frozen=True, slots=True)
class Meta:
    """A data file's header."""

    entity: str
    version: str
    references: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------------------
# Planning numbers (planning.yaml)

#: Patient builds the planner scales needle lengths and caps by.
BUILDS = ("slender", "average", "muscular")
PLANNING_BASES = ("published", "convention")


@dataclass(frozen=True, slots=True)
class PlanningEntry:
    """Where a planning number comes from: published sources, or a project convention and its reason."""

    name: str
    basis: str
    reason: str
    sources: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DoseFactor:
    key: str  # the patient attribute value that triggers it: anxious, needle_fear, first_session...
    factor: float
    label: str


@dataclass(frozen=True, eq=False)  # hashed by identity, so caches may key on it
class Planning:
    """The numbers that size and shape a session, read from planning.yaml."""

    base_insertions: int
    min_insertions: int
    dose_factors: tuple[DoseFactor, ...]
    involved_share: float
    max_involved: int
    default_share: float
    needle_lengths_mm: tuple[int, ...]
    depth_class_mm: Mapping[str, int]
    build_factors: Mapping[str, float]
    lung_zone_max_mm: Mapping[str, int]
    entries: Mapping[str, PlanningEntry] = field(default_factory=dict)

    def dose_factor(self, key: str) -> DoseFactor | None:
        return next((f for f in self.dose_factors if f.key == key), None)


# ---------------------------------------------------------------------------
# Vertebral levels (levels.yaml)

LEVEL_KINDS = ("vertebra", "interspace")
#: How a root relates to a level: the root whose dorsal ramus supplies the paraspinal muscles
#: arising at a vertebra (segmental), the root leaving through an interspace's foramen
#: (exiting), or the root crossing a lumbar interspace to leave one level lower (traversing).
ROOT_RELATIONS = ("segmental", "exiting", "traversing")
SPINE_REGIONS = ("cervical", "thoracic", "lumbar", "sacral")


@dataclass(frozen=True, slots=True)
class LevelRoot:
    segment: str
    weight: float  # share of the level's evidence; a level's weights sum to 1
    relation: str


@dataclass(frozen=True, slots=True)
class VertebralLevel:
    """A vertebra (``C7``) or interspace (``C7-T1``) a clinician palpates and needles at."""

    id: str
    name: str
    kind: str
    region: str
    aliases: tuple[str, ...]
    roots: tuple[LevelRoot, ...]
    paraspinal: tuple[str, ...]  # muscle ids needled at this level, the usual first
    sources: tuple[str, ...]
    order: int = 0  # craniocaudal position in the table, occiput-C1 first
    note: str | None = None

    @property
    def segments(self) -> tuple[str, ...]:
        """The roots this level implicates, heaviest first."""
        return tuple(r.segment for r in sorted(self.roots, key=lambda r: -r.weight))


# ---------------------------------------------------------------------------
# Red flags (red_flags.yaml)

RED_FLAG_ACTIONS = ("refer_urgently", "refer", "screen_first")  # most urgent first
RED_FLAG_TRIGGERS = (
    "saddle_sensory_change",
    "sphincter",
    "bilateral_leg_deficit",
    "key_weakness",
    "pathological_sign",
    "brisk_widespread",
    "complaint_without_cardiac_screen",
    "history",
)


@dataclass(frozen=True, slots=True)
class RedFlagTrigger:
    """One input that raises a red flag; its parameters (a history code, a grade) by name."""

    trigger: str
    params: tuple[tuple[str, Any], ...] = ()

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)


@dataclass(frozen=True, slots=True)
class RedFlagRule:
    code: str
    name: str
    action: str
    when: tuple[RedFlagTrigger, ...]
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True, eq=False)  # hashed by identity, so caches may key on it
class RedFlagTable:
    """The red-flag rules and the vocabulary they read (regions, key movements), from red_flags.yaml."""

    rules: tuple[RedFlagRule, ...]
    regions: Mapping[str, tuple[str, ...]]  # saddle, spine, chest -> region ids
    key_movements: tuple[str, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(rule.code for rule in self.rules)

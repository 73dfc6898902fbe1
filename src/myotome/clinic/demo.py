"""A demo practice: two clinics, their staff, and patients with realistic episodes.

    load_demo(patients=25, seed=1)   # only into a database with no users

The load is a list of steps run in one transaction; each step reads and extends a
:class:`DemoPractice`. To add exams and plans, write ``def add_exams(practice)``
and append it to :data:`STEPS` (or pass ``steps=``). The same seed gives the same
practice. Everyone except ``demo`` (password ``demo``, a clinician in the first
clinic) gets an unusable password: the demo has exactly one known login.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.patients.models import Consent, ConsentMethod, Episode, EpisodeStatus, Patient, Precaution, Sex, Side
from myotome.kb import KnowledgeBase, load_kb

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
CLINICS = ("Riverside IMS Clinic", "Harbour Pain & Movement")
FIRST_CLINIC_SHARE = 0.7

# username, first name, last name, {clinic index: role}
STAFF: tuple[tuple[str, str, str, dict[int, Role]], ...] = (
    ("ada", "Ada", "Okafor", {0: Role.CLINIC_ADMIN}),
    (DEMO_USERNAME, "Demo", "Clinician", {0: Role.CLINICIAN}),
    ("sam", "Sam", "Whitlock", {0: Role.CLINICIAN, 1: Role.CLINICIAN}),
    ("fran", "Fran", "Ibarra", {0: Role.FRONT_DESK}),
    ("ben", "Ben", "Lachance", {1: Role.CLINIC_ADMIN}),
    ("cleo", "Cleo", "Marsh", {1: Role.CLINICIAN}),
    ("dev", "Dev", "Raman", {1: Role.FRONT_DESK}),
)

GIVEN = {
    Sex.FEMALE: [
        "Amara",
        "Beth",
        "Chloe",
        "Deepa",
        "Elena",
        "Fiona",
        "Grace",
        "Hana",
        "Ines",
        "Joanna",
        "Keiko",
        "Lucia",
        "Maeve",
        "Nadia",
        "Olga",
        "Priya",
        "Rosa",
        "Sofia",
        "Tamsin",
        "Yara",
    ],
    Sex.MALE: [
        "Aaron",
        "Bilal",
        "Callum",
        "Dmitri",
        "Emeka",
        "Felix",
        "Gareth",
        "Hamid",
        "Ivan",
        "Jonah",
        "Kofi",
        "Liam",
        "Mateo",
        "Niall",
        "Oscar",
        "Pavel",
        "Rhys",
        "Tomas",
        "Viktor",
        "Wei",
    ],
}
FAMILY = [
    "Adeyemi",
    "Bergstrom",
    "Castellanos",
    "Doyle",
    "Eriksen",
    "Fairweather",
    "Gallagher",
    "Hakimi",
    "Iwasaki",
    "Jablonski",
    "Kowalczyk",
    "Lindqvist",
    "McAllister",
    "Nakamura",
    "O'Rourke",
    "Petrov",
    "Quinlan",
    "Rahman",
    "Sandoval",
    "Thornbury",
    "Uddin",
    "Vasquez",
    "Whitfield",
    "Xu",
    "Yilmaz",
    "Zielinski",
]
# Precautions a physiotherapy caseload plausibly carries, with the details a clinician writes.
PRECAUTION_NOTES: dict[str, list[str]] = {
    "anticoagulants": ["apixaban 5 mg twice daily", "warfarin, INR 2.4 last week", "clopidogrel 75 mg daily"],
    "diabetes": ["type 2, metformin", "type 1, insulin pump"],
    "needle_phobia": ["fainted at blood test 2022", "anxious; prefers to lie down"],
    "implant": ["right total knee replacement 2019", "left hip replacement 2016"],
    "recent_surgery": ["arthroscopy right shoulder 6 weeks ago", "lumbar discectomy 3 months ago"],
    "epilepsy": ["well controlled, last seizure 2019"],
    "lymphoedema": ["left arm after axillary clearance 2021"],
    "pregnancy": ["18 weeks", "24 weeks"],
    "pacemaker": ["dual-chamber pacemaker 2020"],
    "immunocompromise": ["methotrexate for rheumatoid arthritis"],
}


class DemoError(RuntimeError):
    """The demo cannot be loaded into this database."""


@dataclass
class DemoPractice:
    """What the steps build, handed from one step to the next."""

    rng: random.Random
    kb: KnowledgeBase
    patient_count: int
    today: date = field(default_factory=date.today)
    clinics: list[Clinic] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)

    def clinicians(self, clinic: Clinic) -> list[Any]:
        return [
            u
            for u in self.users.values()
            if Membership.objects.filter(user=u, clinic=clinic, role__in=[Role.CLINICIAN, Role.CLINIC_ADMIN]).exists()
        ]


DemoStep = Callable[[DemoPractice], None]


def add_clinics_and_staff(practice: DemoPractice) -> None:
    User = get_user_model()
    practice.clinics = [Clinic.objects.create(name=name) for name in CLINICS]
    for username, first, last, roles in STAFF:
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.org")
        if username == DEMO_USERNAME:
            user.set_password(DEMO_PASSWORD)  # deliberately weak: the one known demo login
        else:
            user.set_unusable_password()
        user.save()
        for clinic_index, role in roles.items():
            Membership.objects.create(user=user, clinic=practice.clinics[clinic_index], role=role)
        practice.users[username] = user


def add_patients(practice: DemoPractice) -> None:
    rng = practice.rng
    in_first = round(practice.patient_count * FIRST_CLINIC_SHARE)
    for number in range(practice.patient_count):
        sex = rng.choice([Sex.FEMALE, Sex.MALE])
        given, family = rng.choice(GIVEN[sex]), rng.choice(FAMILY)
        age_days = rng.randint(19 * 365, 84 * 365)
        clinic = practice.clinics[0 if number < in_first else 1]
        practice.patients.append(
            Patient.objects.create(
                clinic=clinic,
                family_name=family,
                given_name=given,
                date_of_birth=practice.today - timedelta(days=age_days),
                sex=sex,
                phone=f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's range reserved for drama
                email=f"{given.lower()}.{family.lower().replace(chr(39), '')}@example.org",
                notes=rng.choice(["", "", "Prefers morning appointments.", "Text reminders, please.", "Needs ground-floor room."]),
            )
        )


def add_episodes(practice: DemoPractice) -> None:
    """One episode per patient, two for some; conditions in turn so every KB condition appears."""
    rng = practice.rng
    conditions = sorted(practice.kb.conditions.values(), key=lambda c: c.id)
    rng.shuffle(conditions)
    turn = 0
    for patient in practice.patients:
        clinicians = practice.clinicians(patient.clinic)
        for number in range(1 if rng.random() < 0.8 else 2):
            condition = conditions[turn % len(conditions)]
            turn += 1
            regions = _regions_for(practice, condition)
            onset = practice.today - timedelta(weeks=rng.randint(2, 100))
            discharged = number == 0 and rng.random() < 0.2 and (practice.today - onset).days > 120
            # Most of the first clinic's caseload belongs to the demo clinician, so their day is full.
            clinician = (
                practice.users[DEMO_USERNAME] if patient.clinic == practice.clinics[0] and rng.random() < 0.6 else rng.choice(clinicians)
            )
            practice.episodes.append(
                Episode.objects.create(
                    patient=patient,
                    clinician=clinician,
                    regions=regions,
                    side=_side_for(practice, regions),
                    condition=condition.id,
                    onset_date=onset,
                    pain=rng.randint(2, 8),
                    status=EpisodeStatus.DISCHARGED if discharged else EpisodeStatus.ACTIVE,
                    created_by=clinician,
                )
            )


# Where patients with a condition the KB gives no regions for (postural problems) usually point.
FALLBACK_REGIONS = ["posterior_neck", "upper_back", "low_back", "shoulder_blade"]


def _regions_for(practice: DemoPractice, condition: Any) -> list[str]:
    pool = list(condition.regions) or [r for r in FALLBACK_REGIONS if r in practice.kb.regions]
    return pool[: practice.rng.randint(1, min(3, len(pool)))]


def _side_for(practice: DemoPractice, regions: list[str]) -> str:
    limbs = {practice.kb.regions[r].limb for r in regions if r in practice.kb.regions}
    if limbs == {"axial"}:
        return practice.rng.choice([Side.MIDLINE, Side.BILATERAL, Side.LEFT, Side.RIGHT])
    return practice.rng.choice([Side.LEFT, Side.RIGHT, Side.RIGHT, Side.BILATERAL])


def add_precautions(practice: DemoPractice) -> None:
    rng = practice.rng
    kinds = [k for k in PRECAUTION_NOTES if k in practice.kb.precautions]
    for patient in practice.patients:
        if rng.random() > 0.35:
            continue
        for kind in rng.sample(kinds, k=1 if rng.random() < 0.8 else 2):
            if kind == "pregnancy" and (patient.sex != Sex.FEMALE or not 18 <= patient.age(practice.today) <= 44):
                continue
            Precaution.objects.create(patient=patient, kind=kind, note=rng.choice(PRECAUTION_NOTES[kind]))


def add_consents(practice: DemoPractice) -> None:
    """Consent for most patients; some have none yet, so the consent gate can be seen."""
    rng = practice.rng
    for patient in practice.patients:
        if rng.random() < 0.15:
            continue
        episodes = [e for e in practice.episodes if e.patient_id == patient.pk and e.clinician is not None]
        if not episodes:
            continue
        first = min(episodes, key=lambda e: e.onset_date or practice.today)
        given = min(practice.today, (first.onset_date or practice.today) + timedelta(days=rng.randint(3, 20)))
        Consent.objects.create(
            patient=patient,
            given_on=given,
            taken_by=first.clinician,
            method=rng.choice([ConsentMethod.WRITTEN, ConsentMethod.WRITTEN, ConsentMethod.VERBAL]),
            risks_explained=True,
            recorded_by=first.clinician,
        )


def add_exams(practice: DemoPractice) -> None:
    """Exams and plans for the consented episodes (the exams app's own step; imported here to avoid a cycle)."""
    from myotome.clinic.exams.demo import add_demo_exams

    add_demo_exams(practice)


#: The load, in order. Later steps may rely on what earlier ones built.
STEPS: list[DemoStep] = [add_clinics_and_staff, add_patients, add_episodes, add_precautions, add_consents, add_exams]


def load_demo(patients: int = 25, seed: int = 1, *, steps: Sequence[DemoStep] | None = None) -> DemoPractice:
    """Create the demo practice in one transaction; refuse a database that already has users.

    practice = load_demo(patients=10)
    practice.users["demo"]  # the clinician whose login is demo / demo
    """
    if patients < 0:
        raise DemoError(f"patients must be 0 or more, got {patients}")
    User = get_user_model()
    existing = User.objects.count()
    if existing:
        raise DemoError(
            f"this database already has {existing} user{'s' if existing != 1 else ''}; the demo (with its known login demo/demo) "
            "loads only into an empty database. Point MYOTOME_HOME or DATABASE_URL at a new one."
        )
    practice = DemoPractice(rng=random.Random(seed), kb=load_kb(), patient_count=patients)
    with transaction.atomic():
        for step in steps if steps is not None else STEPS:
            step(practice)
    return practice

"""A demo practice: two clinics, their staff, and patients with realistic episodes and exams.

    load_demo(patients=25, seed=1)   # only into a database with no users

Two clinics and their staff are made first; everything else comes from :data:`STEPS`, run
in order in one transaction. A :class:`Step` yields, for one patient at a time, the unsaved
rows it adds; the rows are given their ids as they are yielded (so a later row of the same
step can point at them) and inserted in batches with ``bulk_create``. To add sessions or
outcome measures, write ``def session_rows(practice, number)`` and append
``Step("sessions", session_rows, weight=...)`` to the steps; what a later step needs from an
earlier one is kept on the :class:`DemoPractice` by patient number, never queried back.
The same seed gives the same practice. Everyone except ``demo`` (password ``demo``, a
clinician in the first clinic) gets an unusable password: the demo has exactly one known
login. The demo is made by a command, not by a user of the clinic, so it writes no audit events.
"""

from __future__ import annotations

import contextlib
import enum
import gc
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import orjson
from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from myotome.batch import Assessor
from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.analytics import demo as outcome_demo
from myotome.clinic.exams import demo as exam_demo
from myotome.clinic.patients.models import Consent, ConsentMethod, Episode, EpisodeStatus, Patient, PatientSearchKey, Precaution, Sex, Side
from myotome.clinic.patients.names import name_keys
from myotome.clinic.treatments import demo as treatment_demo
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
    """What the steps build, handed from one step to the next; lists are indexed by patient number."""

    rng: random.Random
    kb: KnowledgeBase
    patient_count: int
    today: date = field(default_factory=date.today)
    assessor: Assessor = field(default_factory=lambda: Assessor(workers=1))
    clinics: list[Clinic] = field(default_factory=list)
    users: dict[str, Any] = field(default_factory=dict)
    clinicians: list[list[Any]] = field(default_factory=list)  # by clinic index: who may hold an episode
    conditions: list[Any] = field(default_factory=list)  # KB conditions, shuffled; episodes take them in turn
    patients: list[Patient] = field(default_factory=list)
    episodes: list[Episode] = field(default_factory=list)
    episodes_of: list[list[Episode]] = field(default_factory=list)
    precautions_of: list[list[str]] = field(default_factory=list)
    consented: set[int] = field(default_factory=set)  # patient numbers with consent to needling on file
    exams_of: dict[int, list[Any]] = field(default_factory=dict)  # by patient number: the exams step's rows, for sessions
    draft_sessions: set[int] = field(default_factory=set)  # session ids the sessions step leaves unsigned
    _next_id: dict[type[models.Model], int] = field(default_factory=dict)

    def new_id(self, model: type[models.Model]) -> int:
        """The next free primary key of ``model`` (ids are given here, not by the database, so that rows can be inserted in bulk)."""
        if model not in self._next_id:
            self._next_id[model] = (model._default_manager.aggregate(top=models.Max("pk"))["top"] or 0) + 1
        self._next_id[model] += 1
        return self._next_id[model] - 1

    def clinic_index(self, number: int) -> int:
        return 0 if number < round(self.patient_count * FIRST_CLINIC_SHARE) else 1


Rows = Callable[[DemoPractice, int], Iterable[models.Model]]


@dataclass(frozen=True)
class Step:
    """One kind of demo data.

    ``rows(practice, number)`` yields the unsaved rows for patient ``number`` (parents before
    the rows that point at them). ``prepare(practice, rows)``, if given, starts finishing a
    batch and returns the call that completes it; that call is made just before the batch is
    inserted, after the next batch has been made, so that work done elsewhere (the exams
    step's engine runs on worker processes) overlaps with this process's. ``weight`` is the
    step's time per patient relative to the others, for the progress bar.
    """

    name: str
    rows: Rows
    weight: float = 1.0
    prepare: Callable[[DemoPractice, list[models.Model]], Callable[[], None]] | None = None


#: ``progress(step name, work done, total work)``: the CLI draws it as a bar.
Progress = Callable[[str, float, float], None]

BATCH = 500  # rows held before a batch is inserted (an exam with its result is about 15 kB of JSON)
REPORT_EVERY = 50  # patients between two progress reports


def add_clinics_and_staff(practice: DemoPractice) -> None:
    User = get_user_model()
    practice.clinics = [Clinic.objects.create(name=name) for name in CLINICS]
    practice.clinicians = [[] for _ in CLINICS]
    for username, first, last, roles in STAFF:
        user = User(username=username, first_name=first, last_name=last, email=f"{username}@example.org")
        if username == DEMO_USERNAME:
            user.set_password(DEMO_PASSWORD)  # deliberately weak: the one known demo login
        else:
            user.set_unusable_password()
        user.save()
        for clinic_index, role in roles.items():
            Membership.objects.create(user=user, clinic=practice.clinics[clinic_index], role=role)
            if role in (Role.CLINICIAN, Role.CLINIC_ADMIN):
                practice.clinicians[clinic_index].append(user)
        practice.users[username] = user
    practice.conditions = sorted(practice.kb.conditions.values(), key=lambda c: c.id)
    practice.rng.shuffle(practice.conditions)


def patient_rows(practice: DemoPractice, number: int) -> Iterable[models.Model]:
    rng = practice.rng
    sex = rng.choice([Sex.FEMALE, Sex.MALE])
    given, family = rng.choice(GIVEN[sex]), rng.choice(FAMILY)
    age_days = rng.randint(19 * 365, 84 * 365)
    patient = Patient(
        clinic=practice.clinics[practice.clinic_index(number)],
        family_name=family,
        given_name=given,
        date_of_birth=practice.today - timedelta(days=age_days),
        sex=sex,
        phone=f"07700 900{rng.randint(0, 999):03d}",  # Ofcom's range reserved for drama
        email=f"{given.lower()}.{family.lower().replace(chr(39), '')}@example.org",
        notes=rng.choice(["", "", "Prefers morning appointments.", "Text reminders, please.", "Needs ground-floor room."]),
    )
    practice.patients.append(patient)
    practice.episodes_of.append([])
    practice.precautions_of.append([])
    yield patient
    yield from (PatientSearchKey(patient=patient, key=key) for key in name_keys(family, given))  # as Patient.save() keeps them


def episode_rows(practice: DemoPractice, number: int) -> Iterable[models.Model]:
    """One episode per patient, two for some; conditions in turn so every KB condition appears."""
    rng = practice.rng
    patient = practice.patients[number]
    in_first = practice.clinic_index(number) == 0
    for order in range(1 if rng.random() < 0.8 else 2):
        condition = practice.conditions[len(practice.episodes) % len(practice.conditions)]
        regions = _regions_for(practice, condition)
        onset = practice.today - timedelta(weeks=rng.randint(2, 100))
        discharged = order == 0 and rng.random() < 0.4 and (practice.today - onset).days > 120
        # Most of the first clinic's caseload belongs to the demo clinician, so their day is full.
        clinician = (
            practice.users[DEMO_USERNAME]
            if in_first and rng.random() < 0.6
            else rng.choice(practice.clinicians[practice.clinic_index(number)])
        )
        side = _side_for(practice, regions)
        if number == SHOWCASE and order == 0:
            condition, regions, side, discharged, clinician = _showcase(practice)
        episode = Episode(
            patient=patient,
            clinician=clinician,
            regions=regions,
            side=side,
            condition=condition.id,
            onset_date=onset,
            pain=rng.randint(2, 8),
            status=EpisodeStatus.DISCHARGED if discharged else EpisodeStatus.ACTIVE,
            created_at=_first_visit(practice, onset),
            created_by=clinician,
        )
        practice.episodes.append(episode)
        practice.episodes_of[number].append(episode)
        yield episode


# The first patient's first episode is always the demo clinician's active right tennis elbow, with
# consent and no precaution: the case the README and the browser tests chart, whatever the seed.
SHOWCASE = 0


def _showcase(practice: DemoPractice) -> tuple[Any, list[str], str, bool, Any]:
    condition = practice.kb.conditions["tennis_elbow"]
    return condition, list(condition.regions)[:2], Side.RIGHT, False, practice.users[DEMO_USERNAME]


def _first_visit(practice: DemoPractice, onset: date) -> datetime:
    """The morning an episode began: its first visit, days to weeks after the onset (its first exam is that day)."""
    day = min(practice.today, onset + timedelta(days=practice.rng.randint(3, 21)))
    return timezone.make_aware(datetime.combine(day, time(7, 45)))


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


def precaution_rows(practice: DemoPractice, number: int) -> Iterable[models.Model]:
    rng = practice.rng
    if rng.random() > 0.35 or number == SHOWCASE:
        return
    patient = practice.patients[number]
    kinds = [k for k in PRECAUTION_NOTES if k in practice.kb.precautions]
    for kind in rng.sample(kinds, k=1 if rng.random() < 0.8 else 2):
        if kind == "pregnancy" and (patient.sex != Sex.FEMALE or not 18 <= patient.age(practice.today) <= 44):
            continue
        practice.precautions_of[number].append(kind)
        # Known from the first visit, so that it is no re-consent trigger for the consent taken that day.
        recorded = min(e.created_at for e in practice.episodes_of[number])
        yield Precaution(patient=patient, kind=kind, note=rng.choice(PRECAUTION_NOTES[kind]), recorded_at=recorded)


def consent_rows(practice: DemoPractice, number: int) -> Iterable[models.Model]:
    """Consent for most patients, taken on the first visit after the first assessment (consent at intake, before
    it, would not count); reaffirmed for most later episodes (a new region). Some have none yet, and some later
    episodes wait for re-consent, so that the gate and its triggers can be seen."""
    rng = practice.rng
    if rng.random() < 0.15 and number != SHOWCASE:
        return
    episodes = sorted((e for e in practice.episodes_of[number] if e.clinician is not None), key=lambda e: e.created_at)
    if not episodes:
        return
    practice.consented.add(number)
    for order, episode in enumerate(episodes):
        if order and rng.random() < 0.15:
            continue
        yield Consent(
            patient=practice.patients[number],
            given_on=timezone.localtime(episode.created_at).date(),
            taken_by=episode.clinician,
            method=rng.choice([ConsentMethod.WRITTEN, ConsentMethod.WRITTEN, ConsentMethod.VERBAL]),
            risks_explained=True,
            recorded_by=episode.clinician,
        )


#: The load, in order. Later steps may rely on what earlier ones kept on the practice.
STEPS: list[Step] = [
    # Weights from a 2,000-patient load: 0.7 s of patients, 0.4 of episodes, 0.2 of consents, 8 of exams.
    Step("patients", patient_rows, weight=0.35),
    Step("episodes", episode_rows, weight=0.2),
    Step("precautions", precaution_rows, weight=0.05),
    Step("consents", consent_rows, weight=0.1),
    Step("exams", treatment_demo.kept_exam_rows, weight=4.0, prepare=exam_demo.start_exams),
    Step("sessions", treatment_demo.session_rows, weight=0.5),
    Step("measures", outcome_demo.score_rows, weight=0.3),
    Step("signing", treatment_demo.sign_rows, weight=0.01),
]


def load_demo(
    patients: int = 25,
    seed: int = 1,
    *,
    steps: Sequence[Step] | None = None,
    progress: Progress | None = None,
    workers: int = 1,
) -> DemoPractice:
    """Create the demo practice in one transaction; refuse a database that already has users.

    practice = load_demo(patients=10)          # workers=2: the engine on two processes
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
    chosen = list(STEPS if steps is None else steps)
    practice = DemoPractice(rng=random.Random(seed), kb=load_kb(), patient_count=patients, assessor=Assessor(workers))
    total = sum(step.weight * patients for step in chosen)  # summed as _run adds it up, so the last report is the total exactly
    done = 0.0
    try:
        with _collector_paused(), transaction.atomic():
            _plan_each_trigger_query()
            add_clinics_and_staff(practice)
            for step in chosen:
                done = _run(practice, step, progress, done, total)
            _reset_sequences(practice)
    finally:
        practice.assessor.close()
    return practice


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the load runs: the rows and results it keeps live to its end,
    and the collector's passes over them were a third of this process's time (they free little: the
    peak memory of a 5,000-patient load is the same without them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(practice: DemoPractice, step: Step, progress: Progress | None, done: float, total: float) -> float:
    pending: list[models.Model] = []
    previous: tuple[list[models.Model], Callable[[], None] | None] | None = None
    for number in range(practice.patient_count + 1):
        last = number == practice.patient_count
        if not last:
            for row in step.rows(practice, number):
                if row.pk is None:
                    row.pk = practice.new_id(type(row))
                pending.append(row)
        if len(pending) >= BATCH or last:
            # Start this batch, then finish and insert the one before while it runs.
            started = (pending, step.prepare(practice, pending) if step.prepare and pending else None)
            if previous is not None:
                _insert(*previous)
            previous, pending = started, []
        if progress is not None and not last and (number + 1) % REPORT_EVERY == 0:
            progress(step.name, done + step.weight * (number + 1), total)
    if previous is not None:
        _insert(*previous)
    done += step.weight * practice.patient_count
    if progress is not None:
        progress(step.name, done, total)
    return done


def _insert(rows: list[models.Model], finish: Callable[[], None] | None) -> None:
    """Finish one batch and insert it, a model at a time in the order the step first yielded them (parents first)."""
    if finish is not None:
        finish()
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, batch in by_model.items():
        _insert_rows(model, batch)


# Fields whose Python value is already what the database driver takes: no per-value preparation.
PLAIN_FIELDS = (models.CharField, models.TextField, models.IntegerField, models.BooleanField, models.FloatField, models.ForeignKey)


def _insert_rows(model: type[models.Model], rows: list[models.Model]) -> None:
    """One INSERT for the model, run for every row (executemany): every row has its id already.

    Django's bulk_create compiles each value of each row through the SQL compiler, which was
    most of a demo load's time; the rows here are made by the demo itself, so values go to the
    driver as they are, prepared only where the database needs it (dates and times, JSON).
    pre_save still fills auto_now fields, as bulk_create would.
    """
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
    prepared = [(f, _preparer(f)) for f in fields]
    values = [[prepare(f.pre_save(row, True)) for f, prepare in prepared] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(statement, values)


def _preparer(field: models.Field[Any, Any]) -> Callable[[Any], object]:
    """What turns the field's value into the driver's: the backend's own adapter, without the
    field's checks of values a form might send (the demo's datetimes are all aware)."""
    if isinstance(field, PLAIN_FIELDS):
        return _plain
    if isinstance(field, models.JSONField) and field.encoder is None:
        return _json
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _plain(value: object) -> object:
    """A choice's value (drivers would write an enum member's name, or refuse it)."""
    return value.value if isinstance(value, enum.Enum) else value


def _json(value: object) -> str | None:
    """The JSON text Django's JSONField would store (None is SQL NULL), made by orjson: json.dumps, at
    15 kB a saved exam, was the load's largest cost. Keys that are not strings become strings, as there."""
    return None if value is None else orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _plan_each_trigger_query() -> None:
    """PostgreSQL: plan the lock triggers' lookups afresh on every row for the rest of the load.

    Each insertion's trigger reads its session by id. PL/pgSQL keeps the plan it made while the
    sessions table was still nearly empty, a scan of the whole table, and the load then scanned
    thousands of sessions for every insertion (at 20,000 patients the server's CPU ran flat out for
    more than a quarter of an hour). A plan made per row sees the table as it is and reads the index.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")


def _reset_sequences(practice: DemoPractice) -> None:
    """Move PostgreSQL's id sequences past the ids given here (SQLite follows inserted ids by itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(practice._next_id))
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

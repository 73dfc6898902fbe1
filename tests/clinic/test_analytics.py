"""Practice analytics against a hand-counted practice: figures, the small-cell rule, filters, CSV, access and audit.

The practice (clinic A; days from analytics_data.DAY0):

    ep  who    condition   primary    scores (day: value)            sessions   status      first exam's segment
    1   Alice  back pain   ODI  (10)  0:40  7:28  21:40->20 (disch.)   0, 7, 14   discharged  L5 (a later exam: S1)
    2   Alice  back pain   ODI        0:50  14:45 (disch.)           0, 7       discharged  L5
    3   Alice  back pain   ODI        0:30  14:20 (disch.)           0, 7, 14   discharged  L5
    4   Alice  back pain   ODI        0:60  7:55, no discharge       0, 7       discharged  L5   (a drop-out)
    5   Alice  back pain   ODI        0:44  10:30 (disch.)           0          discharged  L5
    6   Alice  back pain   ODI        0:35                           0          active      L4
    7   Bob    stiff neck  NDI  (5)   0:20  14:10 (disch.)           0, 7       discharged  C6
    8   Bob    stiff neck  NDI        0:25  14:24 (disch.)           0          discharged  C6
    9   Bob    stiff neck  NDI        none                           none       active      none
    10  Bob    knee OA     LEFS (9)   100:30  114:45 (disch.)        100, 107   discharged  none
    and the world's own tennis elbow episode of Alice's: active, nothing recorded.

Hand counts. Completed (discharged with a baseline and a discharge score): 1, 2, 3, 5, 7, 8, 10.
Reached the MCID: 1 (20 down), 3 (10 down: exactly the MCID), 5 (14), 7 (10 of NDI's 5), 10 (15 up
on LEFS, where higher is better); not 2 (5) or 8 (1). Sessions to the MCID (up to the first score
that had improved by it): 1: day 7 -> 2; 3: day 14 -> 3; 5: day 10 -> 1; 7: day 14 -> 2; 10: day
114 -> 2; median 2. Improvement as a share of the scale: 20, 5, 10, 14, 20, 2, 18.75; median 14.
Adverse events, all on first sessions: episode 1 a mild one, episode 2 a mild and a significant.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from myotome.clinic.accounts.models import Clinic, Membership, Role
from myotome.clinic.analytics.queries import episode_facts
from myotome.clinic.analytics.tables import FEWER, practice_tables
from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.exams.models import Exam, ExamStatus
from myotome.clinic.outcomes.models import EpisodeMeasures
from myotome.clinic.outcomes.service import measure_set
from myotome.clinic.patients.models import Episode, Patient
from myotome.kb import load_kb

from .analytics_data import DAY0, at, course
from .conftest import World, enrol_second_factor


@pytest.fixture
def practice(world: World) -> World:
    alice, bob, p = world.alice, world.bob, world.patient
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 40), (7, "progress", 28), (21, "discharge", 20)],
           sessions=[0, 7, 14], events=["mild"], segments=["L5", "S1"])  # fmt: skip
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 50), (14, "discharge", 45)], sessions=[0, 7],
           events=["mild", "significant"], segments=["L5"])  # fmt: skip
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 30), (14, "discharge", 20)], sessions=[0, 7, 14], segments=["L5"])
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 60), (7, "progress", 55)], sessions=[0, 7], segments=["L5"])
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 44), (10, "discharge", 30)], sessions=[0], segments=["L5"])
    course(alice, "low_back_pain", patient=p, scores=[(0, "intake", 35)], sessions=[0], discharged=False, segments=["L4"])
    course(bob, "stiff_neck", patient=p, scores=[(0, "intake", 20), (14, "discharge", 10)], sessions=[0, 7], segments=["C6"])
    course(bob, "stiff_neck", patient=p, scores=[(0, "intake", 25), (14, "discharge", 24)], sessions=[0], segments=["C6"])
    course(bob, "stiff_neck", patient=p, discharged=False)
    course(bob, "knee_osteoarthritis", patient=p, scores=[(100, "intake", 30), (114, "discharge", 45)], sessions=[100, 107])
    # Another clinic's episode, which reached the MCID: never counted in clinic A.
    course(world.charlie, "low_back_pain", patient=world.other_patient, scores=[(0, "intake", 80), (14, "discharge", 10)], sessions=[0])
    return world


def _tables(world: World, **filters: object) -> dict[str, dict[str, dict[str, str]]]:
    overall, tables = practice_tables(episode_facts(world.clinic_a, **filters), load_kb())  # type: ignore[arg-type]
    shown = {t.key: {row.label: row.cells() for row in t.rows} for t in tables}
    shown["practice"] = {"All episodes": overall.cells()}
    return shown


def test_the_whole_practice_matches_the_hand_count(practice: World) -> None:
    cells = _tables(practice)["practice"]["All episodes"]
    assert cells["episodes"] == "11" and cells["completed"] == "7"
    assert cells["reached"] == "71% (5 of 7)"
    assert cells["sessions_to_mcid"] == "2"
    assert cells["improvement"] == "14% of scale"
    assert cells["dropped_out"] == "12% (1 of 8)"
    assert cells["sessions"] == "17"
    assert (cells["ae_mild"], cells["ae_significant"], cells["ae_serious"]) == ("11.8", "5.9", "0.0")  # 2, 1 and 0 of 17


def test_by_condition_with_small_cells_shown_as_fewer_than_5(practice: World) -> None:
    by_condition = _tables(practice)["condition"]
    back = by_condition["Low back pain"]
    assert (back["episodes"], back["completed"], back["reached"]) == ("6", FEWER, FEWER)  # 4 completed: too few for a share
    assert back["dropped_out"] == "20% (1 of 5)"
    assert back["ae_mild"] == "16.7"  # 2 mild events in 12 sessions
    neck = by_condition["Stiff neck"]
    assert set(neck.values()) == {FEWER}  # 3 episodes: no figure at all
    assert "%" not in "".join(by_condition["Knee osteoarthritis"].values())


def test_by_practitioner_in_name_order_with_the_condition_mix(practice: World) -> None:
    _, tables = practice_tables(episode_facts(practice.clinic_a), load_kb())
    by_practitioner = next(t for t in tables if t.key == "practitioner")
    assert [row.label for row in by_practitioner.rows] == ["Alice Tester", "Bob Tester"]
    alice, bob = by_practitioner.rows
    assert alice.mix == (("Low back pain", 6), ("Tennis elbow (lateral epicondylalgia)", 1))
    assert alice.cells()["reached"] == FEWER  # 4 completed
    assert bob.mix_text() == "Stiff neck 3; Knee osteoarthritis 1"
    assert bob.cells()["episodes"] == FEWER


def test_an_episode_belongs_to_the_top_segment_of_its_first_saved_exam(practice: World) -> None:
    by_segment = _tables(practice)["segment"]
    assert list(by_segment) == ["C6", "L4", "L5", "No saved exam"]  # head to tail; episode 1's later S1 exam does not count
    assert by_segment["L5"]["episodes"] == "5"
    assert by_segment["L5"]["reached"] == FEWER  # 4 completed
    assert by_segment["L5"]["dropped_out"] == "20% (1 of 5)"


def test_a_draft_exam_before_the_first_saved_one_is_not_the_first_exam(practice: World) -> None:
    episode = Episode.objects.get(status="active", condition="low_back_pain", patient__clinic=practice.clinic_a)
    Exam.objects.create(
        episode=episode,
        status=ExamStatus.DRAFT,
        document={},
        kb_version="test",
        created_at=at(0) - timedelta(days=3),
        created_by=practice.alice,
    )
    assert "L4" in _tables(practice)["segment"]


def test_the_date_range_and_condition_filters(practice: World) -> None:
    # Episode 10 starts on day 100; the world's episode and episode 9 have nothing recorded, so they start the day they were opened (today).
    early = _tables(practice, until=DAY0 + timedelta(days=30))["practice"]["All episodes"]
    assert early["episodes"] == "8" and early["reached"] == "67% (4 of 6)"  # episodes 1 to 8: 1, 3, 5 and 7 of 1, 2, 3, 5, 7, 8
    late = _tables(practice, since=DAY0 + timedelta(days=30))
    assert late["practice"]["All episodes"]["episodes"] == FEWER  # 3
    assert set(late["condition"]) == {"Knee osteoarthritis", "Stiff neck", "Tennis elbow (lateral epicondylalgia)"}
    back = _tables(practice, condition="low_back_pain")
    assert set(back["condition"]) == {"Low back pain"} and back["practice"]["All episodes"]["episodes"] == "6"


def test_the_primary_measure_is_the_one_the_episode_page_uses(practice: World) -> None:
    chosen = Episode.objects.get(condition="knee_osteoarthritis")
    EpisodeMeasures.objects.create(episode=chosen, measures=["nprs", "lefs"])  # the clinician chose NPRS first: no NPRS scores
    headache = Episode.objects.create(
        patient=practice.patient, clinician=practice.bob, regions=["low_back"], side="left", condition="headache"
    )
    no_condition = Episode.objects.create(
        patient=practice.patient, clinician=practice.bob, regions=["scalp", "knee", "low_back"], side="left"
    )
    facts = {f.pk: f for f in episode_facts(practice.clinic_a)}
    for episode in Episode.objects.filter(patient__clinic=practice.clinic_a):
        assert facts[episode.pk].primary == measure_set(episode)[0]
    assert (facts[chosen.pk].primary, facts[headache.pk].primary, facts[no_condition.pk].primary) == ("nprs", "nprs", "lefs")
    assert facts[chosen.pk].baseline is None and not facts[chosen.pk].completed


def test_the_page_makes_a_fixed_number_of_queries(practice: World) -> None:
    client = practice.client("erin")
    assert client.get("/analytics/").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/analytics/?condition=low_back_pain&since=2026-01-01")
    assert response.status_code == 200
    # the session, the user, the membership, the second factor; the episodes, their primary measures' courses and their
    # adverse events by grade; the audit row
    assert len(captured) == 8, "\n".join(q["sql"] for q in captured.captured_queries)


def test_the_page_shows_the_tables_and_the_published_rates(practice: World) -> None:
    page = practice.client("erin").get("/analytics/").content.decode()
    assert "not ranked" in page and "top-ranked segment of its" in page
    assert "Brady S et al." in page and "Boyce D et al." in page and "19.18" in page
    assert page.count(FEWER) > 5 and "71% (5 of 7)" in page
    assert "Zabriskie" not in page


def test_the_csv_export_has_every_table_with_the_small_cell_rule(practice: World) -> None:
    response = practice.client("erin").get("/analytics/export.csv?condition=")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Table", "Group", "Episodes"]
    by = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in body}
    assert by[("Practice", "All episodes")]["Reached MCID on the primary measure"] == "71% (5 of 7)"
    assert set(list(by[("By condition", "Stiff neck")].values())[2:-1]) == {FEWER}
    assert by[("By practitioner", "Alice Tester")]["Condition mix"] == "Low back pain 6; Tennis elbow (lateral epicondylalgia) 1"
    assert {t for t, _ in by} == {"Practice", "By condition", "By practitioner", "By segment treated"}
    event = AuditEvent.objects.get(action=Action.EXPORT)
    assert event.record_type == "practice_analytics" and event.clinic == practice.clinic_a and event.user == practice.erin


def test_a_name_a_spreadsheet_would_run_is_written_as_text(practice: World) -> None:
    practice.bob.first_name, practice.bob.last_name = "=HYPERLINK(1)", ""
    practice.bob.save()
    body = practice.client("erin").get("/analytics/export.csv").content.decode()
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body


@pytest.mark.parametrize(("who", "status"), [("alice", 403), ("bob", 403), ("dana", 403), ("erin", 200)])
@pytest.mark.parametrize("path", ["/analytics/", "/analytics/export.csv", "/analytics/prognosis/"])
def test_only_a_clinic_admin_opens_the_reports(practice: World, who: str, status: int, path: str) -> None:
    assert practice.client(who).get(path).status_code == status
    if status == 403:
        refused = AuditEvent.objects.get(action=Action.DENIED, user=getattr(practice, who))
        assert refused.record_type in ("practice_analytics", "prognostic_report") and refused.detail == "clinic admin page refused"


def test_signed_out_users_go_to_the_login_page(practice: World) -> None:
    response = practice.client(None).get("/analytics/?condition=low_back_pain")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/analytics/"


def test_another_clinics_admin_sees_only_their_clinic(practice: World) -> None:
    felix = type(practice.erin).objects.create(username="felix", first_name="Felix", last_name="Tester")
    Membership.objects.create(user=felix, clinic=practice.clinic_b, role=Role.CLINIC_ADMIN)
    enrol_second_factor(felix)
    practice.felix = felix  # type: ignore[attr-defined]
    page = practice.client("felix").get("/analytics/").content.decode()
    assert "Charlie Tester" in page and "Alice Tester" not in page and "Bob Tester" not in page
    assert AuditEvent.objects.filter(action=Action.VIEW, record_type="practice_analytics", clinic=practice.clinic_b).count() == 1


def test_a_view_is_audited_with_its_filters(practice: World) -> None:
    practice.client("erin").get("/analytics/?since=2026-01-01&condition=stiff_neck")
    event = AuditEvent.objects.get(action=Action.VIEW, record_type="practice_analytics")
    assert event.detail == "from 2026-01-01, condition stiff_neck" and event.clinic == practice.clinic_a


def test_a_reversed_date_range_is_refused_with_the_dates_named(practice: World) -> None:
    page = practice.client("erin").get("/analytics/?since=2026-05-01&until=2026-04-01").content.decode()
    assert "is before" in page and "swap them" in page


def test_an_empty_clinic_shows_no_numbers(world: World) -> None:
    clinic = Clinic.objects.create(name="Empty")
    overall, tables = practice_tables(episode_facts(clinic), load_kb())
    assert overall.cells()["episodes"] == FEWER and all(not t.rows for t in tables)
    assert not Patient.objects.filter(clinic=clinic).exists()

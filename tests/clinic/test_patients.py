"""Demographics, the patient list and search: what is saved, what is refused, what is audited."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from myotome.clinic.audit.models import Action, AuditEvent
from myotome.clinic.patients.models import Patient

from .conftest import OUTSIDE_ADDRESS, World

VALID = {
    "family_name": "Ashdown",
    "given_name": "Perpetua",
    "date_of_birth": "1988-07-14",
    "sex": "female",
    "phone": "07700 900123",
    "email": "p@example.org",
}


def test_a_new_patient_belongs_to_the_active_clinic_and_the_creation_is_audited(world: World) -> None:
    response = world.client("dana").post(reverse("patients:new"), VALID)
    patient = Patient.objects.get(family_name="Ashdown")
    assert response.status_code == 302 and response["Location"] == reverse("patients:detail", args=[patient.pk])
    assert (patient.clinic, patient.created_by) == (world.clinic_a, world.dana)
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert (event.record_type, event.record_id, event.user, event.clinic, event.remote_addr) == (
        "patient",
        str(patient.pk),
        world.dana,
        world.clinic_a,
        OUTSIDE_ADDRESS,
    )


def test_a_posted_clinic_id_is_ignored(world: World) -> None:
    world.client("alice").post(reverse("patients:new"), {**VALID, "clinic": str(world.clinic_b.pk)})
    assert Patient.objects.get(family_name="Ashdown").clinic == world.clinic_a


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "Date of birth 01 Jan 2999 is in the future"),
        ("date_of_birth", "1850-01-01", "is before 1900"),
        (
            "date_of_birth",
            "31/02/1980",
            "Date of birth: &#x27;31/02/1980&#x27; is not a date; write it as 28 Nov 2026 (day, month name, year).",
        ),
        ("phone", "call me maybe", "Phone &#x27;call me maybe&#x27; is not a phone number"),
        ("email", "not-an-address", "Enter a valid email address"),
        ("family_name", "", "This field is required"),
        ("sex", "robot", "Select a valid choice"),
        ("date_of_birth", "0001-01-01", "Date of birth 01 Jan 0001 is before 1900; check the year."),
        ("date_of_birth", "9999-12-31", "Date of birth 31 Dec 9999 is in the future"),
        ("family_name", "Ash\x00down", "Family name &#x27;Ash\\x00down&#x27; contains a control character (U+0000)"),
        ("given_name", "Per\x1bpetua", "Given name &#x27;Per\\x1bpetua&#x27; contains a control character (U+001B)"),
        ("given_name", "Perpetua\nJane", "(U+000A)"),  # a name is one line
        ("family_name", "A" * 101, "Family name &#x27;AAAA"),
        ("family_name", "A" * 101, "is 101 characters long; the limit is 100, so shorten it."),
        ("notes", "x" * 100_000, "Administrative notes &#x27;xxxx"),
        ("notes", "x" * 100_000, "is 100,000 characters long; the limit is 10,000"),
        ("notes", "front desk\x00", "Administrative notes &#x27;front desk\\x00&#x27; contains a control character (U+0000)"),
        ("phone", "020\x007946", "Phone &#x27;020\\x007946&#x27; contains a control character"),
    ],
)
def test_bad_input_is_refused_with_the_field_named_and_the_typed_values_kept(world: World, field: str, value: str, message: str) -> None:
    response = world.client("alice").post(reverse("patients:new"), {**VALID, field: value})
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert f'href="#id_{field}"' in page  # the error summary links to the field
    for name in ("family_name", "given_name", "phone", "email"):
        if name != field:
            assert f'value="{VALID[name]}"' in page
    assert not Patient.objects.filter(given_name="Perpetua").exists()


def test_notes_keep_their_line_breaks_and_tabs(world: World) -> None:
    notes = "Prefers mornings.\r\n\tCall the mobile first."
    assert world.client("dana").post(reverse("patients:new"), {**VALID, "notes": notes}).status_code == 302
    assert Patient.objects.get(family_name="Ashdown").notes == notes


def test_a_refused_search_says_why_and_keeps_the_search_that_was_stored(world: World) -> None:
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": "quennell"})
    response = client.post(reverse("patients:search"), {"q": "quen\x00nell"})
    page = response.content.decode()
    assert response.status_code == 422 and "Find a patient &#x27;quen\\x00nell&#x27; contains a control character (U+0000)" in page
    assert "1 patient match" in client.get(reverse("patients:list")).content.decode()


def test_editing_demographics_is_audited_with_the_changed_fields_only(world: World) -> None:
    url = reverse("patients:edit", args=[world.patient.pk])
    data = {"family_name": "Quennell", "given_name": "Ottoline", "date_of_birth": "1971-04-02", "sex": "female", "phone": "020 7946 0999"}
    assert world.client("bob").post(url, data).status_code == 302
    world.patient.refresh_from_db()
    assert world.patient.phone == "020 7946 0999"
    event = AuditEvent.objects.get(action=Action.UPDATE)
    assert event.detail == "changed: phone"
    assert "0999" not in event.detail


def test_opening_a_chart_is_audited(world: World) -> None:
    world.client("bob").get(reverse("patients:detail", args=[world.patient.pk]))
    event = AuditEvent.objects.get(action=Action.VIEW, record_type="patient")
    assert (event.user, event.record_id, event.remote_addr, event.detail) == (world.bob, str(world.patient.pk), OUTSIDE_ADDRESS, "chart")


def test_the_list_is_audited(world: World) -> None:
    world.client("alice").get(reverse("patients:list"))
    event = AuditEvent.objects.get(record_type="patient_list")
    assert event.action == Action.VIEW and event.detail == "1 found, page 1"


def test_search_posts_the_query_and_keeps_it_out_of_the_url(world: World) -> None:
    client = world.client("alice")
    Patient.objects.create(clinic=world.clinic_a, family_name="Ashdown", given_name="Perpetua", date_of_birth="1988-07-14")
    response = client.post(reverse("patients:search"), {"q": "quennell"}, follow=True)
    final_url, _status = response.redirect_chain[-1]
    assert final_url == reverse("patients:list")
    assert "?" not in final_url and "quennell" not in final_url.lower()
    page = response.content.decode()
    assert "Quennell" in page and "Ashdown" not in page
    assert 'value="quennell"' in page  # the query is shown back in the form
    event = AuditEvent.objects.get(record_type="patient_search")
    assert event.detail == "1 found, page 1" and "quennell" not in event.path + event.detail


def test_search_by_get_is_not_allowed(world: World) -> None:
    assert world.client("alice").get(reverse("patients:search") + "?q=quennell").status_code == 405


@pytest.mark.parametrize("query", ["ottoline quen", "Quennell, Ottoline", "1971-04-02", "02/04/1971", "7946 0123", "+442079460123"])
def test_search_finds_by_name_birth_date_or_phone(world: World, query: str) -> None:
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": query})
    assert "Quennell" in client.get(reverse("patients:list")).content.decode()


def test_search_never_reaches_another_clinic(world: World) -> None:
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": "zabriskie"})
    page = client.get(reverse("patients:list")).content.decode()
    assert "Zabriskie" not in page and "0 patients match" in page


def test_show_all_clears_the_search(world: World) -> None:
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": "nobody-by-this-name"})
    assert "0 patients match" in client.get(reverse("patients:list")).content.decode()
    client.post(reverse("patients:search"), {"q": ""})
    assert "Quennell" in client.get(reverse("patients:list")).content.decode()


def test_recently_opened_patients_appear_on_the_clinicians_day(world: World) -> None:
    client = world.client("bob")
    assert "Quennell" not in client.get(reverse("day")).content.decode()
    client.get(reverse("patients:detail", args=[world.patient.pk]))
    assert "Quennell" in client.get(reverse("day")).content.decode()


def test_the_clinicians_day_lists_their_active_episodes(world: World) -> None:
    alice_day = world.client("alice").get(reverse("day")).content.decode()
    assert "Tennis elbow" in alice_day and reverse("patients:episode", args=[world.episode.pk]) in alice_day
    assert "Tennis elbow" not in world.client("bob").get(reverse("day")).content.decode()


# Name search by the start of a word of either name (patients/names.py): query, whether Quennell is found.
# World's patient is Ottoline Quennell; the names below are added for the cases that need them.
NAME_SEARCHES = [
    ("quen", "Quennell, Ottoline"),
    ("QUENNELL", "Quennell, Ottoline"),
    ("ottoline quen", "Quennell, Ottoline"),
    ("Quennell, Ottoline", "Quennell, Ottoline"),
    ("nell", None),  # inside a name, not at the start of a word
    ("quen zoe", None),  # every word must match
    ("jose", "Núñez, José"),  # accents folded both ways
    ("núñez", "Núñez, José"),
    ("NUNEZ jo", "Núñez, José"),
    ("brien", "O'Brien-Smith, Aoife"),
    ("o'brien", "O'Brien-Smith, Aoife"),
    ("obrien", "O'Brien-Smith, Aoife"),
    ("smith aoife", "O'Brien-Smith, Aoife"),
    ("van der", "van der Berg, Anneke"),
    ("иван", "Петров, Иван"),  # any script
    ("zabriskie", None),  # clinic B's patient
    ("jones", "Smith‐Jones, Tamsin"),  # a Unicode hyphen (U+2010) parts words too
    ("smithjones", "Smith‐Jones, Tamsin"),
    ("-", None),  # punctuation alone matches no one
]


@pytest.mark.parametrize(("query", "found"), NAME_SEARCHES)
def test_name_search_finds_the_start_of_any_word_of_a_name(world: World, query: str, found: str | None) -> None:
    for family, given in (
        ("Núñez", "José"),
        ("O'Brien-Smith", "Aoife"),
        ("van der Berg", "Anneke"),
        ("Петров", "Иван"),
        ("Smith‐Jones", "Tamsin"),
    ):
        Patient.objects.create(clinic=world.clinic_a, family_name=family, given_name=given, date_of_birth="1980-01-01")
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": query})
    page = client.get(reverse("patients:list")).content.decode()
    names = re.findall(r'<a href="/patients/\d+/">([^<]+)</a>', page)
    assert [html.unescape(n) for n in names] == ([found] if found else []), (query, names)


def test_a_renamed_patient_is_found_by_the_new_name_only(world: World) -> None:
    world.patient.family_name = "Ashcombe"
    world.patient.save()
    client = world.client("alice")
    for query, expected in (("quennell", 0), ("ashc", 1)):
        client.post(reverse("patients:search"), {"q": query})
        assert f"{expected} patient{'s' if expected != 1 else ''} " in client.get(reverse("patients:list")).content.decode()


def test_the_name_search_reads_the_key_index(world: World) -> None:
    from django.db import connection

    from myotome.clinic.patients.search import search_patients

    sql, params = search_patients(Patient.objects.filter(clinic=world.clinic_a), "quen otto").query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING COVERING INDEX sqlite_autoindex_patients_patientsearchkey_1 (key>? AND key<?)" in plan, plan
        else:
            cursor.execute("SET enable_seqscan = off")  # a tiny table is scanned whatever the indexes; ask whether the index can serve
            cursor.execute("EXPLAIN " + sql, params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            assert "patient_search_key_prefix" in plan, plan

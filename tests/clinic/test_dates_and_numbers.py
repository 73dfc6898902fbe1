"""One format for dates (shown and typed as the clinic writes them) and for scores, and plurals that agree."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from myotome.clinic import config, dates
from myotome.clinic.patients.models import Patient
from myotome.clinic.patients.templatetags.clinic_format import clinic_date, percent

from .conftest import World
from .exam_data import make_exam

PATIENT = {"family_name": "Ashdown", "given_name": "Perpetua", "sex": "female"}


@pytest.mark.parametrize(
    ("style", "typed", "shown"),
    [
        ("d MMM yyyy", "14 Jul 1988", "14 Jul 1988"),
        ("d MMM yyyy", "14 july 1988", "14 Jul 1988"),  # the month's full name, in any case
        ("dd/mm/yyyy", "14/07/1988", "14/07/1988"),
        ("mm/dd/yyyy", "07/14/1988", "07/14/1988"),
        ("yyyy-mm-dd", "1988-07-14", "1988-07-14"),
        ("dd/mm/yyyy", "1988-07-14", "14/07/1988"),  # ISO is read in every format
    ],
)
def test_a_date_is_typed_and_shown_in_the_clinics_format(style: str, typed: str, shown: str) -> None:
    with override_settings(MYOTOME_DATE_FORMAT=style):
        field = dates.ClinicDateField(label="Date of birth")
        assert field.clean(typed) == date(1988, 7, 14)
        assert field.widget.format_value(date(1988, 7, 14)) == shown


@pytest.mark.parametrize(
    ("style", "typed", "message"),
    [
        ("d MMM yyyy", "14/07/1988", "Date of birth: '14/07/1988' is not a date; write it as 28 Nov 2026 (day, month name, year)."),
        ("dd/mm/yyyy", "07/14/1988", "Date of birth: '07/14/1988' is not a date; write it as 28/11/2026 (day/month/year)."),
        ("mm/dd/yyyy", "14/07/1988", "Date of birth: '14/07/1988' is not a date; write it as 11/28/2026 (month/day/year)."),
    ],
)
def test_a_date_in_another_format_is_refused_naming_the_clinics(style: str, typed: str, message: str) -> None:
    with override_settings(MYOTOME_DATE_FORMAT=style), pytest.raises(ValidationError, match=re.escape(message)):
        dates.ClinicDateField(label="Date of birth").clean(typed)


def test_the_setting_takes_only_the_formats_there_are(monkeypatch: pytest.MonkeyPatch) -> None:
    assert set(dates.FORMATS) == set(config.DATE_FORMATS)
    monkeypatch.setenv("MYOTOME_DATE_FORMAT", "dd.mm.yy")
    with pytest.raises(config.ConfigError, match=r"MYOTOME_DATE_FORMAT must be one of 'd MMM yyyy', .* got 'dd\.mm\.yy'"):
        config.env_choice("MYOTOME_DATE_FORMAT", "d MMM yyyy", config.DATE_FORMATS)


def test_every_date_field_is_a_text_input_in_the_clinics_format(world: World) -> None:
    client = world.client("alice")
    pages = [
        reverse("patients:edit", args=[world.patient.pk]),
        reverse("patients:consent_new", args=[world.patient.pk]),
        reverse("patients:episode_edit", args=[world.episode.pk]),
    ]
    for url in pages:
        page = client.get(url).content.decode()
        assert 'type="date"' not in page, url  # a date picker follows the browser's locale, not the clinic's
        assert re.search(r'<input type="text" name="(date_of_birth|given_on|onset_date)"[^>]*placeholder="28 Nov 2026"', page), url
    page = client.get(pages[0]).content.decode()
    born = world.patient.date_of_birth
    assert f'value="{born:%d %b %Y}"' in page


def test_a_patient_is_saved_from_a_date_typed_in_the_clinics_format(world: World) -> None:
    response = world.client("alice").post(reverse("patients:new"), {**PATIENT, "date_of_birth": "14 Jul 1988"})
    assert response.status_code == 302 and Patient.objects.get(family_name="Ashdown").date_of_birth == date(1988, 7, 14)
    with override_settings(MYOTOME_DATE_FORMAT="mm/dd/yyyy"):
        response = world.client("alice").post(reverse("patients:new"), {**PATIENT, "family_name": "Bligh", "date_of_birth": "07/14/1988"})
        assert response.status_code == 302 and Patient.objects.get(family_name="Bligh").date_of_birth == date(1988, 7, 14)


def test_pages_show_dates_in_the_clinics_format(world: World) -> None:
    with override_settings(MYOTOME_DATE_FORMAT="dd/mm/yyyy"):
        assert clinic_date(date(2026, 1, 5)) == "05/01/2026"
        page = world.client("alice").get(reverse("patients:detail", args=[world.patient.pk])).content.decode()
        assert world.patient.date_of_birth.strftime("%d/%m/%Y") in page


@pytest.mark.parametrize(("score", "shown"), [(0.534, "53%"), (1, "100%"), (0.005, "0%"), ("x", ""), (None, "")])
def test_a_score_is_a_whole_percent(score: object, shown: str) -> None:
    assert percent(score) == shown


def test_scores_are_percent_on_the_exam_the_patient_and_the_episode(world: World) -> None:
    exam = make_exam(world.episode, world.alice)
    top = exam.top_segments[0]
    expected = f"{top['segment']} {top['side']} ({round(top['score'] * 100)}%)"
    client = world.client("alice")
    for url in (reverse("patients:detail", args=[world.patient.pk]), reverse("patients:episode", args=[world.episode.pk])):
        page = client.get(url).content.decode()
        assert expected in page, url
        assert not re.search(r"\(0\.\d\d\)", page), url
    page = client.get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert f'<span class="segment-score">{round(top["score"] * 100)}%</span>' in page


def test_one_patient_matches_a_search_and_two_match(world: World) -> None:
    client = world.client("alice")
    client.post(reverse("patients:search"), {"q": "quennell"})
    assert "1 patient matches your search." in client.get(reverse("patients:list")).content.decode()
    Patient.objects.create(clinic=world.clinic_a, family_name="Quennell", given_name="Ada", date_of_birth=date(1990, 1, 1))
    assert "2 patients match your search." in client.get(reverse("patients:list")).content.decode()

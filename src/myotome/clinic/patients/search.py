"""Patient search: the query lives in the session, never in the URL.

A search is a POST that stores the query (per clinic) and redirects to the list,
so names never reach browser history, proxy logs or Referer headers::

    remember_search(request, "smith")
    search_patients(patients_for(request), current_search(request))
"""

from __future__ import annotations

import re
from datetime import date, datetime

from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.http import HttpRequest

from myotome.clinic import dates
from myotome.clinic.patients.models import PatientSearchKey
from myotome.clinic.patients.names import query_keys

SESSION_KEY = "myotome_patient_search"


def remember_search(request: HttpRequest, query: str) -> None:
    membership = getattr(request, "membership", None)
    if membership is None:
        return
    query = query.strip()
    if query:
        request.session[SESSION_KEY] = {"clinic": membership.clinic_id, "q": query}
    else:
        forget_search(request)


def current_search(request: HttpRequest) -> str:
    """The stored query if it was made in the active clinic, else ''."""
    stored = request.session.get(SESSION_KEY)
    membership = getattr(request, "membership", None)
    if not stored or membership is None or stored.get("clinic") != membership.clinic_id:
        return ""
    return str(stored.get("q", ""))


def forget_search(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def _as_date(text: str) -> date | None:
    """A birth date as the clinic writes it (or ISO); where the clinic does not write numbers
    month first, day-first numbers (02/04/1971, 02.04.1971) too."""
    found = dates.parse(text)
    if found is not None or dates.current().entry.startswith("%m"):
        return found
    for fmt in ("%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def search_patients(patients: QuerySet, query: str) -> QuerySet:  # type: ignore[type-arg]
    """Patients whose names have a word beginning with each word of ``query`` (``names.py``), or
    with that date of birth, phone or e-mail."""
    query = query.strip()
    if not query:
        return patients
    born = _as_date(query)
    if born:
        return patients.filter(date_of_birth=born)
    if "@" in query:
        return patients.filter(email__icontains=query)
    digits = re.sub(r"\D", "", query)
    if len(digits) >= 4 and len(digits) >= len(re.sub(r"[\s+()\-.]", "", query)):
        # Compare digits only: phones are stored as typed ("+44 20 7946 0000").
        return patients.annotate(phone_digits=_digits_of("phone")).filter(phone_digits__contains=digits)
    words = query_keys(query)
    if not words:  # only punctuation: no name begins with nothing
        return patients.none()
    for word in words:
        patients = patients.filter(pk__in=PatientSearchKey.objects.filter(_begins(word)).values("patient"))
    return patients


def _begins(word: str) -> Q:
    """Keys that begin with ``word``, read along the key index on either database."""
    if connection.vendor == "postgresql":
        return Q(key__startswith=word)  # LIKE 'word%' on the pattern index (names.py's keys are already folded)
    # SQLite's LIKE ignores case and so no index serves it; its keys compare as UTF-8 bytes, in code-point order,
    # so every key beginning with the word lies between the word and the word followed by the last code point.
    return Q(key__gte=word, key__lt=word + chr(0x10FFFF))


def _digits_of(field: str) -> Replace:
    """The field with the separators people type in phone numbers removed, in SQL."""
    expression: F | Replace = F(field)
    for separator in (" ", "-", "(", ")", ".", "+"):
        expression = Replace(expression, Value(separator), Value(""))
    return expression  # type: ignore[return-value]

"""Sessions of the active clinic only (anything else is an audited 404), and who may needle.

session = get_session_for(request, pk)
may_needle(request)          # a current needling credential in the active clinic
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from myotome.clinic.accounts.access import by_pk_in_clinic, get_in_clinic_or_404, membership, sees_clinical
from myotome.clinic.prepared import Prepared
from myotome.clinic.treatments.models import NeedlingCredential, TreatmentSession, TreatmentSettings


def sessions_for(request: HttpRequest) -> QuerySet[TreatmentSession]:
    return _sessions_in(membership(request).clinic_id)


def _sessions_in(clinic_id: int) -> QuerySet[TreatmentSession]:
    return TreatmentSession.objects.filter(episode__patient__clinic_id=clinic_id).select_related(
        "episode", "episode__patient", "practitioner", "signed_by", "exam"
    )


SESSION_BY_PK = by_pk_in_clinic(_sessions_in)


def get_session_for(request: HttpRequest, pk: int) -> TreatmentSession:
    return get_in_clinic_or_404(request, SESSION_BY_PK, pk, clinic_path="episode__patient__clinic")


# Asked on every page of a session and every insertion (compiled once: myotome.clinic.prepared).
_CURRENT_CREDENTIAL = Prepared(
    lambda user_id, clinic_id: NeedlingCredential.objects.filter(user_id=user_id, clinic_id=clinic_id, ended_at__isnull=True)[:1], int, int
)
_SETTINGS = Prepared(lambda clinic_id: TreatmentSettings.objects.filter(clinic_id=clinic_id).order_by("pk")[:1], int)


def current_credential(user: Any, clinic_id: int) -> NeedlingCredential | None:
    return _CURRENT_CREDENTIAL.first(user.pk, clinic_id)


def may_needle(request: HttpRequest) -> bool:
    """Clinical role and a current credential in the active clinic: the only users who record insertions."""
    return sees_clinical(request) and current_credential(request.user, membership(request).clinic_id) is not None


def clinic_settings(clinic_id: int) -> TreatmentSettings:
    """The clinic's session settings, or the defaults (unsaved) when it has none."""
    return _SETTINGS.first(clinic_id) or TreatmentSettings(clinic_id=clinic_id)

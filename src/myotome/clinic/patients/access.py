"""Records of the active clinic only: every patient-data query goes through these.

An id from the URL or a form is looked up inside the active clinic; anything else
is a 404 (audited), so another clinic's records cannot be seen, changed or even
confirmed to exist::

    patient = get_patient_for(request, pk)
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest

from myotome.clinic.accounts.access import by_pk_in_clinic, get_in_clinic_or_404, membership
from myotome.clinic.patients.models import Consent, Episode, Patient


def patients_for(request: HttpRequest) -> QuerySet[Patient]:
    return _patients_in(membership(request).clinic_id)


def _patients_in(clinic_id: int) -> QuerySet[Patient]:
    return Patient.objects.filter(clinic_id=clinic_id)


def episodes_in(clinic_id: int) -> QuerySet[Episode]:
    return Episode.objects.filter(patient__clinic_id=clinic_id).select_related("patient", "clinician")


PATIENT_BY_PK = by_pk_in_clinic(_patients_in)
EPISODE_BY_PK = by_pk_in_clinic(episodes_in)


def get_patient_for(request: HttpRequest, pk: int) -> Patient:
    return get_in_clinic_or_404(request, PATIENT_BY_PK, pk, clinic_path="clinic")


def get_episode_for(request: HttpRequest, pk: int) -> Episode:
    return get_in_clinic_or_404(request, EPISODE_BY_PK, pk, clinic_path="patient__clinic")


def get_consent_for(request: HttpRequest, patient: Patient, pk: int) -> Consent:
    """A consent of ``patient`` (already scoped to the clinic)."""
    return get_in_clinic_or_404(request, Consent.objects.filter(patient=patient), pk, clinic_path="patient__clinic")

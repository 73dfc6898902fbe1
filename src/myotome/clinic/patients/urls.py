"""Patient URLs: readable, with ids in the path and never patient data in a query string."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.patients import views

app_name = "patients"
urlpatterns = [
    path("patients/", views.patient_list, name="list"),
    path("patients/search/", views.patient_search, name="search"),
    path("patients/new/", views.patient_new, name="new"),
    path("patients/<int:pk>/", views.patient_detail, name="detail"),
    path("patients/<int:pk>/edit/", views.patient_edit, name="edit"),
    path("patients/<int:pk>/precautions/", views.precautions_edit, name="precautions"),
    path("patients/<int:pk>/consent/new/", views.consent_new, name="consent_new"),
    path("patients/<int:pk>/consent/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("patients/<int:pk>/episodes/new/", views.episode_new, name="episode_new"),
    path("episodes/<int:pk>/", views.episode_detail, name="episode"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode_edit"),
]

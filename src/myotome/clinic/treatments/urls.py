"""Session URLs: ids in the path, never patient data in a query string."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.treatments import credentials, recording, views

app_name = "treatments"
urlpatterns = [
    path("exams/<int:pk>/session/", views.start, name="start"),
    path("sessions/<int:pk>/", views.session_page, name="session"),
    path("sessions/<int:pk>/insertions/", recording.insertion, name="insertion"),
    path("sessions/<int:pk>/field/", recording.field, name="field"),
    path("sessions/<int:pk>/steps/add/", recording.add_step, name="add_step"),
    path("sessions/<int:pk>/steps/skip/", recording.skip_step, name="skip_step"),
    path("sessions/<int:pk>/steps/move/", recording.move_step, name="move_step"),
    path("sessions/<int:pk>/adverse/", recording.adverse_event, name="adverse"),
    path("sessions/<int:pk>/sign/", views.sign, name="sign"),
    path("sessions/<int:pk>/addenda/", views.addendum, name="addendum"),
    path("needling/credentials/", credentials.credentials, name="credentials"),
    path("needling/credentials/<int:pk>/end/", credentials.end_credential, name="end_credential"),
    path("needling/settings/", credentials.session_settings, name="settings"),
    path("follow-ups/<int:pk>/done/", credentials.follow_up_done, name="follow_up_done"),
]

from __future__ import annotations

from django.urls import path

from myotome.clinic.mfa import views

app_name = "mfa"
urlpatterns = [
    path("set-up/", views.setup, name="setup"),
    path("recovery-codes/", views.new_recovery_codes, name="recovery_codes"),
    path("turn-off/", views.turn_off, name="turn_off"),
]

"""Analytics URLs: filters in the query string carry no patient data."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.analytics import views

app_name = "analytics"
urlpatterns = [
    path("", views.practice, name="practice"),
    path("export.csv", views.export, name="export"),
    path("prognosis/", views.prognosis, name="prognosis"),
]

"""Outcome URLs: ids in the path, never patient data in a query string."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("episodes/<int:pk>/outcomes/", views.episode_outcomes, name="episode"),
    path("episodes/<int:pk>/outcomes/set/", views.measure_set, name="set"),
    path("episodes/<int:pk>/progress/", views.progress, name="progress"),
    path("episodes/<int:pk>/outcomes/<slug:measure>/", views.enter, name="enter"),
]

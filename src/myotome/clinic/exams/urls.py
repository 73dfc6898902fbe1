"""Exam URLs: ids in the path; the only query string is a knowledge-base name being looked up."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.exams import views

app_name = "exams"
urlpatterns = [
    path("episodes/<int:pk>/exams/new/", views.exam_new, name="new"),
    path("episodes/<int:pk>/exams/copy-forward/", views.exam_copy_forward, name="copy_forward"),
    path("episodes/<int:pk>/exams/autosave/", views.exam_autosave_new, name="autosave_new"),
    path("exams/names/", views.names_lookup, name="names"),
    path("exams/<int:pk>/", views.exam_detail, name="detail"),
    path("exams/<int:pk>/edit/", views.exam_edit, name="edit"),
    path("exams/<int:pk>/addenda/", views.exam_addendum, name="addendum"),
    path("exams/<int:pk>/autosave/", views.exam_autosave, name="autosave"),
    path("exams/<int:pk>/export.json", views.exam_export, name="export"),
]

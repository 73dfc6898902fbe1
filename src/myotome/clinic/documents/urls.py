"""Document URLs: record ids only, never patient data; the PDF beside each page."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.documents import views

app_name = "documents"
urlpatterns = [
    path("sessions/<int:pk>/summary/", views.session_document, {"kind": "summary", "fmt": "html"}, name="session_summary"),
    path("sessions/<int:pk>/summary.pdf", views.session_document, {"kind": "summary", "fmt": "pdf"}, name="session_summary_pdf"),
    path("sessions/<int:pk>/handout/", views.session_document, {"kind": "handout", "fmt": "html"}, name="session_handout"),
    path("sessions/<int:pk>/handout.pdf", views.session_document, {"kind": "handout", "fmt": "pdf"}, name="session_handout_pdf"),
    path("exams/<int:pk>/handout/", views.exam_handout, {"fmt": "html"}, name="exam_handout"),
    path("exams/<int:pk>/handout.pdf", views.exam_handout, {"fmt": "pdf"}, name="exam_handout_pdf"),
    path("episodes/<int:pk>/discharge/", views.episode_report, {"fmt": "html"}, name="discharge"),
    path("episodes/<int:pk>/discharge.pdf", views.episode_report, {"fmt": "pdf"}, name="discharge_pdf"),
]

"""The clinic's URLs. Each app owns its slice; the admin is for superusers only."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from myotome.clinic import health
from myotome.clinic.accounts import signin
from myotome.clinic.patients import views as patient_views

admin.site.site_header = "Myotome administration"
admin.site.site_title = "Myotome"

urlpatterns = [
    path("", patient_views.day, name="day"),
    path("healthz", health.healthz, name="healthz"),  # for load balancers: no sign-in, no data
    path("accounts/", include("myotome.clinic.accounts.urls")),
    path("accounts/second-factor/", include("myotome.clinic.mfa.urls")),
    path("audit/", include("myotome.clinic.audit.urls")),
    path("analytics/", include("myotome.clinic.analytics.urls")),
    path("", include("myotome.clinic.patients.urls")),
    path("", include("myotome.clinic.exams.urls")),
    path("", include("myotome.clinic.treatments.urls")),
    path("", include("myotome.clinic.documents.urls")),
    path("", include("myotome.clinic.outcomes.urls")),
    # The admin's own login would skip the throttle's audit trail and the second factor.
    path("admin/login/", signin.admin_login),
    path("admin/", admin.site.urls),
]

# 503 instead of 500 when the database or the disk cannot serve (health.py).
handler500 = "myotome.clinic.health.server_error"

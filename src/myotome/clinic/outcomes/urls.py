"""Outcome URLs: ids in the path, never patient data in a query string; a kiosk link holds only its token."""

from __future__ import annotations

from django.urls import path

from myotome.clinic.outcomes import kiosk_views, lock, views

app_name = "outcomes"
urlpatterns = [
    path("episodes/<int:pk>/outcomes/", views.episode_outcomes, name="episode"),
    path("episodes/<int:pk>/outcomes/set/", views.measure_set, name="set"),
    path("episodes/<int:pk>/progress/", views.progress, name="progress"),
    path("outcomes/settings/", views.clinic_settings, name="settings"),
    path("episodes/<int:pk>/outcomes/<slug:measure>/", views.enter, name="enter"),
    path("episodes/<int:pk>/outcomes/<slug:measure>/kiosk/", kiosk_views.make, name="make_kiosk"),
    path("episodes/<int:pk>/kiosk-links/<int:link>/", kiosk_views.show_link, name="kiosk_link"),
    # The kiosk: the token alone in the path (lock.KIOSK_PREFIX); no sign-in.
    path("kiosk/unlock/", lock.unlock, name="unlock"),
    path("kiosk/done/", kiosk_views.done, name="kiosk_done"),
    path("kiosk/<str:token>/", kiosk_views.fill, name="kiosk"),
]

from __future__ import annotations

from django.urls import path

from myotome.clinic.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("clinic/", views.switch, name="switch_clinic"),
]

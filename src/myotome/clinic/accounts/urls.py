from __future__ import annotations

from django.urls import path

from myotome.clinic.accounts import members, signin, views

app_name = "accounts"
urlpatterns = [
    path("", views.account, name="account"),
    path("login/", signin.login, name="login"),
    path("login/code/", signin.login_code, name="login_code"),
    path("logout/", views.logout, name="logout"),
    path("clinic/", views.switch, name="switch_clinic"),
    path("members/", members.members, name="members"),
    path("members/<int:user_id>/unlock/", members.unlock, name="unlock"),
    path("members/<int:user_id>/reset-second-factor/", members.reset_second_factor, name="reset_second_factor"),
]

"""The authentication backend: Django's model backend with the throttle around the password check.

The throttle lives here so that every way in that passes a request to ``authenticate()``
is throttled. A locked guess raises PermissionDenied before the password is looked at;
the lock is left on the request for the sign-in page to answer 429 with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from myotome.clinic.accounts import throttle
from myotome.clinic.prepared import Prepared

LOCK_ATTRIBUTE = "sign_in_lock"  # request attribute: the throttle.Locked that refused the guess
ATTEMPT_ATTRIBUTE = "sign_in_attempt"  # request attribute: the throttle.Attempt of a checked guess


# Every signed-in request loads its user: compiled once (myotome.clinic.prepared).
_USER = Prepared(lambda user_id: get_user_model()._default_manager.filter(pk=user_id), int)


class ThrottledModelBackend(ModelBackend):
    def get_user(self, user_id: Any) -> Any:
        if type(user_id) is not int:  # not this project's integer ids: Django's own lookup
            return super().get_user(user_id)
        user = _USER.first(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any) -> Any:
        if request is None:  # the command line and tests' Client.login: no client to throttle
            return super().authenticate(request, username=username, password=password, **kwargs)
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first()
        try:
            attempt = throttle.begin(request, user)
        except throttle.Locked as locked:
            setattr(request, LOCK_ATTRIBUTE, locked)
            # PermissionDenied stops authenticate() and sends user_login_failed (audited).
            raise PermissionDenied(locked.message) from None
        setattr(request, ATTEMPT_ATTRIBUTE, attempt)
        if user is None:
            # Hash once anyway, so that a missing username answers as slowly as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            attempt.release()
            return user
        return None

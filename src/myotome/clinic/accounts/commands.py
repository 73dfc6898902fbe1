"""``myotome unlock`` and ``myotome reset-second-factor``: what a clinic admin does on the
Members page, for whoever runs the server (e.g. when the only clinic admin is locked out).

Registered in ``myotome.cli.commands``; Django is imported inside the commands only.
Each action is audited, naming the command and the operating-system user who ran it.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer


def _user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    from myotome.clinic.cli import _fail

    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise _fail(f"no user named {username!r}; usernames are case-sensitive", 1)
    return user


def _audit(command: str, action: str, record_type: str, user: Any, detail: str) -> None:
    """A command's audit row: no request (so never capped as an anonymous web request), the system user named."""
    from myotome.clinic.audit.record import record_event

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (e.g. in a container)
        who = "unknown"
    record_event(
        None,
        action,
        user=None,
        username=f"system user {who}",
        clinic=None,
        record_type=record_type,
        record_id=user.pk,
        path=f"myotome {command}",
        detail=f"{detail} by `myotome {command}`",
    )


def unlock(username: Annotated[str, typer.Argument(help="The user to unlock.")]) -> None:
    """Lift the sign-in lock that failed sign-ins put on an account."""
    from myotome.clinic.cli import _out, _setup_django

    _setup_django(create=False)
    from django.db import transaction

    from myotome.clinic.accounts import throttle
    from myotome.clinic.audit.models import Action

    user = _user_named(username)
    with transaction.atomic():
        lifted = throttle.unlock(user)
        _audit("unlock", Action.UPDATE, "login_lock", user, f"unlocked {username} ({lifted} lock{'s' if lifted != 1 else ''} lifted)")
    _out.print(f"{username} can sign in again." if lifted else f"{username} was not locked out; failed sign-ins forgotten.", markup=False)


def reset_second_factor(username: Annotated[str, typer.Argument(help="The user who lost their authenticator app.")]) -> None:
    """Remove a user's authenticator app and recovery codes (a lost phone); they set up a new one."""
    from myotome.clinic.cli import _out, _setup_django

    _setup_django(create=False)
    from django.db import transaction

    from myotome.clinic.audit.models import Action
    from myotome.clinic.mfa import totp

    user = _user_named(username)
    with transaction.atomic():
        had = totp.remove(user)
        _audit("reset-second-factor", Action.DELETE, "second_factor", user, f"second factor of {username} reset")
    if had:
        _out.print(f"{username}'s authenticator app and recovery codes are removed; they set up a new one after signing in.", markup=False)
    else:
        _out.print(f"{username} had no second factor set up; nothing changed.", markup=False)

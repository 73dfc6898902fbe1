"""Creating real users from the command line (``myotome createuser``).

check_new_user(username="alice", clinic_name="Riverside", role="clinician")   # before asking for a password
check_password(password, username="alice")                                     # raises PasswordRefused
user, membership, clinic_created = create_user(username="alice", password="...", clinic_name="Riverside", role="clinician")
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from myotome.clinic import input_limits
from myotome.clinic.accounts.models import Clinic, Membership, Role


class ProvisioningError(ValueError):
    """The user cannot be created as asked; the message says why and what would work."""


class PasswordRefused(ProvisioningError):
    """The password does not meet the password policy (the rest of the request was fine)."""


def check_new_user(
    *,
    username: str,
    clinic_name: str,
    role: str,
    create_clinic: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> None:
    """Everything about a new user but the password, so that a script or a person learns of a typo before typing one."""
    User = get_user_model()
    username, clinic_name = username.strip(), clinic_name.strip()
    if role not in Role.values:
        raise ProvisioningError(f"role {role!r} is not one of {', '.join(Role.values)}")
    if not username:
        raise ProvisioningError("the username is empty; give the name the user will sign in with")
    if User.objects.filter(username__iexact=username).exists():
        raise ProvisioningError(f"a user named {username!r} already exists; choose another username")
    _check_fields(
        User(username=username, first_name=first_name, last_name=last_name, email=email), ["username", "first_name", "last_name", "email"]
    )
    if not clinic_name:
        raise ProvisioningError("the clinic name is empty; give the clinic's name as it was created")
    if not Clinic.objects.filter(name__iexact=clinic_name).exists():
        if not create_clinic:
            known = ", ".join(repr(c) for c in Clinic.objects.values_list("name", flat=True)) or "none yet"
            raise ProvisioningError(f"no clinic named {clinic_name!r} (clinics: {known}); add --create-clinic to create it")
        _check_fields(Clinic(name=clinic_name), ["name"], label="clinic name")


def create_user(
    *,
    username: str,
    password: str,
    clinic_name: str,
    role: str,
    create_clinic: bool = False,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> tuple[Any, Membership, bool]:
    """Create the user and their membership in one transaction (nothing half-made on error)."""
    check_new_user(
        username=username,
        clinic_name=clinic_name,
        role=role,
        create_clinic=create_clinic,
        first_name=first_name,
        last_name=last_name,
        email=email,
    )
    check_password(password, username=username, first_name=first_name, last_name=last_name, email=email)
    username, clinic_name = username.strip(), clinic_name.strip()
    user = get_user_model()(username=username, first_name=first_name, last_name=last_name, email=email)
    with transaction.atomic():
        clinic = Clinic.objects.filter(name__iexact=clinic_name).first()
        created = clinic is None
        if clinic is None:
            clinic = Clinic.objects.create(name=clinic_name)
        user.set_password(password)
        user.save()
        membership = Membership.objects.create(user=user, clinic=clinic, role=role)
    return user, membership, created


def check_password(password: str, *, username: str, first_name: str = "", last_name: str = "", email: str = "") -> None:
    """The password policy (AUTH_PASSWORD_VALIDATORS) for this user; raise PasswordRefused in whole sentences."""
    too_long = input_limits.password_problem(password)
    if too_long:
        raise PasswordRefused(f"The password was not accepted. It {too_long}.")
    user = get_user_model()(username=username.strip(), first_name=first_name, last_name=last_name, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise PasswordRefused(password_refusal(exc.messages)) from exc


def password_refusal(messages: list[str]) -> str:
    """Django's password-policy messages as one paragraph of whole sentences."""
    sentences = " ".join(m if m.endswith((".", "!", "?")) else f"{m}." for m in messages)
    return f"The password was not accepted. {sentences}"


def _check_fields(instance: Any, fields: list[str], label: str = "") -> None:
    """The model's own field checks (length, characters, e-mail form), named by field and value."""
    exclude = [f.name for f in instance._meta.fields if f.name not in fields]
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        name = label or field.replace("_", " ")
        raise ProvisioningError(f"{name} {getattr(instance, field)!r}: {' '.join(messages)}") from exc

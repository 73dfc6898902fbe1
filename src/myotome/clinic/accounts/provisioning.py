"""Creating real users from the command line (``myotome createuser``).

user, membership, clinic_created = create_user(username="alice", password="...", clinic_name="Riverside", role="clinician")
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from myotome.clinic.accounts.models import Clinic, Membership, Role


class ProvisioningError(ValueError):
    """The user cannot be created as asked; the message says why and what would work."""


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
    User = get_user_model()
    username = username.strip()
    clinic_name = clinic_name.strip()
    if role not in Role.values:
        raise ProvisioningError(f"role {role!r} is not one of {', '.join(Role.values)}")
    if not username:
        raise ProvisioningError("username is empty")
    if User.objects.filter(username__iexact=username).exists():
        raise ProvisioningError(f"a user named {username!r} already exists; choose another username")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    try:
        User.username_validator(username)
        validate_password(password, user)
    except ValidationError as exc:
        raise ProvisioningError("; ".join(exc.messages)) from exc
    with transaction.atomic():
        clinic = Clinic.objects.filter(name__iexact=clinic_name).first()
        created = False
        if clinic is None:
            if not create_clinic:
                known = ", ".join(repr(c) for c in Clinic.objects.values_list("name", flat=True)) or "none yet"
                raise ProvisioningError(f"no clinic named {clinic_name!r} (clinics: {known}); add --create-clinic to create it")
            if not clinic_name:
                raise ProvisioningError("clinic name is empty")
            clinic, created = Clinic.objects.create(name=clinic_name), True
        user.set_password(password)
        user.save()
        membership = Membership.objects.create(user=user, clinic=clinic, role=role)
    return user, membership, created

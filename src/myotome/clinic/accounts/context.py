"""Template context: the active clinic and the user's other clinics, for the base template."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def active_clinic(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "sees_clinical": bool(membership and membership.sees_clinical),
    }

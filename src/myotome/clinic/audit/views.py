"""The audit log page for clinic admins."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from myotome.clinic.accounts.access import member_required, membership, require_clinic_admin
from myotome.clinic.accounts.models import Clinic, Membership
from myotome.clinic.audit.forms import AuditFilterForm
from myotome.clinic.audit.models import Action, AnonymousCount, AuditEvent
from myotome.clinic.audit.record import record_event

PAGE_SIZE = 100
BURSTS_SHOWN = 50


def events_for(clinic: Clinic) -> QuerySet[AuditEvent]:
    """The clinic's events, refused lookups of its records from other clinics, and the
    sign-in events (which carry no clinic) of its members."""
    members = Membership.objects.filter(clinic=clinic).values("user__username")
    return AuditEvent.objects.filter(
        Q(clinic=clinic) | Q(owner_clinic=clinic) | Q(clinic__isnull=True, username__in=members)
    ).select_related("user")


@require_GET
@member_required
def audit_log(request: HttpRequest) -> HttpResponse:
    require_clinic_admin(request, record_type="audit_log")
    clinic = membership(request).clinic
    form = AuditFilterForm(request.GET or None)
    events = events_for(clinic)
    if form.is_bound and form.is_valid():
        events = form.apply(events)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    record_event(request, Action.VIEW, record_type="audit_log", detail=f"page {page.number}")
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filter_query": query.urlencode(),
        "bursts": anonymous_bursts(),
        "limit": settings.AUDIT_ANONYMOUS_PER_HOUR,
    }
    return render(request, "audit/log.html", context)


def anonymous_bursts() -> list[AnonymousCount]:
    """The hours in which an address caused more anonymous events than the log keeps as rows.

    Anonymous events belong to no clinic, so every clinic admin sees these (addresses and
    counts only: no names, no patient data).
    """
    return list(AnonymousCount.objects.filter(count__gt=settings.AUDIT_ANONYMOUS_PER_HOUR).order_by("-hour", "-count")[:BURSTS_SHOWN])

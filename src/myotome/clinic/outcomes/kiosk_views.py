"""Kiosk pages: a clinician makes a link; the patient fills in that one questionnaire, with no sign-in.

The kiosk page shows the questionnaire and nothing else (no name, no record, no navigation), writes
one score to the link's episode and measure, and spends the link. Requests that are not a staff
member's making a link are counted per address and hour (audit/record.py's anonymous counts) and
refused past KIOSK_PER_HOUR.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from myotome.clinic.accounts.access import member_required, membership, require_clinical
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import client_address, count_anonymous, record_event
from myotome.clinic.outcomes import kiosk, service
from myotome.clinic.outcomes.forms import KioskForm
from myotome.clinic.outcomes.lock import lock
from myotome.clinic.outcomes.models import KioskLink
from myotome.clinic.outcomes.wording import clinic_wording, may_show
from myotome.clinic.patients.access import get_episode_for
from myotome.outcomes import load_measures

KIOSK = "kiosk"  # the anonymous-count key for kiosk traffic
SHOW_ONCE = "myotome_kiosk_new_link"


@require_POST
@member_required
def make(request: HttpRequest, pk: int, measure: str) -> HttpResponse:
    """A new link for one questionnaire of this episode; the page shows it once."""
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    definition = load_measures().get(measure)
    if definition is None:
        raise Http404("No such outcome measure.")
    if not may_show(definition):
        return render(request, "outcomes/kiosk_refused.html", {"episode": episode, "measure": definition}, status=409)
    with transaction.atomic():
        token, link = kiosk.make_link(episode, definition.id, request.user, membership(request).clinic)
        record_event(request, Action.CREATE, record=link, detail=f"kiosk link for {definition.id}, {settings.KIOSK_LINK_MINUTES} min")
    # Post, redirect, get: the token waits in the session for the one page that shows it.
    request.session[SHOW_ONCE] = {"link": link.pk, "token": token}
    return redirect("outcomes:kiosk_link", pk=episode.pk, link=link.pk)


@require_GET
@member_required
def show_link(request: HttpRequest, pk: int, link: int) -> HttpResponse:
    """The new link's address, shown once: the token leaves the session as the page is drawn."""
    episode = get_episode_for(request, pk)
    require_clinical(request, episode)
    made = get_object_or_404(KioskLink, pk=link, episode=episode)
    waiting = request.session.get(SHOW_ONCE) or {}
    token = waiting.get("token") if waiting.get("link") == made.pk else None
    if token is not None:
        del request.session[SHOW_ONCE]
    url = request.build_absolute_uri(reverse("outcomes:kiosk", args=[token])) if token else None
    measure = load_measures()[made.measure]
    context = {"episode": episode, "patient": episode.patient, "measure": measure, "link": made, "url": url}
    return render(request, "outcomes/kiosk_link.html", context)


@require_GET
def done(request: HttpRequest) -> HttpResponse:
    return render(request, "outcomes/kiosk_done.html")


@require_http_methods(["GET", "POST"])
def fill(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and _over_limit(request):
        return _refused(request, "busy", 429)
    found = kiosk.find(token)
    if found is None:
        if request.method == "GET" and _over_limit(request):
            return _refused(request, "busy", 429)
        return _refused(request, "unknown", 404)
    link, state = found
    if state != "open":
        _audit(request, link, Action.DENIED, f"kiosk link {state}")
        return _refused(request, state, 410)
    measure = load_measures()[link.measure]
    if not may_show(measure):  # the clinic removed its licensed wording since the link was made
        return _refused(request, "unknown", 404)
    lock(request, link.pk)
    activities = service.last_activities(link.episode, measure.id) if measure.activities else None
    form = KioskForm(measure, clinic_wording(measure.id), request.POST if request.method == "POST" else None, activities=activities)
    if request.method == "POST" and form.is_valid() and form.result is not None:
        with transaction.atomic():
            if not kiosk.spend(link):
                transaction.set_rollback(True)
                return _refused(request, "used", 410)
            saved = service.save_score(link.episode, form.result, link.created_by, link.timepoint, timezone.localdate())
            KioskLink.objects.filter(pk=link.pk).update(score=saved)
            _audit(request, link, Action.CREATE, f"{measure.id} {link.timepoint} by kiosk link {link.pk}", record=saved)
        return redirect("outcomes:kiosk_done")
    if request.method == "GET":
        _audit(request, link, Action.VIEW, f"kiosk link {link.pk} opened ({measure.id})")
    return render(request, "outcomes/kiosk.html", {"measure": measure, "form": form}, status=422 if request.method == "POST" else 200)


def _over_limit(request: HttpRequest) -> bool:
    return count_anonymous(client_address(request), KIOSK) > settings.KIOSK_PER_HOUR


def _audit(request: HttpRequest, link: KioskLink, action: str, detail: str, record: Model | None = None) -> None:
    """Kiosk events are the patient's, not the signed-in staff member's: recorded as anonymous (and bounded)."""
    if record is None:
        record_event(
            request, action, record_type="kiosklink", record_id=link.pk, user=None, username="kiosk", clinic=link.clinic, detail=detail
        )
    else:
        record_event(request, action, record=record, user=None, username="kiosk", clinic=link.clinic, detail=detail)


MESSAGES = {
    "unknown": "This link is not valid. Please hand the device back to the clinic staff.",
    "used": "This questionnaire has already been filled in: each link works once. Please hand the device back.",
    "expired": "This link has expired. Please hand the device back; the staff can make a new one.",
    "busy": "Too many requests from this network. Please try again later.",
}


def _refused(request: HttpRequest, why: str, status: int) -> HttpResponse:
    return render(request, "outcomes/kiosk_refused_link.html", {"message": MESSAGES[why]}, status=status)

"""Practice analytics and the prognostic report: clinic admins only, their own clinic only, audited."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from myotome.clinic.accounts.access import member_required, membership, require_clinic_admin
from myotome.clinic.analytics.forms import AnalyticsFilterForm
from myotome.clinic.analytics.prognostic import cells, prognostic_rows
from myotome.clinic.analytics.queries import episode_facts
from myotome.clinic.analytics.tables import SMALLEST, practice_tables
from myotome.clinic.audit.models import Action
from myotome.clinic.audit.record import record_event
from myotome.kb import load_kb
from myotome.outcomes.prognosis import FDR, MIN_GROUP
from myotome.outcomes.safety import published_rates

RECORD_TYPE = "practice_analytics"
PROGNOSIS_TYPE = "prognostic_report"
CSV_COLUMNS = (
    ("episodes", "Episodes"),
    ("completed", "Completed (discharged with baseline and discharge scores)"),
    ("reached", "Reached MCID on the primary measure"),
    ("sessions_to_mcid", "Median sessions to MCID"),
    ("improvement", "Median improvement (% of the measure's scale)"),
    ("dropped_out", "Drop-outs (discharged, no discharge score)"),
    ("sessions", "Sessions"),
    ("ae_mild", "Mild adverse events per 100 sessions"),
    ("ae_significant", "Significant adverse events per 100 sessions"),
    ("ae_serious", "Serious adverse events per 100 sessions"),
)


def _report(request: HttpRequest, record_type: str) -> tuple[AnalyticsFilterForm, Any]:
    require_clinic_admin(request, record_type=record_type)
    form = AnalyticsFilterForm(request.GET or None)
    return form, membership(request).clinic


@require_GET
@member_required
def practice(request: HttpRequest) -> HttpResponse:
    form, clinic = _report(request, RECORD_TYPE)
    overall, tables = practice_tables(episode_facts(clinic, **form.filters()), load_kb())
    record_event(request, Action.VIEW, record_type=RECORD_TYPE, detail=form.described())
    context = {
        "form": form,
        "overall": overall,
        "tables": tables,
        "published": published_rates(),
        "smallest": SMALLEST,
        "query": request.GET.urlencode(),
    }
    return render(request, "analytics/practice.html", context)


@require_GET
@member_required
def export(request: HttpRequest) -> HttpResponse:
    form, clinic = _report(request, RECORD_TYPE)
    overall, tables = practice_tables(episode_facts(clinic, **form.filters()), load_kb())
    record_event(request, Action.EXPORT, record_type=RECORD_TYPE, detail=f"CSV: {form.described()}")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="myotome-analytics-{stamp}.csv"'
    writer = csv.writer(response)
    writer.writerow(["Table", "Group", *(title for _, title in CSV_COLUMNS), "Condition mix"])
    for table_title, rows in [("Practice", [overall]), *((t.title, t.rows) for t in tables)]:
        for row in rows:
            cells = row.cells()
            writer.writerow([_safe(table_title), _safe(row.label), *(cells[key] for key, _ in CSV_COLUMNS), _safe(row.mix_text())])
    return response


def _safe(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (names are typed by users)."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@require_GET
@member_required
def prognosis(request: HttpRequest) -> HttpResponse:
    form, clinic = _report(request, PROGNOSIS_TYPE)
    kb = load_kb()
    facts = episode_facts(clinic, **form.filters(), completed_only=True, with_treatment=True)
    rows, compared = prognostic_rows(facts, kb)
    record_event(request, Action.VIEW, record_type=PROGNOSIS_TYPE, detail=form.described())
    context = {
        "form": form,
        "rows": [(feature, comparison, cells(comparison)) for feature, comparison in rows],
        "compared": compared,
        "tested": sum(not c.too_small for _, c in rows),
        "min_group": MIN_GROUP,
        "fdr": FDR,
    }
    return render(request, "analytics/prognosis.html", context)

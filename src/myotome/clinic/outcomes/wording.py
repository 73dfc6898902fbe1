"""Licensed item wording a clinic has loaded: ``<measure>.yaml`` (or ``.json``) in OUTCOME_WORDING_DIR.

clinic_wording("quickdash")        # the checked Wording, or None when the clinic has not loaded it
patient_measures(["prtee", "nprs"])  # the measures that may be shown to a patient: here NPRS only

A file that does not check out is logged and treated as absent: a patient never sees wording
that does not match its measure.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from myotome.outcomes import Measure, Wording, WordingError, load_measures, load_wording
from myotome.outcomes.wording import can_show_to_patient

log = logging.getLogger(__name__)
_loaded: dict[Path, tuple[float, Wording | None]] = {}  # path -> (mtime, wording): re-read when the file changes


def clinic_wording(measure_id: str) -> Wording | None:
    folder = Path(settings.OUTCOME_WORDING_DIR)
    for path in (folder / f"{measure_id}.yaml", folder / f"{measure_id}.json"):
        try:
            mtime = path.stat().st_mtime
        except OSError:
            continue
        cached = _loaded.get(path)
        if cached is None or cached[0] != mtime:
            try:
                wording: Wording | None = load_wording(path)
            except WordingError as problem:
                log.warning("licensed wording not loaded: %s", problem)
                wording = None
            if wording is not None and wording.measure_id != measure_id:
                log.warning("licensed wording not loaded: %s names measure %r", path, wording.measure_id)
                wording = None
            _loaded[path] = cached = (mtime, wording)
        return cached[1]
    return None


def may_show(measure: Measure) -> bool:
    """The project ships the wording, or the clinic has loaded it under its licence."""
    return can_show_to_patient(measure, None if measure.licence.ships_wording else clinic_wording(measure.id))


def patient_measures(measure_ids: Iterable[str]) -> list[Measure]:
    measures = load_measures()
    return [measures[m] for m in measure_ids if m in measures and may_show(measures[m])]

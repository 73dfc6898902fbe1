"""The published adverse-event rates the analytics page sets beside a clinic's own: values as the studies give them."""

from __future__ import annotations

from pathlib import Path

import pytest

from myotome.outcomes import safety
from myotome.outcomes.safety import published_rates


def test_the_studies_and_their_rates_per_100_treatments() -> None:
    studies = {s.id: s for s in published_rates()}
    assert set(studies) == {"brady_2014", "boyce_2020"}
    brady, boyce = studies["brady_2014"], studies["boyce_2020"]
    assert (brady.treatments, brady.mild, brady.significant, brady.serious) == (7629, 19.18, 0, 0)  # 1,463 of 7,629 treatments
    assert boyce.mild == 36.7 and boyce.significant is None and boyce.serious is None  # minor / major, not White's grades
    assert boyce.significant_or_serious == pytest.approx(100 * 20 / boyce.treatments, abs=0.001)  # 20 major events in 20,464
    assert all(s.citation and s.population and s.grading for s in studies.values())


def test_a_rate_out_of_range_is_named_with_its_study_and_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = safety.DATA_FILE.read_text(encoding="utf-8").replace("mild: 19.18", "mild: 191.8")
    bad = tmp_path / "adverse_rates.yaml"
    bad.write_text(data, encoding="utf-8")
    monkeypatch.setattr(safety, "DATA_FILE", bad)
    safety.published_rates.cache_clear()
    try:
        with pytest.raises(ValueError, match=r"study brady_2014\.mild is 191\.8; expected a rate per 100 from 0 to 100"):
            published_rates()
    finally:
        safety.published_rates.cache_clear()

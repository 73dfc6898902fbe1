"""A clinic's licensed wording file: checked against its measure, and the only way a licensed measure reaches a patient."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.outcomes import WordingError, load_measures, load_wording
from myotome.outcomes.wording import can_show_to_patient

# Placeholder text: a test needs a file of the right shape, not the instrument's real wording.
OPTIONS = ["option 1", "option 2", "option 3", "option 4", "option 5"]


def quickdash_file(tmp_path: Path, **changes: Any) -> Path:
    record: dict[str, Any] = {
        "measure": "quickdash",
        "licence": "Example Clinic, IWH licence 0000",
        "instructions": "placeholder instructions",
        "parts": {
            "items": [{"text": f"placeholder item {n}", "options": OPTIONS} for n in range(1, 12)],
            "work": [{"text": f"placeholder work {n}", "options": OPTIONS} for n in range(1, 5)],
            "sports": [{"text": f"placeholder sports {n}", "options": OPTIONS} for n in range(1, 5)],
        },
    }
    record.update(changes)
    path = tmp_path / "quickdash.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    return path


def test_a_licensed_measure_is_shown_only_once_its_wording_is_loaded(tmp_path: Path) -> None:
    quickdash = load_measures()["quickdash"]
    assert not can_show_to_patient(quickdash, None)
    wording = load_wording(quickdash_file(tmp_path))
    assert can_show_to_patient(quickdash, wording)
    assert wording.parts["items"][10].text == "placeholder item 11"
    assert not can_show_to_patient(load_measures()["odi"], wording)  # the file is for QuickDASH only


@pytest.mark.parametrize("measure_id", ["nprs", "psfs"])
def test_the_projects_own_wording_can_be_shown_without_a_file(measure_id: str) -> None:
    measure = load_measures()[measure_id]
    assert can_show_to_patient(measure, None)
    assert measure.prompt


BAD = [
    ({"measure": "whodas"}, r"measure 'whodas' is not one of nprs"),
    ({"licence": ""}, r"'licence' must say whose licence"),
    ({"parts": {"items": []}}, r"part 'items' needs 11 items, found 0"),
    ({"parts": "none"}, r"'parts' must map each part \(items, work, sports\)"),
]


@pytest.mark.parametrize(("changes", "message"), BAD)
def test_a_wording_file_that_does_not_fit_is_refused_with_the_reason(tmp_path: Path, changes: dict[str, Any], message: str) -> None:
    with pytest.raises(WordingError, match=message):
        load_wording(quickdash_file(tmp_path, **changes))


def test_each_item_needs_one_label_per_allowed_value(tmp_path: Path) -> None:
    path = quickdash_file(tmp_path)
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record["parts"]["work"][2]["options"] = OPTIONS[:4]
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    with pytest.raises(WordingError, match=r"part 'work' item 3 needs 5 option labels, one for each value 1, 2, 3, 4, 5"):
        load_wording(path)

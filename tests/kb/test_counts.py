"""Golden counts over the real knowledge base.

A count that changes means records were added or lost: update the number here (and the
table in docs/knowledge-base.md) in the same change that edits the data, so the change
is seen in review. Each count gives the command that derived it.
"""

from __future__ import annotations

import re

import pytest

from myotome.kb import DATA_DIR, KnowledgeBase
from myotome.kb.loader import FILES

GOLDEN = [
    # (label in KnowledgeBase.counts(), count)
    ("spinal segments", 30),  # myotome kb stats --json | jq .spinal_segments
    ("cranial nerves", 5),  # myotome kb stats --json | jq .cranial_nerves
    ("nerves", 50),  # myotome kb stats --json | jq .nerves
    ("muscles", 182),  # myotome kb stats --json | jq .muscles
    ("muscle groups", 70),  # myotome kb stats --json | jq .muscle_groups
    ("regions", 101),  # myotome kb stats --json | jq .regions
    ("movements", 68),  # myotome kb stats --json | jq .movements
    ("reflexes", 17),  # myotome kb stats --json | jq .reflexes
    ("conditions", 26),  # myotome kb stats --json | jq .conditions
    ("precautions", 16),  # myotome kb stats --json | jq .precautions
    ("vertebral levels", 50),  # myotome kb stats --json | jq .vertebral_levels
    ("red flag rules", 14),  # myotome kb stats --json | jq .red_flag_rules
    ("references", 86),  # myotome kb stats --json | jq .references
    ("names and aliases", 3181),  # myotome kb stats --json | jq .names_and_aliases
]


@pytest.mark.parametrize(("label", "count"), GOLDEN)
def test_golden_count(kb: KnowledgeBase, label: str, count: int) -> None:
    assert kb.counts()[label] == count


def test_every_count_has_a_golden_value(kb: KnowledgeBase) -> None:
    assert [label for label, _ in GOLDEN] == list(kb.counts())


RECORDS_IN_FILE = [
    # (file, records): grep -c '^  - id:' src/myotome/kb/data/<file>.yaml
    ("references", 86),
    ("segments", 35),
    ("nerves", 50),
    ("muscles", 182),
    ("groups", 70),
    ("levels", 50),
    ("regions", 101),
    ("movements", 68),
    ("reflexes", 17),
    ("conditions", 26),
    ("precautions", 16),
]


@pytest.mark.parametrize(("name", "records"), RECORDS_IN_FILE)
def test_the_loader_keeps_every_record_written_in_a_file(kb: KnowledgeBase, name: str, records: int) -> None:
    text = (DATA_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert len(re.findall(r"^  - id:", text, flags=re.MULTILINE)) == records
    assert len(getattr(kb, name)) == records


def test_every_data_file_has_a_record_count() -> None:
    assert [name for name, _ in RECORDS_IN_FILE] == list(FILES)

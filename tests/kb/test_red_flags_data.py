"""red_flags.yaml is checked as it loads: every code, action, trigger, parameter and reference.

The tiny synthetic KB (tests/kb/tiny) holds two rules; each row below breaks one thing and
names the problem the loader must report.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from myotome.kb import KBError, KnowledgeBase, load_kb

TINY = Path(__file__).parent / "tiny"
RULE = {
    "code": "fever",
    "name": "Fever",
    "action": "refer",
    "when": [{"trigger": "history", "code": "fever"}],
    "text": "Refer.",
    "sources": ["paper"],
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(TINY, target)
    return target


def write(directory: Path, **changes: Any) -> None:
    path = directory / "red_flags.yaml"
    data = yaml.safe_load(path.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data))


def test_the_tiny_table_loads(tiny: Path) -> None:
    assert load_kb(tiny).red_flags.codes == ("marked_motor_deficit", "fever")


ERRORS = [
    (
        {"rules": [{**RULE, "action": "panic"}]},
        "rule 'fever', field 'action': 'panic'; expected one of refer_urgently, refer, screen_first",
    ),
    ({"rules": [{**RULE, "sources": []}]}, "rule 'fever', field 'sources': every rule cites at least one reference"),
    ({"rules": [{**RULE, "sources": ["rumour"]}]}, "rule 'fever', field 'sources': unknown reference 'rumour'"),
    ({"rules": [{**RULE, "when": [{"trigger": "gut_feeling"}]}]}, "trigger 1: expected {trigger: ...} with one of"),
    ({"rules": [{**RULE, "when": [{"trigger": "history", "code": "back_pain"}]}]}, "code must be one of unexplained_weight_loss"),
    ({"rules": [{**RULE, "when": [{"trigger": "key_weakness"}]}]}, "(key_weakness): max_grade is required"),
    ({"rules": [{**RULE, "when": [{"trigger": "sphincter", "grade": 2}]}]}, "(sphincter): unknown parameter 'grade'"),
    ({"rules": [RULE, RULE]}, "code 'fever' is used by more than one rule"),
    ({"rules": [{**RULE, "code": "Fever!"}]}, "code must be lower_snake_case, got 'Fever!'"),
    ({"regions": {"saddle": ["thumb"], "spine": ["nowhere"], "chest": ["thumb"]}}, "'regions.spine' names unknown region 'nowhere'"),
    ({"key_movements": ["flying"]}, "'key_movements' names unknown movement 'flying'"),
]


@pytest.mark.parametrize(("changes", "message"), ERRORS)
def test_a_broken_rule_table_is_refused_naming_the_rule_and_field(tiny: Path, changes: dict[str, Any], message: str) -> None:
    write(tiny, **changes)
    with pytest.raises(KBError) as caught:
        load_kb(tiny)
    assert any(message in problem for problem in caught.value.problems), caught.value.problems


def test_every_real_rule_cites_its_sources_and_the_actions_run_most_urgent_first(kb: KnowledgeBase) -> None:
    actions = [rule.action for rule in kb.red_flags.rules]
    assert actions == sorted(actions, key=["refer_urgently", "refer", "screen_first"].index)
    assert all(rule.sources and rule.text for rule in kb.red_flags.rules)

"""docs/assessment-format.md quotes the evidence weights; this keeps it true to evidence.yaml."""

from __future__ import annotations

import re
import subprocess
import sys

from myotome.kb import KnowledgeBase
from tests.paths import EXAMPLES, REPO_ROOT

DOC = REPO_ROOT / "docs" / "assessment-format.md"


def _g(value: float) -> str:
    return f"{value:g}"


def expected_rows(kb: KnowledgeBase) -> list[str]:
    e = kb.evidence
    skin = ("trophedema", "hyperalgesia", "pilomotor", "hair_loss", "vasomotor", "sudomotor")
    return [
        f"| reflex absent / reduced | {_g(e['reflex']['absent']['weight'])} / {_g(e['reflex']['reduced']['weight'])} | the reflex's roots |",
        f"| sensory reduced / altered / increased | {' / '.join(_g(e['sensory'][k]['weight']) for k in ('reduced', 'altered', 'increased'))} | the region's dermatomes |",
        f"| weakness | {_g(e['weakness']['weight'])} | the movement's myotome, or the muscle's roots |",
        f"| skin: trophedema / hyperalgesia / pilomotor / hair loss / vasomotor / sudomotor | {' / '.join(_g(e['skin'][k]['weight']) for k in skin)} | the region's dermatomes, or the segment given |",
        f"| paraspinal tender / thickened | {_g(e['paraspinal']['tender']['weight'])} / {_g(e['paraspinal']['thickened']['weight'])} | the roots the level implicates, and half as much to each root next to them |",
        f"| tender band, severity 1 / 2 / 3 | {' / '.join(_g(w) for w in e['tender_band']['by_severity'])} | the muscle's roots |",
        f"| restricted range (up to) | {_g(e['rom']['weight'])} | the roots of the muscles that limit the movement |",
        f"| condition (prior) | {_g(e['condition']['weight'])} | the segments it usually involves |",
        f"| complaint region (prior) | {_g(e['complaint_region']['weight'])} | the region's dermatomes |",
    ]


TRIGGER_WORDS = {
    "saddle_sensory_change": "sensory change over the saddle area or perianal skin",
    "sphincter": "`sphincter`: yes",
    "bilateral_leg_deficit": "reduced or altered sensation, or weakness, in both legs",
    "key_weakness": "MRC ≤ {max_grade} in a key movement or its prime mover (foot drop, wrist drop)",
    "pathological_sign": "a positive Hoffmann, Babinski (plantar response) or clonus",
    "brisk_widespread": "brisk tendon reflexes on both sides, in an arm and a leg, or with a positive sign",
    "complaint_without_cardiac_screen": "a chest or upper-abdominal complaint without `cardiac_screen`: done",
    "history": "history `{code}`{spinal}",
}
SPINAL = {True: " with spinal pain", False: " without spinal pain", None: ""}


def red_flag_rows(kb: KnowledgeBase) -> list[str]:
    rows = []
    for rule in kb.red_flags.rules:
        inputs = []
        for trigger in rule.when:
            params = dict(trigger.params)
            inputs.append(
                TRIGGER_WORDS[trigger.trigger].format(
                    max_grade=params.get("max_grade"), code=params.get("code"), spinal=SPINAL[params.get("spinal_pain")]
                )
            )
        rows.append(f"| `{rule.code}` | {'; or '.join(inputs)} | {rule.action} | {', '.join(rule.sources)} |")
    return rows


def test_the_red_flag_table_matches_red_flags_yaml(kb: KnowledgeBase) -> None:
    block = re.search(r"<!-- red-flags:begin.*?-->\n(.*?)<!-- red-flags:end -->", DOC.read_text(), re.S)
    assert block, "the red-flag block is missing from docs/assessment-format.md"
    rows = [line for line in block.group(1).splitlines() if line.startswith("|")][2:]
    assert rows == red_flag_rows(kb)


def test_the_weights_table_matches_evidence_yaml(kb: KnowledgeBase) -> None:
    block = re.search(r"<!-- weights:begin.*?-->\n(.*?)<!-- weights:end -->", DOC.read_text(), re.S)
    assert block, "the weights block is missing from docs/assessment-format.md"
    rows = [line for line in block.group(1).splitlines() if line.startswith("|")][2:]  # after header and rule
    assert rows == expected_rows(kb)


def test_the_quoted_neighbour_share_and_root_shares_are_true(kb: KnowledgeBase) -> None:
    text = DOC.read_text()
    assert kb.evidence["paraspinal"]["neighbour_share"] == 0.5  # "half as much to each adjacent level"
    assert f"minor roots {_g(kb.evidence['roots']['minor'])}" in text
    assert f"least {kb.evidence['sides']['bilateral_ratio']:.0%}" in " ".join(text.split())


def test_every_example_the_docs_name_is_in_the_repository() -> None:
    named: set[str] = set()
    for page in [REPO_ROOT / "README.md", EXAMPLES / "README.md", *(REPO_ROOT / "docs").glob("*.md")]:
        named |= set(re.findall(r"examples/([\w.-]+\.json)", page.read_text()))
        if page.parent == EXAMPLES:
            named |= set(re.findall(r"`([\w.-]+\.json)`", page.read_text()))
    shipped = {path.name for path in EXAMPLES.glob("*.json")}
    assert {"exam.json", "bad-input.json"} <= named
    assert named == shipped  # each one named exists, and the examples' README lists them all


def test_the_documented_error_report_is_what_assess_prints() -> None:
    block = re.search(r"```console\n\$ myotome assess (examples/bad-input\.json)\n(.*?)```", DOC.read_text(), re.S)
    assert block, "the bad-input example is missing from docs/assessment-format.md"
    result = subprocess.run(
        [sys.executable, "-c", "from myotome.cli import main; main()", "assess", block.group(1)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == block.group(2)

"""``myotome kb``: the JSON each look-up prints, text tables, errors and ``kb check``.

The JSON shape is what scripts and the web app rely on: one object per name, in the
order asked, and an error object in place of a name that did not resolve.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner, Result

from myotome.cli import app
from myotome.kb import KnowledgeBase

TINY = Path(__file__).parents[1] / "kb" / "tiny"

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, ["kb", *args])


def answers(*args: str, exit_code: int = 0) -> list[dict[str, Any]]:
    result = run(*args, "--json")
    assert result.exit_code == exit_code, result.stdout + result.stderr
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, list)
    return parsed


def main_first(answer: dict[str, Any], field: str = "roots", detail: str = "roots_detail") -> None:
    """``field`` lists the segments of ``detail`` in order, main before minor."""
    levels = [d["level"] for d in answer[detail]]
    assert answer[field] == [d["segment"] for d in answer[detail]]
    assert levels == sorted(levels, key=lambda level: level != "main")


def flat(text: str) -> str:
    """Text with rich's line wrapping undone."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------
# muscle


def test_muscle_json_answers_every_name_in_order() -> None:
    ecrb, calf, fibularis = answers("muscle", "ECRB", "calf", "fibularis longus")
    assert [ecrb["query"], calf["query"], fibularis["query"]] == ["ECRB", "calf", "fibularis longus"]
    for answer in (ecrb, calf, fibularis):
        assert {"query", "id", "name", "nerve", "roots", "roots_detail"} <= set(answer)
        main_first(answer)
    assert ecrb["id"] == "extensor_carpi_radialis_brevis"
    assert ecrb["name"] == "Extensor carpi radialis brevis"
    assert ecrb["nerve"].startswith("Posterior interosseous nerve")
    assert ecrb["roots"][:2] == ["C6", "C7"]
    assert ecrb["roots_detail"] == [
        {"segment": "C6", "level": "main"},
        {"segment": "C7", "level": "main"},
        {"segment": "C8", "level": "minor"},
    ]
    assert fibularis["id"] == "fibularis_longus"
    assert fibularis["kind"] == "muscle"


def test_a_group_answer_lists_its_members() -> None:
    (calf,) = answers("muscle", "calf")
    assert calf["kind"] == "group"
    assert calf["id"] == "triceps_surae"
    assert [mu["id"] for mu in calf["members"]] == ["gastrocnemius_medial_head", "gastrocnemius_lateral_head", "soleus"]
    assert calf["roots"] == ["S1", "S2"]
    assert all("roots_detail" in mu for mu in calf["members"])


def test_unknown_and_ambiguous_names_answer_with_an_error_in_their_place() -> None:
    ecrb, typo, ta, calf = answers("muscle", "ECRB", "extensor carpi radialis brevs", "TA", "calf", exit_code=1)
    assert ecrb["id"] == "extensor_carpi_radialis_brevis"
    assert calf["id"] == "triceps_surae"
    assert set(typo) == {"query", "error", "suggestions"}
    assert typo["query"] == "extensor carpi radialis brevs"
    assert typo["suggestions"][0] == "Extensor carpi radialis brevis"
    assert "did you mean 'Extensor carpi radialis brevis'" in typo["error"]
    assert set(ta) == {"query", "error", "suggestions"}
    assert sorted(ta["suggestions"]) == ["Tibialis anterior", "Transversus abdominis"]
    assert ta["error"].startswith("ambiguous muscle 'TA'")


def test_one_bad_name_alone_still_prints_a_json_array() -> None:
    (only,) = answers("muscle", "xyzzy", exit_code=1)
    assert only == {"query": "xyzzy", "error": "unknown muscle 'xyzzy'", "suggestions": []}


# ---------------------------------------------------------------------------
# region, movement, reflex, segment, condition, precaution


def test_region_json_gives_dermatomes_primary_first() -> None:
    thumb, pinky = answers("region", "thumb", "pinky")
    assert {"query", "id", "name", "dermatomes"} <= set(thumb)
    assert thumb["id"] == "thumb"
    assert thumb["dermatomes"][0] == "C6"
    assert pinky["query"] == "pinky"
    assert pinky["id"] == "little_finger"
    assert pinky["dermatomes"][0] == "C8"


def test_movement_json_gives_roots_main_first_muscles_and_normal_range() -> None:
    wrist, grip, mouth = answers("movement", "wrist extension", "grip", "mouth opening")
    for answer in (wrist, grip, mouth):
        assert {"query", "id", "name", "roots", "muscles", "normal_range"} <= set(answer)
        main_first(answer)
    assert wrist["roots"][0] == "C6"
    assert {"id": "extensor_carpi_radialis_brevis", "name": "Extensor carpi radialis brevis", "role": "prime mover"} in wrist["muscles"]
    assert wrist["normal_range"]["unit"] == "deg"
    assert wrist["normal_range"]["value"] == 70
    assert grip["type"] == "functional"
    assert grip["normal_range"] is None
    assert mouth["id"] == "tmj_opening"
    assert mouth["normal_range"]["unit"] == "mm"


def test_reflex_json_gives_roots_main_first() -> None:
    knee, biceps = answers("reflex", "knee jerk", "biceps")
    assert knee["id"] == "patellar_reflex"
    assert knee["roots"][0] == "L4"
    assert biceps["id"] == "biceps_reflex"
    assert biceps["roots"][0] == "C5"
    main_first(knee)
    main_first(biceps)
    assert [mu["id"] for mu in biceps["muscles"]] == ["biceps_brachii"]


def test_segment_json_lists_muscles_regions_movements_and_reflexes() -> None:
    (c6,) = answers("segment", "C6")
    assert c6["id"] == "C6"
    assert {"id": "extensor_carpi_radialis_longus", "name": "Extensor carpi radialis longus", "level": "main"} in c6["muscles"]
    assert {"id": "thumb", "name": "Thumb", "dermatome": "primary"} in c6["regions"]
    assert "wrist_extension" in [mv["id"] for mv in c6["movements"]]
    assert {"id": "brachioradialis_reflex", "name": "Brachioradialis reflex", "level": "main"} in c6["reflexes"]
    levels = [mu["level"] for mu in c6["muscles"]]
    assert levels == sorted(levels, key=lambda level: level != "main")


def test_segment_names_are_read_loosely() -> None:
    c6, xi = answers("segment", "c 6", "CN XI")
    assert c6["id"] == "C6"
    assert xi["id"] == "CN XI"
    assert "sternocleidomastoid" in [mu["id"] for mu in xi["muscles"]]


def test_condition_json_gives_segments_and_muscles() -> None:
    (tennis,) = answers("condition", "tennis elbow")
    assert tennis["id"] == "tennis_elbow"
    assert tennis["segments"] == ["C6", "C5", "C7"]  # main first
    main_first(tennis, "segments", "segments_detail")
    muscles = [mu["id"] for mu in tennis["muscles"]]
    assert "extensor_carpi_radialis_brevis" in muscles
    assert "lateral_elbow" in [r["id"] for r in tennis["regions"]]


def test_precaution_json() -> None:
    warfarin, pregnant = answers("precaution", "warfarin", "pregnant")
    assert warfarin["id"] == "anticoagulants"
    assert {"query", "id", "name", "severity", "warning", "avoid_muscles", "avoid_regions", "avoid_zones", "dose_factor"} <= set(warfarin)
    assert warfarin["severity"] in ("precaution", "contraindication")
    assert 0 < warfarin["dose_factor"] <= 1
    assert warfarin["warning"]
    assert pregnant["id"] == "pregnancy"


# ---------------------------------------------------------------------------
# stats


def test_stats_json_matches_the_kb(kb: KnowledgeBase) -> None:
    result = run("stats", "--json")
    assert result.exit_code == 0
    stats = json.loads(result.stdout)
    assert stats.pop("version") == kb.version
    assert stats == {label.replace(" ", "_"): count for label, count in kb.counts().items()}


def test_stats_text_is_a_table_of_counts(kb: KnowledgeBase) -> None:
    result = run("stats")
    assert result.exit_code == 0
    muscles_row = next(line for line in result.stdout.splitlines() if " muscles " in line)
    assert str(kb.counts()["muscles"]) in muscles_row


# ---------------------------------------------------------------------------
# Text output


def test_text_output_shows_the_names_in_a_table() -> None:
    result = run("muscle", "soleus", "supinator")
    assert result.exit_code == 0
    rows = [line for line in result.stdout.splitlines() if line.startswith("│")]
    assert any("Soleus" in row for row in rows)
    assert any("Supinator" in row for row in rows)
    assert result.stderr == ""


def test_text_output_names_a_group_before_its_members() -> None:
    result = run("muscle", "calf")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("Triceps surae (calf): 3 muscles")


def test_text_errors_go_to_stderr_and_the_other_answers_still_print() -> None:
    result = run("muscle", "soleus", "supinater")
    assert result.exit_code == 1
    assert "Soleus" in result.stdout
    assert "supinater" not in result.stdout
    assert flat(result.stderr) == "unknown muscle 'supinater'; did you mean 'Supinator'?"


def test_region_text_output_shows_dermatomes() -> None:
    result = run("region", "heel")
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "Heel" in line)
    assert "S1" in row


def test_an_unknown_name_is_echoed_verbatim_on_stderr() -> None:
    result = run("muscle", "[x]")
    assert result.exit_code == 1
    assert flat(result.stderr) == "unknown muscle '[x]'"


# ---------------------------------------------------------------------------
# check


def test_check_accepts_the_tiny_kb() -> None:
    result = run("check", str(TINY))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("OK")
    assert "4 muscles" in flat(result.stdout)


def test_check_names_the_file_of_a_broken_kb(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    shutil.copytree(TINY, broken)
    path = broken / "muscles.yaml"
    data = yaml.safe_load(path.read_text())
    next(r for r in data["muscles"] if r["id"] == "extensor_carpi_radialis_brevis")["nerve"] = "radail"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    result = run("check", str(broken))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "muscles.yaml: record 'extensor_carpi_radialis_brevis', field 'nerve': unknown nerve id 'radail'" in flat(result.stderr)


def test_check_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = run("check", str(tmp_path / "nowhere"))
    assert result.exit_code == 2


# ---------------------------------------------------------------------------
# Layers


def test_the_core_imports_no_django() -> None:
    code = (
        "import sys\n"
        "import myotome.kb, myotome.cli, myotome.localize, myotome.plan\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(loaded)\n"
        "sys.exit(1 if loaded else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == "[]"


def test_planning_json_cites_every_number(kb: KnowledgeBase) -> None:
    result = run("planning", "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    entries = {e["name"]: e for e in json.loads(result.stdout)["entries"]}
    assert entries["base_insertions"]["value"] == kb.planning.base_insertions
    assert entries["base_insertions"]["basis"] == "convention"
    assert entries["lung_zone_max_mm"]["sources"] and entries["lung_zone_max_mm"]["basis"] == "published"


def test_planning_text_shows_values_and_their_basis() -> None:
    result = run("planning")
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert "base insertions" in text and "16" in text and "convention" in text
    assert "slender: 15" in text


def test_muscle_json_gives_needling() -> None:
    innermost, biceps = answers("muscle", "innermost intercostals", "biceps")
    assert innermost["needling"]["allowed"] == "never"
    assert "pleura" in innermost["needling"]["reason"] and innermost["needling"]["sources"]
    assert biceps["needling"] == {"allowed": "yes", "reason": None, "sources": []}


def test_muscle_text_shows_never_with_its_reason_and_what_a_group_leaves_out() -> None:
    result = run("muscle", "intercostals")
    assert result.exit_code == 0
    text = flat(result.stdout)
    assert "never needled through this group: Innermost intercostals" in text
    assert "NEVER" in text  # the innermost layer's row; its reason wraps in the narrow test console


def test_level_json_gives_the_roots_a_level_implicates_and_its_muscles() -> None:
    c7t1, l4l5 = answers("level", "C7/T1", "L4-L5")
    assert c7t1["id"] == "C7-T1" and c7t1["roots"] == [{"segment": "C8", "weight": 1.0, "relation": "exiting"}]
    assert c7t1["paraspinal"][0]["id"] == "multifidus_cervical"
    assert [(r["segment"], r["relation"]) for r in l4l5["roots"]] == [("L4", "exiting"), ("L5", "traversing")]


def test_a_level_that_names_no_vertebra_says_what_to_write() -> None:
    [answer] = answers("level", "C7-C8", exit_code=1)
    assert "write C7-T1" in answer["error"]


def test_segment_json_lists_the_vertebral_levels_that_implicate_it() -> None:
    [c8] = answers("segment", "C8")
    assert c8["vertebral_levels"] == [{"id": "C7-T1", "name": "C7–T1", "weight": 1.0, "relation": "exiting"}]


def test_precaution_json_gives_structured_exclusions() -> None:
    [pregnancy] = answers("precaution", "pregnant")
    by_name = {x["name"]: x for x in pregnancy["excludes"]}
    assert by_name["the lumbar spine and sacrum (L1 to S1)"]["levels"][0] == "L1"
    assert by_name["every step in the first trimester"]["trimesters"] == [1]
    assert "piriformis" not in [mu["id"] for mu in pregnancy["avoid_muscles"]]


def test_muscle_json_gives_position_and_needle_depth() -> None:
    multifidus, ecrl = answers("muscle", "thoracic multifidus", "ECRL")
    assert multifidus["needle_depth"]["mm"] == [30, 45] and multifidus["needle_depth"]["approach"] == "onto_bone"
    assert multifidus["position"] is None  # paraspinal: ordered by level
    assert ecrl["position"] is not None and ecrl["needle_depth"]["sources"]


def test_muscle_text_shows_depth_in_millimetres_and_position() -> None:
    text = flat(run("muscle", "QL").stdout)
    assert "50–75 mm" in text and "(5)" in text

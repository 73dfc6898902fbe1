"""The exam pages' own stylesheet (exams/static/exams/exam.css) holds no dead rules."""

from __future__ import annotations

import re
from pathlib import Path

import myotome

SRC = Path(myotome.__file__).parent
EXAM_CSS = SRC / "clinic" / "exams" / "static" / "exams" / "exam.css"


def _css_classes(css: str) -> set[str]:
    selectors = re.sub(r"\{[^}]*\}", "{}", re.sub(r"/\*.*?\*/", "", css, flags=re.S))
    return set(re.findall(r"\.(-?[A-Za-z_][\w-]*)", selectors))


def _markup_and_scripts() -> str:
    files = [*SRC.glob("clinic/**/templates/**/*.html"), *SRC.glob("clinic/**/static/**/*.js"), *SRC.rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8") for p in files)


def _used(name: str, sources: str) -> bool:
    if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", sources):
        return True
    # A class made on the page from a value: class="status-{{ exam.status }}", "mark-" + kind.
    prefix = re.match(r"(.+-)[^-]+$", name)
    return bool(prefix and re.search(rf"(?<![\w-]){re.escape(prefix.group(1))}(\{{\{{|\" \+)", sources))


def test_every_class_the_exam_stylesheet_styles_is_used_by_a_template_or_script() -> None:
    sources = _markup_and_scripts()
    classes = _css_classes(EXAM_CSS.read_text(encoding="utf-8"))
    assert len(classes) > 50  # the parse found the rules
    assert sorted(c for c in classes if not _used(c, sources)) == []


def test_the_dead_rule_finder_finds_a_dead_rule() -> None:
    sources = '<li class="mark mark-{{ zone.kind }}">'
    assert _used("mark-sensory", sources) and _used("mark", sources)
    assert not _used("zone-panel", sources) and not _used("layer-switch", sources)

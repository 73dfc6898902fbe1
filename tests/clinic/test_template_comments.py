"""Template comments stay out of the page.

Django's ``{# ... #}`` comment is one line only: one that runs onto the next line is not a
comment at all, and its text is shown on the page (the exam form showed a note on page weight
above the spine ladder). Longer comments use ``{% comment %}``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

import myotome

from .conftest import World

TEMPLATES = sorted(Path(myotome.__file__).parent.glob("clinic/**/templates/**/*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_short_comment_closes_on_its_own_line(template: Path) -> None:
    for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), start=1):
        opened = line.count("{#")
        assert opened == line.count("#}"), f"{template.name} line {number}: a {{# comment must close on its line: {line.strip()[:80]}"


def test_the_exam_form_shows_no_template_comment(world: World) -> None:
    page = world.client("alice").get(reverse("exams:new", args=[world.episode.pk])).content.decode()
    assert "{#" not in page and "#}" not in page and "{% comment" not in page

"""The readability formula the handout is measured with: syllables, sentences, grade."""

from __future__ import annotations

import pytest

from myotome.documents.readability import flesch_kincaid_grade, sentences, syllables


@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("needle", 2),  # -le keeps its syllable
        ("muscle", 2),
        ("treated", 2),  # -ted keeps its syllable: treat-ed
        ("moved", 1),  # silent -ed
        ("home", 1),  # silent final e
        ("emergency", 4),
        ("breathlessness", 3),
        ("tomorrow", 3),
    ],
)
def test_it_counts_syllables(word: str, count: int) -> None:
    assert syllables(word) == count


def test_a_line_without_a_full_stop_is_a_sentence() -> None:
    assert sentences("Drink water\nRest. Walk!") == ["Drink water", "Rest.", "Walk!"]


def test_short_plain_words_read_easier_than_long_latin_ones() -> None:
    easy = "The cat sat on the mat. It was warm. We went home."
    hard = "Neuropathic hypersensitivity of paraspinal musculature necessitates segmental intramuscular stimulation."
    assert flesch_kincaid_grade(easy) < 2 < 14 < flesch_kincaid_grade(hard)


def test_no_words_is_grade_zero() -> None:
    assert flesch_kincaid_grade("  \n ") == 0.0

"""Flesch-Kincaid grade level of English text: how many years of school a reader needs.

    flesch_kincaid_grade("Your neck nerves can make your elbow sore.")   # about 3

grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59 (Kincaid et al.
1975). Syllables are counted by vowel groups with the usual English corrections (a silent
final e, -le, -ed), the same rule of thumb most readability tools use; a heading or list
item without a full stop counts as a sentence of its own.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?|\d+")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables in one English word (a number counts as one)."""
    w = word.lower().strip("'")
    if not w.isalpha():
        return 1
    if len(w) <= 3:
        return 1
    count = len(_VOWELS.findall(w))
    if (w.endswith("e") and not w.endswith(("le", "ee", "ye"))) or (w.endswith("ed") and not w.endswith(("ted", "ded"))):
        count -= 1
    return max(1, count)


def sentences(text: str) -> list[str]:
    """Sentences: split at . ! ? or a line break (a list item is a sentence)."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p for p in parts if _WORD.search(p)]


def flesch_kincaid_grade(text: str) -> float:
    """The Flesch-Kincaid grade of ``text`` (0.0 for text without words)."""
    found = sentences(text)
    words = [w for s in found for w in _WORD.findall(s)]
    if not words:
        return 0.0
    return 0.39 * len(words) / len(found) + 11.8 * sum(syllables(w) for w in words) / len(words) - 15.59

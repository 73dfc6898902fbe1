"""The words of a patient's names as the search reads them, from an index rather than a scan.

A name is folded (accents removed, case folded: "José" as "jose") and split into words at
spaces; within a word, hyphens, apostrophes and full stops both part it and are dropped, so
"O'Brien-Smith" is found by "o'brien", "obrien", "brien" and "smith". A search word matches a
patient when it begins one of these keys (``search.py``)::

    name_keys("O'Brien-Smith", "Zoë")   # {"obriensmith", "o", "brien", "smith", "zoe"}
    query_keys("Smith, zoë")             # ["smith", "zoe"]
"""

from __future__ import annotations

import re
import unicodedata

KEY_LENGTH = 40  # a key, and a search word, are cut to this: longer words are all but unique by then
# Hyphens, dashes, apostrophes and the full stop, as keyboards and phones type them.
_JOINERS = re.compile(r"[-‐‑–—'‘’ʼʻ.]")


def fold(text: str) -> str:
    """Without accents and case: "Zoë" and "ZOE" both as "zoe" (letters of any script are kept)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_keys(*names: str) -> set[str]:
    """The keys of a patient's names: each word squashed, and each piece of it between joiners."""
    keys: set[str] = set()
    for word in fold(" ".join(names)).split():
        keys.add(_JOINERS.sub("", word))
        keys.update(_JOINERS.split(word))
    return {key[:KEY_LENGTH] for key in keys if key}


def query_keys(query: str) -> list[str]:
    """The words of a search, folded and squashed as the keys are (commas part words too)."""
    words = (_JOINERS.sub("", word)[:KEY_LENGTH] for word in fold(query.replace(",", " ")).split())
    return [word for word in words if word]

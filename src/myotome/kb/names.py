"""Resolving the names clinicians write to knowledge-base records.

A name matches a record when its normalised form equals the normalised form of the
record's id, display name or one of its aliases. Normalising folds case, accents,
punctuation, hyphens, ``&``/``and``, possessives, British/American spellings and the
old peroneus/new fibularis names. Typos are never corrected silently: an unknown
name raises :class:`UnknownName` with suggestions, and a name shared by several
records raises :class:`AmbiguousName` listing them.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

# Whole-word spellings folded to one form; applied to queries and aliases alike.
_SPELLINGS = {
    "peroneus": "fibularis",
    "peronei": "fibulares",
    "peroneal": "fibular",
    "peroneals": "fibulars",
    "fasciae": "fascia",
    "latae": "lata",
    "tendonitis": "tendinitis",
    "tendonosis": "tendinosis",
    "fibres": "fibers",
    "centre": "center",
    "grey": "gray",
    "behaviour": "behavior",
}
# British prefixes folded to American ones (haemophilia, oedema, anaesthesia...).
_PREFIXES = (("haem", "hem"), ("lymphoedem", "lymphedem"), ("oedem", "edem"), ("anaes", "anes"), ("paed", "ped"), ("orthopaed", "orthoped"))
# Words that add nothing to a name.
_FILLER = {"the", "muscle", "muscles", "musculus"}
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SUGGESTIONS_KEPT = 4096


@functools.lru_cache(maxsize=65536)
def normalize(name: str) -> str:
    """Fold a name to the form used for matching.

    >>> normalize("Peroneus-Longus  Muscle")
    'fibularis longus'
    >>> normalize("E.C.R.B."), normalize("c 6")
    ('ecrb', 'c6')
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ").replace("'s ", "s ").replace("'", "")
    words: list[str] = []
    joinable = False  # the last word is a run of single letters ("E.C.R.B.", "C 6")
    for word in _NON_WORD.split(text):
        if not word or word in _FILLER:
            continue
        word = _SPELLINGS.get(word, word)
        for british, american in _PREFIXES:
            if word.startswith(british):
                word = american + word[len(british) :]
                break
        if joinable and (len(word) == 1 or word.isdigit()):
            words[-1] += word
            joinable = word.isalpha()
        else:
            words.append(word)
            joinable = len(word) == 1 and word.isalpha()
    return " ".join(words)


class LookupFailed(LookupError):
    """A name did not resolve to exactly one record."""

    def __init__(self, query: str, kind: str, message: str, suggestions: list[str]):
        super().__init__(message)
        self.query = query
        self.kind = kind
        self.message = message
        self.suggestions = suggestions


class UnknownName(LookupFailed):
    pass


class AmbiguousName(LookupFailed):
    pass


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    record: T
    record_id: str
    display: str


class NameIndex(Generic[T]):
    """Exact look-up by normalised name, with suggestions for near misses.

    index = NameIndex("muscle", [("ecrb", "Extensor carpi radialis brevis", ["ECRB"], ecrb)])
    index.lookup("E.C.R.B.")  # -> ecrb
    """

    def __init__(self, kind: str, entries: Iterable[tuple[str, str, Iterable[str], T]]):
        self.kind = kind
        self._by_key: dict[str, list[_Entry[T]]] = {}
        for record_id, display, aliases, record in entries:
            entry = _Entry(record, record_id, display)
            for name in (record_id, display, *aliases):
                key = normalize(name)
                if not key:
                    continue
                bucket = self._by_key.setdefault(key, [])
                if all(e.record_id != record_id for e in bucket):
                    bucket.append(entry)
        self._keys = sorted(self._by_key)
        self._suggestions: dict[tuple[str, int], list[str]] = {}

    def lookup(self, name: str) -> T:
        """Return the one record ``name`` denotes, or raise :class:`LookupFailed`."""
        key = normalize(name)
        entries = self._by_key.get(key)
        if entries is None:
            suggestions = self.suggest(name)
            hint = f"; did you mean {_quote_list(suggestions)}?" if suggestions else ""
            raise UnknownName(name, self.kind, f"unknown {self.kind} '{name}'{hint}", suggestions)
        if len(entries) > 1:
            names = [e.display for e in entries]
            raise AmbiguousName(
                name,
                self.kind,
                f"ambiguous {self.kind} '{name}': it could mean {_quote_list(names)}; write the full name",
                names,
            )
        return entries[0].record

    def get(self, name: str) -> T | None:
        entries = self._by_key.get(normalize(name))
        return entries[0].record if entries and len(entries) == 1 else None

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Display names of the records whose names come closest to ``name``."""
        key = normalize(name)
        if not key:
            return []
        cached = self._suggestions.get((key, limit))
        if cached is None:
            keys = difflib.get_close_matches(key, self._keys, n=limit * 3, cutoff=0.72)
            # Names that begin with what was typed ("extensor carpi") are good suggestions too.
            keys += [k for k in self._keys if k.startswith(key + " ")][: limit * 3]
            cached = _unique_displays((e for k in keys for e in self._by_key[k]), limit)
            if len(self._suggestions) >= _SUGGESTIONS_KEPT:  # fuzzy matching is slow: keep recent answers
                self._suggestions.clear()
            self._suggestions[key, limit] = cached
        return list(cached)

    def __len__(self) -> int:
        return len(self._keys)


def _unique_displays(entries: Iterable[_Entry[T]], limit: int) -> list[str]:
    seen: dict[str, None] = {}
    for entry in entries:
        seen.setdefault(entry.display, None)
        if len(seen) == limit:
            break
    return list(seen)


def _quote_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]

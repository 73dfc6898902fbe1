"""Finding muscles, body areas and movements by the names clinicians type: one, or a list.

Resolution is the name index's (``names.py``: abbreviations, plain words, old names; an
unknown or ambiguous name is an error with suggestions, never a guess). Search adds
prefix matching for an autocomplete list, over the same names. The exam form and its
names endpoint call these; so may any other caller::

    resolve(kb, "muscle", "ECRB").record.id        # 'extensor_carpi_radialis_brevis'
    [r["name"] for r in search(kb, "region", "pink")]  # ['Little finger']
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from myotome.kb.knowledge import KnowledgeBase
from myotome.kb.names import AmbiguousName, LookupFailed, normalize
from myotome.text import shown, text_problem

# The kinds looked up by name; "weakness" is a movement or a muscle.
KINDS = ("muscle", "region", "movement", "weakness")
# No name in the knowledge base is longer; a longer query is refused, not cut to length.
MAX_NAME = 80


@dataclass(frozen=True)
class Resolution:
    query: str
    kind: str  # the KB kind that answered: muscle, region or movement
    record: Any | None
    error: str = ""
    suggestions: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.record is not None


def resolve(kb: KnowledgeBase, kind: str, query: str) -> Resolution:
    """One record for ``query``, or the KB's error and suggestions.

    For "weakness" a movement is tried first, then a muscle; when neither resolves,
    the suggestions of both are offered. A name with control characters or longer than
    any name is refused, never cut or cleaned into another name ("a\\x00b" is not "AB").
    """
    query = query.strip()
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    problem = text_problem(query, MAX_NAME)
    if problem:
        return Resolution(shown(query), kind, None, f"the name {problem}")
    if not query:
        return Resolution(
            query, kind, None, f"Type a {'movement or muscle' if kind == 'weakness' else kind.replace('region', 'body area')} name."
        )
    tried = ("movement", "muscle") if kind == "weakness" else (kind,)
    errors: list[LookupFailed] = []
    for each in tried:
        try:
            return Resolution(query, each, kb.index(each).lookup(query))
        except LookupFailed as exc:
            errors.append(exc)
    if kind == "weakness":
        suggestions = tuple(dict.fromkeys(s for e in errors for s in e.suggestions))[:6]
        ambiguous = next((e for e in errors if e.message.startswith("ambiguous")), None)
        message = ambiguous.message if ambiguous else f"'{query}' is neither a movement nor a muscle the knowledge base knows"
        if suggestions and not ambiguous:
            message += "; did you mean " + _quoted(list(suggestions)) + "?"
        return Resolution(query, kind, None, message, suggestions)
    return Resolution(query, kind, None, errors[0].message, tuple(errors[0].suggestions))


def resolve_list(kb: KnowledgeBase, kind: str, text: str) -> tuple[list[str], list[str]]:
    """Ids for comma- or semicolon-separated names, in order and without repeats, and the
    knowledge base's message for each name that is unknown or ambiguous.

    resolve_list(kb, "region", "lateral elbow; outer elbow, wrist")  # (['lateral_elbow', 'wrist'], [])
    """
    index = kb.index(kind)
    ids: list[str] = []
    problems: list[str] = []
    for name in (n.strip() for n in text.replace(";", ",").split(",")):
        if not name:
            continue
        try:
            record = index.lookup(name)
        except LookupFailed as exc:
            problems.append(exc.message)
            continue
        if record.id not in ids:
            ids.append(record.id)
    return ids, problems


@functools.cache
def _table(kb: KnowledgeBase, kind: str) -> tuple[tuple[str, str, str, str], ...]:
    """(normalised name, the name as written, record id, display name) for every name of ``kind``."""
    records: list[Any]
    if kind == "muscle":
        records = [*kb.muscles.values(), *kb.groups.values()]
    elif kind == "region":
        records = list(kb.regions.values())
    else:
        records = list(kb.movements.values())
    rows = []
    for record in records:
        for written in (record.name, *record.aliases):
            key = normalize(written)
            if key:
                rows.append((key, written, record.id, record.name))
    rows.sort(key=lambda row: (len(row[0]), row[0]))
    return tuple(rows)


def search(kb: KnowledgeBase, kind: str, query: str, limit: int = 8) -> list[dict[str, str]]:
    """Records whose names match ``query``: the exact match first, then names starting with it,
    then names with a word starting with it. Each result says which name matched."""
    query = query.strip()
    key = normalize(query)
    if not key or text_problem(query, MAX_NAME):
        return []
    kinds = ("movement", "muscle") if kind == "weakness" else (kind,)
    found: dict[tuple[str, str], dict[str, str]] = {}

    def add(each: str, record_id: str, name: str, written: str) -> None:
        if (each, record_id) not in found and len(found) < limit:
            found[(each, record_id)] = {"kind": each, "id": record_id, "name": name, "matched": written if written != name else ""}

    for each in kinds:
        index = kb.index(each)
        try:
            exact = index.lookup(query)
        except AmbiguousName as exc:  # every candidate, in the KB's order
            for name in exc.suggestions:
                record = index.get(name)
                if record is not None:
                    add(each, record.id, record.name, query)
        except LookupFailed:
            pass
        else:
            add(each, exact.id, exact.name, query)
    for test in (lambda k: k.startswith(key), lambda k: f" {key}" in f" {k}"):
        for each in kinds:
            for normalised, written, record_id, name in _table(kb, each):
                if test(normalised):
                    add(each, record_id, name, written)
    if not found:
        for each in kinds:
            for name in kb.index(each).suggest(query, limit=limit):
                record = kb.index(each).get(name)
                if record is not None:
                    add(each, record.id, record.name, "")
    return list(found.values())


def _quoted(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]

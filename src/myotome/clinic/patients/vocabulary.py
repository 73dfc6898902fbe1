"""The knowledge base's words for the forms: regions, conditions and precautions.

Episodes and precautions store KB ids; these helpers turn ids into display names
(saying so when an id is no longer in the KB) and clinicians' words into ids::

    resolve_regions("lateral elbow, outside of the forearm")  # ['lateral_elbow', 'lateral_forearm']
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

from myotome.kb import KnowledgeBase, load_kb
from myotome.kb import model as m
from myotome.kb.search import resolve_list


def kb() -> KnowledgeBase:
    return load_kb()  # cached by the loader


def condition_choices() -> list[tuple[str, str]]:
    return sorted(((c.id, c.name) for c in kb().conditions.values()), key=lambda pair: pair[1].lower())


def precautions() -> list[m.Precaution]:
    return sorted(kb().precautions.values(), key=lambda p: p.name.lower())


def region_name(region_id: str) -> str:
    region = kb().regions.get(region_id)
    return region.name if region else f"{region_id} (not in the knowledge base)"


def region_names(region_ids: Iterable[str]) -> list[str]:
    return [region_name(r) for r in region_ids]


def condition_name(condition_id: str) -> str:
    if not condition_id:
        return ""
    condition = kb().conditions.get(condition_id)
    return condition.name if condition else f"{condition_id} (not in the knowledge base)"


def precaution(precaution_id: str) -> m.Precaution | None:
    return kb().precautions.get(precaution_id)


def resolve_regions(text: str) -> list[str]:
    """Region ids for comma- or semicolon-separated names, in order, without repeats.

    Raises ValidationError listing every name that is unknown or ambiguous, with the
    knowledge base's suggestions.
    """
    if not any(n.strip() for n in text.replace(";", ",").split(",")):
        raise ValidationError("Name at least one body region, e.g. 'lateral elbow' or 'low back'.", code="required")
    ids, problems = resolve_list(kb(), "region", text)
    if problems:
        raise ValidationError([ValidationError(p, code="unknown_region") for p in problems])
    return ids


def region_examples() -> list[str]:
    """Region display names for the form's suggestion list."""
    return sorted(r.name for r in kb().regions.values())

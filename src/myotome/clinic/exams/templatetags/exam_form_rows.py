"""The exam form's long tables, a row at a time, written in Python rather than in template loops.

The ladder has a hundred cells, the range of motion table about sixty and the reflexes
twenty selects of five grades: as included
templates they were half the new exam page's time (bench/pages.py --profile "new exam"), and
as format_html calls (eight escaped arguments a cell, each through Django's lazy-aware escape)
still a fifth of it. The markup is the same as the templates wrote; every value that is not
this module's own literal goes through ``_e``, which escapes as Django's ``escape`` does.

{% load exam_form_rows %}{% ladder_row lv form.cycled %}  {% rom_row r %}  {% reflex_row r %}
"""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _e(value: Any) -> str:
    """``conditional_escape`` without its lazy-string wrapper: safe strings as they are, the rest escaped."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return escape(str(value))


@register.simple_tag
def ladder_row(level: dict[str, Any], cycled: str) -> SafeString:
    """One level of the spine ladder: its left cell, the level, its right cell."""
    name = _e(level["level"])
    left, right = (_ladder_cell(name, cell, cycled) for cell in level["cells"])
    interspace = ' class="interspace"' if level["interspace"] else ""
    return mark_safe(f'<tr{interspace}>{left}<th scope="row">{name}</th>{right}</tr>')


def _ladder_cell(level: str, cell: dict[str, Any], cycled: str) -> str:
    label, error, name, value = cell["label"], cell["error"], _e(cell["name"]), _e(cell["value"])
    td = ' class="has-error"' if error else ""
    focus = " autofocus" if cell["token"] == cycled else ""
    rung = f' class="rung-{value}"' if label else ""
    said = f'<p class="field-error">{_e(error)}</p>' if error else ""
    return (
        f'<td{td}><input type="hidden" id="{name}" name="{name}" value="{value}"><button name="cycle_level"'
        f' value="{_e(cell["token"])}" data-rung="{name}"{focus}{rung} aria-label="{level} {_e(cell["side"])}:'
        f' {_e(label.lower() or "clear")}">{_e(label or "·")}</button>{said}</td>'
    )


@register.simple_tag
def rom_row(row: dict[str, Any]) -> SafeString:
    """One movement of the range of motion table: its name and normal, then a box per side."""
    movement = row["row"]
    normal = _e(_one_decimal(movement.normal))
    cells = "".join(_rom_cell(row, cell, normal) for cell in row["cells"])
    midline = " midline" if row["midline"] else ""
    return mark_safe(
        f'<div class="rom-row{midline}"><div class="rom-name">{_e(movement.label)} <span class="normal">normal'
        f" {normal}{_e(movement.unit_symbol)}</span></div>{cells}</div>"
    )


def _rom_cell(row: dict[str, Any], cell: dict[str, Any], normal: str) -> str:
    movement, error, restriction = row["row"], cell["error"], cell["restriction"]
    name = _e(cell["name"])
    described = ([f"{name}-restriction"] if restriction is not None else []) + ([f"{name}-error"] if error else [])
    output = ""
    if restriction is not None:
        words = f"{restriction}% restricted" if restriction else "full range"
        restricted = " restricted" if restriction else ""
        output = f'<output id="{name}-restriction" class="restriction{restricted}">{_e(words)}</output>'
    side = "Midline" if row["midline"] else cell["side"].capitalize()
    unit = "degrees" if movement.unit == "deg" else "millimetres"
    described_by = f' aria-describedby="{" ".join(described)}"' if described else ""
    invalid = ' aria-invalid="true"' if error else ""
    said = f'<p class="field-error" id="{name}-error">{_e(error)}</p>' if error else ""
    return (
        f'<div class="rom-cell{" has-error" if error else ""}"><label for="{name}" class="rom-side"><span class="visually-hidden">'
        f'{_e(movement.label)}, </span>{_e(side)}<span class="visually-hidden">, {unit}</span></label><input type="text"'
        f' inputmode="decimal" id="{name}" name="{name}" value="{_e(cell["value"])}" maxlength="10" class="rom-input"'
        f' data-normal="{normal}"{described_by}{invalid}>{output}{said}</div>'
    )


@register.simple_tag
def reflex_row(row: dict[str, Any]) -> SafeString:
    """One reflex: its name and roots, then a select of its grades per side."""
    name = _e(row["reflex"].name)
    cells = "".join(_reflex_cell(name, row["grades"], cell) for cell in row["cells"])
    return mark_safe(f'<tr><th scope="row">{name} <span class="muted roots">{_e(row["roots"])}</span></th>{cells}</tr>')


def _reflex_cell(reflex: str, grades: list[tuple[Any, Any]], cell: dict[str, Any]) -> str:
    error, name = cell["error"], _e(cell["name"])
    td = ' class="has-error"' if error else ""
    invalid = ' aria-invalid="true"' if error else ""
    said = f'<p class="field-error">{_e(error)}</p>' if error else ""
    options = "".join(
        f'<option value="{_e(value)}"{" selected" if value == cell["value"] else ""}>{_e(label)}</option>' for value, label in grades
    )
    return (
        f'<td{td}><select id="{name}" name="{name}" aria-label="{reflex}, {_e(cell["side"])}"{invalid}>'
        f'<option value="">not tested</option>{options}</select>{said}</td>'
    )


def _one_decimal(value: float) -> str:
    """As the template's floatformat:"-1" wrote it: one decimal, none for a whole number (180, 7.5)."""
    text = f"{round(float(value), 1):.1f}"
    return text.removesuffix(".0")

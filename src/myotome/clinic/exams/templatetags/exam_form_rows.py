"""The exam form's long tables, a row at a time, written in Python rather than in template loops.

The ladder has a hundred cells and the range of motion table about sixty: as included
templates they were half the new exam page's time (bench/pages.py --profile "new exam").
The markup is the same as the templates wrote; every value goes through format_html.

{% load exam_form_rows %}{% ladder_row lv form.cycled %}  {% rom_row r %}
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def ladder_row(level: dict[str, Any], cycled: str) -> SafeString:
    """One level of the spine ladder: its left cell, the level, its right cell."""
    left, right = (_ladder_cell(level["level"], cell, cycled) for cell in level["cells"])
    interspace = mark_safe(' class="interspace"') if level["interspace"] else ""
    return format_html('<tr{}>{}<th scope="row">{}</th>{}</tr>', interspace, left, level["level"], right)


def _ladder_cell(level: str, cell: dict[str, Any], cycled: str) -> SafeString:
    label = cell["label"]
    return format_html(
        '<td{}><input type="hidden" id="{}" name="{}" value="{}"><button name="cycle_level" value="{}" data-rung="{}"{}{}'
        ' aria-label="{} {}: {}">{}</button>{}</td>',
        mark_safe(' class="has-error"') if cell["error"] else "",
        cell["name"],
        cell["name"],
        cell["value"],
        cell["token"],
        cell["name"],
        mark_safe(" autofocus") if cell["token"] == cycled else "",
        format_html(' class="rung-{}"', cell["value"]) if label else "",
        level,
        cell["side"],
        label.lower() or "clear",
        label or "·",
        format_html('<p class="field-error">{}</p>', cell["error"]) if cell["error"] else "",
    )


@register.simple_tag
def rom_row(row: dict[str, Any]) -> SafeString:
    """One movement of the range of motion table: its name and normal, then a box per side."""
    movement = row["row"]
    normal = _one_decimal(movement.normal)
    cells = format_html_join("", "{}", ((_rom_cell(row, cell, normal),) for cell in row["cells"]))
    return format_html(
        '<div class="rom-row{}"><div class="rom-name">{} <span class="normal">normal {}{}</span></div>{}</div>',
        " midline" if row["midline"] else "",
        movement.label,
        normal,
        movement.unit_symbol,
        cells,
    )


def _rom_cell(row: dict[str, Any], cell: dict[str, Any], normal: str) -> SafeString:
    movement, name, restriction = row["row"], cell["name"], cell["restriction"]
    described = ([f"{name}-restriction"] if restriction is not None else []) + ([f"{name}-error"] if cell["error"] else [])
    output = ""
    if restriction is not None:
        words = f"{restriction}% restricted" if restriction else "full range"
        output = format_html(
            '<output id="{}-restriction" class="restriction{}">{}</output>', name, " restricted" if restriction else "", words
        )
    return format_html(
        '<div class="rom-cell{}"><label for="{}" class="rom-side"><span class="visually-hidden">{}, </span>{}'
        '<span class="visually-hidden">, {}</span></label><input type="text" inputmode="decimal" id="{}" name="{}" value="{}"'
        ' maxlength="10" class="rom-input" data-normal="{}"{}{}>{}{}</div>',
        " has-error" if cell["error"] else "",
        name,
        movement.label,
        "Midline" if row["midline"] else cell["side"].capitalize(),
        "degrees" if movement.unit == "deg" else "millimetres",
        name,
        name,
        cell["value"],
        normal,
        format_html(' aria-describedby="{}"', " ".join(described)) if described else "",
        mark_safe(' aria-invalid="true"') if cell["error"] else "",
        output,
        format_html('<p class="field-error" id="{}-error">{}</p>', name, cell["error"]) if cell["error"] else "",
    )


def _one_decimal(value: float) -> str:
    """As the template's floatformat:"-1" wrote it: one decimal, none for a whole number (180, 7.5)."""
    text = f"{round(float(value), 1):.1f}"
    return text.removesuffix(".0")

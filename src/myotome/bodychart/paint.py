"""The chart's paint for marks, in one place, and the contrast each keeps (WCAG 2.2, 1.4.11).

A mark carries clinical information, so it must stand out from every colour beside it: an
unmarked muscle, a deep muscle, the body's silhouette. Non-text contrast (WCAG 2.2 success
criterion 1.4.11) asks for at least 3:1, with contrast as WCAG defines it from relative
luminance (sRGB)::

    contrast_ratio(SEVERITY_FILL[1], MUSCLE_FILL)  # 3.51
    contrast_ratio("#000000", "#ffffff")            # 21.0

The page's stylesheet (``sprite.page_stylesheet``), the printed chart (``render``) and the
chart's key take their colours from here; tests/bodychart/test_paint.py checks the ratios.
"""

from __future__ import annotations

NON_TEXT_CONTRAST = 3.0  # WCAG 2.2, 1.4.11 Non-text Contrast (level AA)

BODY_FILL = "#f6efe8"  # the silhouette, in the sprite
MUSCLE_FILL = "#e3c3b4"  # an unmarked muscle on the page
DEEP_MUSCLE_FILL = "#efdcd3"  # an unmarked deep muscle (dashed outline)
MUSCLE_STROKE = "#6b4a3c"
# Tender band severity 1 to 3: burnt orange, red, near-black maroon; each darker than the last.
# (Issue 9: severity 1 was #f4a06f, 1.26:1 against an unmarked muscle.)
SEVERITY_FILL = {1: "#ad4500", 2: "#991b1b", 3: "#4a0610"}
SKIN_FILL = "#6d3fb0"  # a skin sign over a zone
SENSORY_STROKE = "#06306b"  # a change in sensation: the zone's outline, dashed
# A paraspinal level: the chart's mark beside the spine and the ladder's rung share these, thickened
# darker than tender as a worse band is darker (the ladder and the chart once disagreed: a tender
# rung was light orange where its chart mark was red, and a thickened one wore the skin sign's purple).
LEVEL_STROKE = {"tender": SEVERITY_FILL[1], "thickened": SEVERITY_FILL[3]}


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour, 0 (black) to 1 (white)."""
    text = colour.lstrip("#")
    if len(text) != 6:
        raise ValueError(f"colour {colour!r} is not #rrggbb")
    channels = [int(text[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)

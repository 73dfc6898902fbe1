"""What is wrong with typed text: too long, or holding characters that cannot be stored.

The clinic's forms (``myotome.clinic.input_limits``) and the knowledge base's name search
(``myotome.kb.search``) refuse text with the same words::

    text_problem("a\\x00b", 80)   # "'a\\x00b' contains a control character (U+0000), ..."
    shown("x" * 100)             # quoted for a message: cut to 40 characters, with an ellipsis
"""

from __future__ import annotations

import unicodedata

# Line breaks and tabs belong in notes; no other control character belongs anywhere.
_NOTE_WHITESPACE = frozenset("\n\r\t")
_LINE_SEPARATORS = frozenset("\u2028\u2029")


def shown(value: str, limit: int = 40) -> str:
    """``value`` as a message can quote it: control characters written out, long text cut short."""
    out = "".join((f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") if is_control(c) else c for c in value[:limit])
    return out + ("…" if len(value) > limit else "")


def is_control(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cs") or char in _LINE_SEPARATORS


def text_problem(value: str, max_length: int, *, multi_line: bool = False) -> str | None:
    """What is wrong with ``value`` as free text (the value quoted, then the fix), or None.

    text_problem("a\\x00b", 80)   # "'a\\x00b' contains a control character (U+0000) ..."
    """
    if len(value) > max_length:
        return f"'{shown(value)}' is {len(value):,} characters long; the limit is {max_length:,}, so shorten it."
    bad = sorted({c for c in value if is_control(c) and not (multi_line and c in _NOTE_WHITESPACE)})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad[:5])
        what = f"a control character ({codes})" if len(bad) == 1 else f"control characters ({codes})"
        allowed = "letters, digits, punctuation, spaces and line breaks" if multi_line else "letters, digits, punctuation and spaces"
        return f"'{shown(value)}' contains {what}, which cannot be stored; remove it and type only {allowed}."
    return None

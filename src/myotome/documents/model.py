"""A clinical document as plain data: sections of paragraphs, lists, tables, notices and body
charts and progress graphs. The web page, the PDF and the command line all draw the same ``Document``::

    doc = Document("handout", "Your IMS treatment", "", (Section("Why", (Paragraph("..."),)),))
    doc.text()   # the words, one block a line (readability, CLI)
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Notice:
    """Text that must not be missed (emergency advice)."""

    text: str


@dataclass(frozen=True, slots=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Point:
    """A point needled, numbered on the body chart in the order first needled."""

    order: int
    muscle_id: str
    side: str  # left, right or bilateral
    level: str = ""


@dataclass(frozen=True, slots=True)
class Chart:
    """The body chart (``myotome.bodychart``), front and back, with the points needled."""

    points: tuple[Point, ...]
    caption: str = ""

    def marks(self) -> dict[str, list[dict[str, object]]]:
        """The points as body-chart marks (``myotome.bodychart.marks``)."""
        return {
            "plan": [
                {"order": p.order, "muscle_id": p.muscle_id, "side": p.side, **({"level": p.level} if p.level else {})} for p in self.points
            ]
        }


@dataclass(frozen=True, slots=True)
class Graph:
    """A progress chart (``myotome.charts``) as SVG; ``caption`` says in words what it shows."""

    svg: str
    caption: str
    aspect: float = 210 / 340  # height over width (myotome.charts.Layout)


Block = Paragraph | Bullets | Notice | Table | Chart | Graph


@dataclass(frozen=True, slots=True)
class Section:
    heading: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Document:
    kind: str  # handout, session-summary, discharge-report: also the download's file name
    title: str
    subtitle: str
    sections: tuple[Section, ...]
    footer: str = ""
    meta: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, value) lines under the title

    def text(self, *, headings: bool = True) -> str:
        """The document's words, one sentence-ending block a line: what a reader reads."""
        lines = [self.title]
        for section in self.sections:
            if headings:
                lines.append(section.heading)
            for block in section.blocks:
                lines.extend(block_text(block))
        return "\n".join(line for line in lines if line)


def block_text(block: Block) -> list[str]:
    if isinstance(block, Paragraph | Notice):
        return [block.text]
    if isinstance(block, Bullets):
        return list(block.items)
    if isinstance(block, Table):
        return [", ".join(c for c in row if c) for row in block.rows]
    return [block.caption]

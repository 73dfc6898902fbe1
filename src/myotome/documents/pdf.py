"""A ``Document`` as PDF bytes, drawn with fpdf2 (pure Python: no system library).

    data = to_pdf(session_summary(record))

The text uses the PDF's built-in Helvetica, which holds Latin-1 only: other characters are
written as their nearest Latin-1 form (dashes, quotes, arrows) or their base letter, and
anything else as "?". The body chart is ``myotome.bodychart``'s SVG, which fpdf2 draws as
vectors; the points needled get their colours as attributes, since fpdf2 reads only simple
class rules.
"""

from __future__ import annotations

import io
import logging
import unicodedata
from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from myotome.bodychart import render_chart
from myotome.documents.model import Block, Bullets, Chart, Document, Graph, Notice, Paragraph, Table

_LATIN1 = str.maketrans(
    {"–": "-", "—": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "→": "->", "…": "...", "≤": "<=", "≥": ">=", "×": "x", "·": "·", "•": "-"}
)
# fpdf2 logs each SVG element it skips (title, desc, pattern): expected here, not news.
logging.getLogger("fpdf.svg").setLevel(logging.ERROR)
CHART_RATIO = 2.0  # the body chart's height over its width (bodychart/data/chart.yaml: 400 x 800)
INK = (32, 32, 32)
ACCENT = (23, 54, 93)
EMERGENCY = (163, 19, 28)


def latin1(text: str) -> str:
    """``text`` in the characters Helvetica holds."""
    text = text.translate(_LATIN1)
    out = []
    for ch in text:
        if ord(ch) < 256:
            out.append(ch)
            continue
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        out.append(base or "?")
    return "".join(out)


class _Pdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 5, latin1(f"{self.footer_text}  Page {self.page_no()}/{{nb}}"), align="C")


def to_pdf(doc: Document) -> bytes:
    """The document as a PDF (A4, Helvetica).

    data = to_pdf(handout(facts))
    Path("handout.pdf").write_bytes(data)
    """
    pdf = _Pdf(format="A4")
    pdf.footer_text = doc.footer
    pdf.set_title(latin1(doc.title))
    pdf.set_creator("Myotome")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.set_margins(16, 16, 16)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font("Helvetica", "B", 18)
    pdf.multi_cell(0, 9, latin1(doc.title), new_x="LMARGIN", new_y="NEXT")
    if doc.subtitle:
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, latin1(doc.subtitle), new_x="LMARGIN", new_y="NEXT")
    for label, value in doc.meta:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(32, 5.5, latin1(label))
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(0, 5.5, latin1(value), new_x="LMARGIN", new_y="NEXT")
    for section in doc.sections:
        pdf.ln(3)
        if pdf.will_page_break(16):
            pdf.add_page()
        pdf.set_font("Helvetica", "B", 13)
        pdf.set_text_color(*ACCENT)
        pdf.multi_cell(0, 7, latin1(section.heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(*INK)
        for block in section.blocks:
            _block(pdf, block)
    return bytes(pdf.output())


def _block(pdf: _Pdf, block: Block) -> None:
    pdf.set_font("Helvetica", size=11)
    if isinstance(block, Paragraph):
        pdf.multi_cell(0, 5.8, latin1(block.text), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.2)
    elif isinstance(block, Bullets):
        for item in block.items:
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(5, 5.8, "-")
            pdf.multi_cell(0, 5.8, latin1(item), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.2)
    elif isinstance(block, Notice):
        pdf.set_font("Helvetica", "B", 11)
        pdf.set_draw_color(*EMERGENCY)
        pdf.set_line_width(0.6)
        pdf.multi_cell(0, 6, latin1(block.text), border=1, padding=3, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    elif isinstance(block, Table):
        _table(pdf, block)
    elif isinstance(block, Graph):
        _graph(pdf, block)
    else:
        _chart(pdf, block)


def _table(pdf: _Pdf, block: Table) -> None:
    pdf.set_font("Helvetica", size=8.5)
    pdf.set_draw_color(190, 190, 190)
    pdf.set_line_width(0.2)
    heading = FontFace(emphasis="BOLD", fill_color=(236, 240, 246))
    # Columns as wide as their longest text, within limits: a number column stays narrow.
    widths = tuple(min(max(len(row[n]) for row in (block.columns, *block.rows)), 28) + 3 for n in range(len(block.columns)))
    with pdf.table(col_widths=widths, headings_style=heading, line_height=4.6, text_align="LEFT", first_row_as_headings=True) as table:
        for row in (block.columns, *block.rows):
            cells = table.row()
            for value in row:
                cells.cell(latin1(value))
    pdf.ln(2)


def print_svg(svg: str) -> str:
    """The chart's SVG with the point markers coloured by attributes (fpdf2 ignores descendant selectors)."""
    return svg.replace("<circle cx=", '<circle fill="#17365d" stroke="#ffffff" stroke-width="1.2" cx=').replace(
        '<text x="', '<text fill="#ffffff" font-size="7.5" font-weight="bold" text-anchor="middle" dy="2.6" x="'
    )


def chart_svgs(chart: Chart, views: Sequence[str] = ("front", "back")) -> list[str]:
    marks = chart.marks()
    return [print_svg(render_chart(view, marks, id_prefix=f"pdf{n}")) for n, view in enumerate(views)]


def _chart(pdf: _Pdf, chart: Chart) -> None:
    width, gap = 62.0, 8.0
    svgs = chart_svgs(chart)
    height = width * CHART_RATIO
    if pdf.will_page_break(height + 8):
        pdf.add_page()
    top = pdf.get_y()
    left = pdf.l_margin + (pdf.epw - len(svgs) * width - (len(svgs) - 1) * gap) / 2
    for n, svg in enumerate(svgs):
        pdf.image(io.BytesIO(svg.encode("utf-8")), x=left + n * (width + gap), y=top, w=width)
    pdf.set_y(top + height)
    if chart.caption:
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, latin1(chart.caption), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


GRAPH_WIDTH = 150.0  # mm: a progress chart across most of the A4 text width


def _graph(pdf: _Pdf, graph: Graph) -> None:
    """A progress chart drawn as vectors from its SVG (text in Helvetica's Latin-1), its words under it."""
    height = GRAPH_WIDTH * graph.aspect
    if pdf.will_page_break(height + 12):
        pdf.add_page()
    top = pdf.get_y()
    pdf.image(io.BytesIO(latin1(graph.svg).encode("latin-1")), x=pdf.l_margin + (pdf.epw - GRAPH_WIDTH) / 2, y=top, w=GRAPH_WIDTH)
    pdf.set_y(top + height + 1)
    pdf.set_font("Helvetica", "I", 8.5)
    pdf.multi_cell(0, 4.4, latin1(graph.caption), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

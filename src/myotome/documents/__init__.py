"""Clinical documents on plain data (no Django): the patient handout, the session summary and
the discharge report, as a ``Document`` the web page and the PDF both draw.

    from myotome.documents import handout, HandoutFacts, to_pdf
    pdf_bytes = to_pdf(handout(HandoutFacts(("elbow",), ("C6",), ("Supinator",))))
"""

from myotome.documents.handout import HandoutFacts, handout
from myotome.documents.model import Bullets, Chart, Document, Graph, Notice, Paragraph, Section, Table

__all__ = ["Bullets", "Chart", "Document", "Graph", "HandoutFacts", "Notice", "Paragraph", "Section", "Table", "handout"]

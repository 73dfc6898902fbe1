"""The documents are core: the handout, the records and the PDF load without Django (the CLI could print them)."""

from __future__ import annotations

import subprocess
import sys


def test_the_documents_import_no_django() -> None:
    code = (
        "import sys, myotome.documents, myotome.documents.pdf, myotome.documents.records, myotome.documents.readability; "
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

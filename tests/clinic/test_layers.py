"""The core never imports Django, and neither does the command until a clinic command runs."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["myotome.cli", "myotome.kb", "myotome.kb.search", "myotome.batch", "myotome.report", "myotome.clinic.config"]
)
def test_importing_loads_no_django(module: str) -> None:
    code = f"import {module}, sys; loaded = [m for m in sys.modules if m.split('.')[0] == 'django']; print(loaded); assert not loaded"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

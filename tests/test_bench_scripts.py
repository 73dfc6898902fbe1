"""Every benchmark in bench/ starts: its imports resolve and it answers --help.

The benchmarks print numbers and are run by hand, so a renamed sibling module would otherwise
go unnoticed until someone needs the figures (bench/demo.py once imported a script that had
been renamed). Their measurements are tested elsewhere (tests/clinic/test_serve_load.py...).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.mark.parametrize("script", sorted(p.name for p in BENCH.glob("*.py")))
def test_the_benchmark_answers_help(script: str) -> None:
    ran = subprocess.run([sys.executable, str(BENCH / script), "--help"], capture_output=True, text=True, timeout=120, check=False)
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert "usage" in ran.stdout.lower()

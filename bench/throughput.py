"""Assessments per second in one process, and the CLI's wall time.

    python bench/throughput.py [--documents 10000] [--seed 1]

Generates realistic documents from the knowledge base (fixed seed), then times
validation + localisation + planning + result building for all of them, and
`myotome assess FILE` end to end in a fresh process. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from myotome.exam import SPINAL_ORDER
from myotome.kb import KnowledgeBase, load_kb
from myotome.report import assess

SIDES = ("left", "right", "bilateral")


def generate(kb: KnowledgeBase, count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    muscles = [m.name for m in kb.muscles.values()] + [g.name for g in kb.groups.values()]
    regions = [r.name for r in kb.regions.values()]
    movements = [m for m in kb.movements.values() if m.normal]
    reflexes = [r.name for r in kb.reflexes.values()]
    conditions = [c.name for c in kb.conditions.values()]
    precautions = [p.name for p in kb.precautions.values()]

    def finding() -> dict[str, Any]:
        side = rng.choice(SIDES)
        kind = rng.choice(("tender_band", "tender_band", "tender_band", "skin", "paraspinal", "rom", "weakness", "reflex", "sensory"))
        if kind == "tender_band":
            return {"type": kind, "side": side, "muscle": rng.choice(muscles), "severity": rng.randint(1, 3)}
        if kind == "skin":
            return {"type": kind, "side": side, "sign": rng.choice(("trophedema", "pilomotor", "vasomotor")), "region": rng.choice(regions)}
        if kind == "paraspinal":
            return {"type": kind, "side": side, "level": rng.choice(SPINAL_ORDER[:25])}
        if kind == "rom":
            m = rng.choice(movements)
            assert m.normal is not None
            return {
                "type": kind,
                "side": side,
                "movement": m.name,
                "value": round(m.normal.value * rng.uniform(0.3, 1.0)),
                "unit": m.normal.unit,
            }
        if kind == "weakness":
            return {"type": kind, "side": side, "movement": rng.choice(movements).name}
        if kind == "reflex":
            return {"type": kind, "side": side, "reflex": rng.choice(reflexes), "grade": rng.choice(("reduced", "absent", "normal"))}
        return {"type": kind, "side": side, "region": rng.choice(regions), "change": rng.choice(("reduced", "altered"))}

    return [
        {
            "id": f"gen-{i}",
            "patient": {
                "age": rng.randint(18, 85),
                "temperament": rng.choice(("calm", "anxious", "type_a")),
                "precautions": rng.sample(precautions, rng.randint(0, 1)),
            },
            "complaint": {
                "regions": [rng.choice(regions)],
                "side": rng.choice(("left", "right", "bilateral", "midline")),
                "condition": rng.choice(conditions),
            },
            "findings": [finding() for _ in range(rng.randint(3, 12))],
        }
        for i in range(count)
    ]


def cli_seconds(document: dict[str, Any], runs: int = 5) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exam.json"
        path.write_text(json.dumps(document))
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "myotome", "assess", str(path)], check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    console = Console()

    start = time.perf_counter()
    kb = load_kb()
    load_s = time.perf_counter() - start
    documents = generate(kb, args.documents, args.seed)
    with console.status(f"Assessing {len(documents):,} documents..."):
        start = time.perf_counter()
        steps = sum(len(assess(doc, kb)["plan"]["steps"]) for doc in documents)
        elapsed = time.perf_counter() - start
    cli = cli_seconds(documents[0])

    table = Table(title="Myotome engine throughput (one process, one core)", title_justify="left")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    table.add_row("documents", f"{len(documents):,}")
    table.add_row("assessments per second", f"{len(documents) / elapsed:,.0f}")
    table.add_row("mean ms per assessment", f"{1000 * elapsed / len(documents):.3f}")
    table.add_row("plan steps produced", f"{steps:,}")
    table.add_row("KB load (first, cold) s", f"{load_s:.3f}")
    table.add_row("`myotome assess FILE` wall s (median of 5)", f"{cli:.3f}")
    console.print(table)


if __name__ == "__main__":
    main()

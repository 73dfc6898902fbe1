"""Assessments per second in one process, and the CLI's wall time.

    python bench/throughput.py [--documents 10000] [--seed 1] [--rounds 3]

Times validation + localisation + planning + result building, in one process, over
two sets: documents generated from the knowledge base (fixed seed; 3-12 findings
scattered over the whole body, a stress case) and the clinical vignettes of
bench/vignettes.json repeated to the same count. Each set runs `--rounds` times after a
warm-up; the table gives the median and best rate, because a shared virtual machine's
speed varies from run to run. Then `myotome assess FILE` end to end in fresh processes.
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from myotome.engine import assess
from myotome.exam import SPINAL_ORDER
from myotome.kb import KnowledgeBase, load_kb

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


def vignette_documents(count: int) -> list[dict[str, Any]]:
    data = json.loads((Path(__file__).parent / "vignettes.json").read_text())
    vignettes = data["vignettes"] if isinstance(data, dict) else data
    documents = [v["document"] for v in vignettes]
    return (documents * (count // len(documents) + 1))[:count]


def rates(kb: KnowledgeBase, documents: list[dict[str, Any]], rounds: int) -> list[float]:
    for doc in documents[:500]:  # warm the name and spread caches, as a long-running process would
        assess(doc, kb)
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        for doc in documents:
            assess(doc, kb)
        out.append(len(documents) / (time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    console = Console()

    start = time.perf_counter()
    kb = load_kb()
    load_s = time.perf_counter() - start
    sets = {
        "generated (scattered findings)": generate(kb, args.documents, args.seed),
        "clinical vignettes, repeated": vignette_documents(args.documents),
    }
    results = {}
    for name, documents in sets.items():
        with console.status(f"Assessing {len(documents):,} documents ({name}), {args.rounds} rounds..."):
            results[name] = rates(kb, documents, args.rounds)
    cli = cli_seconds(sets["clinical vignettes, repeated"][0])

    table = Table(title="Myotome engine throughput (one process, one core)", title_justify="left")
    table.add_column("Measure")
    table.add_column("Value", justify="right")
    for name, per_round in results.items():
        table.add_row(f"assessments/s, {name}: median", f"{statistics.median(per_round):,.0f}")
        table.add_row(f"assessments/s, {name}: best", f"{max(per_round):,.0f}")
        table.add_row(f"ms per assessment, {name}: median", f"{1000 / statistics.median(per_round):.3f}")
    table.add_row("documents per set", f"{args.documents:,}")
    table.add_row("KB load s (cache hit after the first run)", f"{load_s:.3f}")
    table.add_row("`myotome assess FILE` wall s (median of 5)", f"{cli:.3f}")
    console.print(table)


if __name__ == "__main__":
    main()

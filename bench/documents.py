"""Size and render time of each document's PDF, and the handout's reading grade, from the
repository's example exams.

    python bench/documents.py [--repeat 5]

For each example exam (examples/exam.json, c5-c6-shoulder.json, lumbar-l4.json) the engine
builds the plan; a session record needles every plan step once (a grasp that released,
resistance 8 -> 3), padded to 12 insertions as in issue 10's browser test; the discharge
report holds six such sessions. Per document it prints the PDF's pages and bytes, the fastest
and median wall-clock milliseconds of ``to_pdf`` over --repeat runs, the fastest CPU
milliseconds (this process's own time: the figure least disturbed by other work on a shared
machine), and the handout's Flesch-Kincaid grade.
Prints numbers; asserts nothing (tests/documents check the content).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from myotome import engine
from myotome.documents import HandoutFacts, handout
from myotome.documents.model import Document, Point
from myotome.documents.pdf import to_pdf
from myotome.documents.readability import flesch_kincaid_grade
from myotome.documents.records import EpisodeRecord, InsertionLine, MeasureLine, SessionRecord, discharge_report, session_summary
from myotome.kb import load_kb

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NAMES = ("exam.json", "c5-c6-shoulder.json", "lumbar-l4.json")
INSERTIONS = 12


def documents(name: str) -> list[Document]:
    kb = load_kb()
    result = engine.assess(json.loads((EXAMPLES / name).read_text(encoding="utf-8"))).to_json()
    steps = (result.get("plan") or {}).get("steps") or []
    needled = [steps[n % len(steps)] for n in range(INSERTIONS)] if steps else []
    segments = tuple(s["segment"] for s in (result.get("plan") or {}).get("involved") or [])
    muscles = tuple(dict.fromkeys(s["muscle"]["name"] for s in needled))
    regions = tuple(kb.regions[r].name if r in kb.regions else r for r in result.get("complaint", {}).get("regions", [])) or ("elbow",)
    record = SessionRecord(
        when="3 Nov 2026, 10:00",
        practitioner="A. Clinician",
        status="Signed 3 Nov 2026, 10:40 by A. Clinician.",
        complaint=f"Complaint from {name}.",
        findings=tuple(f"Finding {n}" for n in range(1, 10)),
        segments=tuple(f"{s['segment']} {s['side']} (score {s['score']:.2f})" for s in result.get("segments", [])[:6]),
        plan=tuple(f"{s['order']}. {s['muscle']['name']}, {s['side']}" for s in steps),
        insertions=tuple(
            InsertionLine(f"{s['muscle']['name']}, {s['side']}", "Grasp / cramp", "Yes", "8 → 3", f"{s.get('needle_mm') or 30} mm", "")
            for s in needled
        ),
        measures=(MeasureLine("Pain (NPRS 0-10)", "6", "3", "-3"), MeasureLine("Shoulder abduction (right), degrees", "120", "150", "+30")),
        adverse=("Bruising, mild: pressure applied",),
        points=tuple(Point(n, s["muscle"]["id"], s["side"], s.get("level") or "") for n, s in enumerate(steps[:INSERTIONS], 1)),
        billing="CPT 20561.",
    )
    episode = EpisodeRecord(
        "Example", "1 Nov 2026", "Discharged", record.complaint, record.findings, record.segments, record.plan, (record,) * 6
    )
    facts = HandoutFacts(regions, segments, muscles, thoracic=any(s.get("over_thorax") for s in needled))
    return [handout(facts), session_summary(record), discharge_report(episode)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"{'example':<22} {'document':<18} {'pages':>5} {'bytes':>9} {'fastest ms':>11} {'median ms':>10} {'CPU ms':>7} {'FK grade':>9}")
    for name in NAMES:
        for doc in documents(name):
            to_pdf(doc)  # warm-up: the chart drawing and fonts cached
            times, cpu, data = [], [], b""
            for _ in range(args.repeat):
                start, start_cpu = time.perf_counter(), time.process_time()
                data = to_pdf(doc)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
            pages = data.count(b"/Type /Page\n") or data.count(b"/Type /Page")
            grade = f"{flesch_kincaid_grade(doc.text()):.1f}" if doc.kind == "handout" else ""
            print(
                f"{name:<22} {doc.kind:<18} {pages:>5} {len(data):>9,} {min(times):>11.0f} {statistics.median(times):>10.0f} {min(cpu):>7.0f} {grade:>9}"
            )


if __name__ == "__main__":
    main()

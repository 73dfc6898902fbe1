"""Render time and size of the progress charts, and what they add to a discharge report PDF.

    python bench/charts.py [--repeat 200]

Charts: an NDI course of 12 scores over 12 weeks (baseline, MCID threshold), shoulder abduction
measured at 12 sessions before and after needling against its normal, and 12 sessions of
insertions with grasps. Prints per chart the SVG's bytes and the fastest and median
microseconds of rendering (``myotome.charts``) over --repeat runs; then the bytes and
milliseconds of a one-session discharge report PDF without and with the three charts.
Prints numbers; asserts nothing (tests/test_charts.py and tests/documents check the content).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

from myotome.charts import render_bar_chart, render_line_chart
from myotome.documents.model import Graph
from myotome.documents.pdf import to_pdf
from myotome.documents.records import EpisodeRecord, SessionRecord, discharge_report
from myotome.outcomes import load_measures
from myotome.outcomes.progress import RangeReadings, SessionInsertions, insertions_chart, measure_chart, range_chart

START = date(2026, 9, 1)
DAYS = [START + timedelta(weeks=n) for n in range(12)]


def charts() -> dict[str, Callable[[], str]]:
    ndi = measure_chart(load_measures()["ndi"], [(d, 30 - 1.5 * n) for n, d in enumerate(DAYS)])
    rom = range_chart(
        RangeReadings(
            "Shoulder abduction",
            "right",
            "deg",
            tuple((d, 110.0 + 4 * n) for n, d in enumerate(DAYS)),
            tuple((d, 125.0 + 4 * n) for n, d in enumerate(DAYS)),
            180,
            "AAOS",
        )
    )
    ins = insertions_chart([SessionInsertions(d, 12, max(0, 8 - n)) for n, d in enumerate(DAYS)])
    return {
        "NDI over 12 weeks": lambda: render_line_chart(ndi),
        "ROM, 12 sessions": lambda: render_line_chart(rom),
        "insertions, 12 sessions": lambda: render_bar_chart(ins),
    }


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    repeat = parser.parse_args().repeat
    svgs = []
    for name, draw in charts().items():
        svg = draw()
        svgs.append(Graph(svg, name))
        runs = timed(draw, repeat)
        print(f"{name:26} {len(svg):6,} bytes  fastest {min(runs) * 1e6:7.0f} µs  median {statistics.median(runs) * 1e6:7.0f} µs")
    session = SessionRecord("1 Sep 2026, 10:00", "Ann Lee", "Signed.", "Right shoulder.", (), (), (), (), (), (), ())
    bare = EpisodeRecord("Rotator cuff", "1 Sep 2026", "Open", "Right shoulder", (), (), (), (session,))
    charted = EpisodeRecord("Rotator cuff", "1 Sep 2026", "Open", "Right shoulder", (), (), (), (session,), progress=tuple(svgs))
    for label, record in (("discharge PDF, no charts", bare), ("discharge PDF, 3 charts", charted)):
        runs = timed(lambda r=record: to_pdf(discharge_report(r)), max(3, repeat // 40))
        print(
            f"{label:26} {len(to_pdf(discharge_report(record))):6,} bytes  fastest {min(runs) * 1e3:7.1f} ms  median {statistics.median(runs) * 1e3:7.1f} ms"
        )


if __name__ == "__main__":
    main()

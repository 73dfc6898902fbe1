"""Write preview SVGs of the body chart, with a few marks, to a folder.

    python bench/bodychart_preview.py /tmp/chart
    chromium --headless --no-sandbox --disable-gpu --screenshot=/tmp/chart/front.png \
        --window-size=500,1000 file:///tmp/chart/front.html

Writes front.svg / back.svg (muscles, with tender bands and a plan), front-dermatomes.svg /
back-dermatomes.svg (skin zones with skin and sensory signs), an HTML page per view that
frames the SVG at 500 x 1000 pixels for screenshots, and prints the render time.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from myotome.bodychart import render_chart

MARKS = {
    "muscles": [
        {"muscle_id": "extensor_carpi_radialis_brevis", "side": "right", "severity": 3},
        {"muscle_id": "supinator", "side": "right", "severity": 2},
        {"muscle_id": "infraspinatus", "side": "right", "severity": 2},
        {"muscle_id": "upper_trapezius", "side": "bilateral", "severity": 1},
        {"muscle_id": "biceps_brachii", "side": "right", "severity": 1},
        {"muscle_id": "gluteus_medius", "side": "left", "severity": 2},
        {"muscle_id": "vastus_medialis", "side": "left", "severity": 3},
        {"muscle_id": "scalenus_anterior", "side": "right", "severity": 2},
    ],
    "regions": [
        {"region_id": "lateral_forearm", "side": "right", "skin": ["trophedema"]},
        {"region_id": "thumb", "side": "right", "sensory": "reduced"},
        {"region_id": "lateral_elbow", "side": "right", "skin": ["trophedema"], "sensory": "increased"},
        {"region_id": "medial_leg", "side": "left", "sensory": "reduced"},
        {"region_id": "posterior_forearm", "side": "right", "skin": ["pilomotor"]},
    ],
    "levels": [{"level": "C5", "side": "right", "sign": "tender"}, {"level": "C6", "side": "right", "sign": "thickened"}],
    "plan": [
        {"order": 1, "muscle_id": "multifidus_cervical", "side": "right", "level": "C5"},
        {"order": 2, "muscle_id": "multifidus_cervical", "side": "right", "level": "C6"},
        {"order": 3, "muscle_id": "infraspinatus", "side": "right"},
        {"order": 4, "muscle_id": "supinator", "side": "right"},
        {"order": 5, "muscle_id": "extensor_carpi_radialis_brevis", "side": "right"},
        {"order": 6, "muscle_id": "biceps_brachii", "side": "right"},
    ],
}

PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>html,body{{margin:0;background:#fff}} svg{{width:500px;height:1000px;display:block}}</style></head>
<body>{svg}</body></html>
"""


def main(folder: str) -> int:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = {
        "front": render_chart("front", MARKS),
        "back": render_chart("back", MARKS),
        "front-dermatomes": render_chart("front", MARKS, layer="dermatomes"),
        "back-dermatomes": render_chart("back", MARKS, layer="dermatomes"),
        "front-both": render_chart("front", MARKS, layer="both"),
        "back-both": render_chart("back", MARKS, layer="both"),
    }
    elapsed = (time.perf_counter() - started) / len(files)
    for name, svg in files.items():
        (out / f"{name}.svg").write_text(svg, encoding="utf-8")
        (out / f"{name}.html").write_text(PAGE.format(title=name, svg=svg), encoding="utf-8")
    n = 200
    started = time.perf_counter()
    for _ in range(n):
        render_chart("back", MARKS)
    warm = (time.perf_counter() - started) / n
    print(f"wrote {len(files)} charts to {out} (first render {elapsed * 1000:.1f} ms each incl. loading; warm render {warm * 1000:.2f} ms)")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", help="where to write the SVG and HTML files (made if missing)")
    raise SystemExit(main(parser.parse_args().folder))

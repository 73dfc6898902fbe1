"""The interactive body chart: front and back views, muscles and skin zones keyed by KB ids.

    from myotome.bodychart import render_chart, chart_ids
    svg = render_chart("back", {"muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": 2}]})

Pure Python: nothing here imports Django; the web app inlines the returned SVG, drawn with
``inline_styles=False`` and styled by the rules of ``stylesheet()`` in a linked file.
"""

from myotome.bodychart.chart import Chart, Shape, View, load_chart
from myotome.bodychart.marks import Marks, build_marks, marks_from_assessment, normalize
from myotome.bodychart.render import chart_ids, render_chart, stylesheet

__all__ = [
    "Chart",
    "Marks",
    "Shape",
    "View",
    "build_marks",
    "chart_ids",
    "load_chart",
    "marks_from_assessment",
    "normalize",
    "render_chart",
    "stylesheet",
]

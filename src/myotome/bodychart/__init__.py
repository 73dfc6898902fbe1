"""The interactive body chart: front and back views, muscles and skin zones keyed by KB ids.

    from myotome.bodychart import render_chart, chart_ids
    svg = render_chart("back", {"muscles": [{"muscle_id": "infraspinatus", "side": "right", "severity": 2}]})

Pure Python: nothing here imports Django; the web app inlines the returned SVG.
"""

from myotome.bodychart.chart import Chart, Shape, View, load_chart
from myotome.bodychart.marks import Marks, marks_from_assessment, normalize
from myotome.bodychart.render import chart_ids, render_chart

__all__ = ["Chart", "Marks", "Shape", "View", "chart_ids", "load_chart", "marks_from_assessment", "normalize", "render_chart"]

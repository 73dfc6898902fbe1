"""The code that draws ``bodychart/data/chart.yaml``; not imported when rendering."""

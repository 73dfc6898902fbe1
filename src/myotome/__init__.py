"""Myotome: a clinical workbench for Intramuscular Stimulation (IMS).

The core (this package, except :mod:`myotome.clinic`) is plain Python and never
imports Django; the web app in :mod:`myotome.clinic` builds on it.
"""

__version__ = "0.1.0"

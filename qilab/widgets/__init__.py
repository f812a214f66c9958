"""ipywidgets front ends over qilab's plain functions.

Each widget wraps a plain data model; its ``.value`` is a plain Python value that an exercise
can keep, save or grade. Names are loaded on first use.
"""
from __future__ import annotations

from qilab._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "PDSAWidget": "qilab.widgets.pdsa",
    "RampView": "qilab.widgets.pdsa",
    "AimBuilder": "qilab.widgets.aim",
    "MeasureBuilder": "qilab.widgets.measures",
    "RunChartBuilder": "qilab.widgets.run_chart_builder",
    "ChartChooser": "qilab.widgets.chart_chooser",
    "DriverDiagramBuilder": "qilab.widgets.diagrams",
    "FishboneBuilder": "qilab.widgets.diagrams",
    "ParetoBuilder": "qilab.widgets.diagrams",
    "ProcessMapBuilder": "qilab.widgets.diagrams",
    "StakeholderGridBuilder": "qilab.widgets.diagrams",
    "FiveWhysBuilder": "qilab.widgets.diagrams",
    "CoachingLogForm": "qilab.widgets.coaching_log",
}

__all__ = list(_EXPORTS)


__getattr__, __dir__ = lazy_exports('qilab.widgets', _EXPORTS, globals())

"""ipywidgets front ends over qilab's plain functions.

Each widget wraps a plain data model; its ``.value`` is a plain Python value that an exercise
can keep, save or grade. Names are loaded on first use.
"""
from __future__ import annotations

import importlib
from typing import Any

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
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qilab.widgets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

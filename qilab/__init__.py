"""qilab: the quality improvement toolkit behind the curriculum.

Run charts and SPC (:func:`spc`), NHS "Making Data Count" summaries (:func:`mdc`), reading
BI extracts (:func:`read_measures`), PDSA cycles and logs, the QI tools, workshop simulators
and the certification pipeline.

Names are loaded on first use, so ``import qilab`` is quick in a workshop kernel.
"""
from __future__ import annotations

from ._lazy import lazy_exports
from ._version import __version__
from .errors import QIDataError, QIWarning

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    "show": "qilab.display",
    "table": "qilab.display",
    # charts (issue 3)
    "spc": "qilab.charts.spc",
    "SPCResult": "qilab.charts.spc",
    "mdc": "qilab.charts.mdc",
    "MDCResult": "qilab.charts.mdc",
    "funnel": "qilab.charts.funnel",
    "FunnelResult": "qilab.charts.funnel",
    "read_measures": "qilab.data.measures",
    # the Making Data Count board report (issue 14)
    "board_report": "qilab.reports.board",
    "BoardIndicator": "qilab.reports.board",
    # PDSA and tools (issue 4)
    "PDSACycle": "qilab.pdsa",
    "PDSALog": "qilab.pdsa",
    "AimStatement": "qilab.tools.aim",
    "check_aim": "qilab.tools.aim",
    "AimCheck": "qilab.tools.aim",
    "MeasureDefinition": "qilab.tools.measures",
    "MeasurementPlan": "qilab.tools.measures",
    "DriverDiagram": "qilab.tools.driver_diagram",
    "Fishbone": "qilab.tools.fishbone",
    "pareto": "qilab.tools.pareto",
    "ProcessMap": "qilab.tools.process_map",
    "StakeholderGrid": "qilab.tools.stakeholders",
    "CommunicationPlan": "qilab.tools.communication_plan",
    "FiveWhys": "qilab.tools.five_whys",
    "choose_chart": "qilab.tools.chart_chooser",
    "progress_tracker": "qilab.tools.progress_tracker",
    # the live project (issue 13)
    "ProjectCharter": "qilab.tools.charter",
    "read_project": "qilab.reports.project",
    "evidence_pack": "qilab.reports.storyboard",
    "write_storyboard": "qilab.reports.storyboard",
    "SustainabilityAssessment": "qilab.tools.sustainability",
}

__all__ = ["__version__", "QIDataError", "QIWarning", *_EXPORTS]


__getattr__, __dir__ = lazy_exports('qilab', _EXPORTS, globals())

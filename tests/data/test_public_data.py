"""The public NHS statistics under data/ read cleanly and chart as a BI analyst would use them."""
from __future__ import annotations

from pathlib import Path

import qilab

DATA = Path(__file__).resolve().parents[2] / "data"


def test_ae_attendances_read_as_tidy_measures():
    measures = qilab.read_measures(DATA / "ae_attendances_england.csv")
    assert list(measures.columns[:4]) == ["indicator", "organisation", "period", "value"]
    assert len(measures) == 108
    assert measures.groupby(["indicator", "organisation"]).size().tolist() == [36, 36, 36]
    assert measures["value"].gt(0).all()


def test_ae_attendances_summary_has_one_row_per_series():
    measures = qilab.read_measures(DATA / "ae_attendances_england.csv")
    measures["series"] = measures["organisation"] + ": " + measures["indicator"]
    chart = qilab.mdc(measures, value="value", date="period", facet="series",
                      improvement_direction="decrease")
    assert len(chart.summary) == 3
    assert set(chart.summary["variation"]) <= {
        "common_cause", "special_cause_improvement", "special_cause_concern"}

"""Chart chooser: the documented decision table, one row at a time."""
from __future__ import annotations

import pytest

from qilab import QIDataError
from qilab.tools.chart_chooser import BOOK_PAGE, CHART_NAMES, DATA_TYPES, ChartChoice, choose_chart

SPC_CODES = {"run", "i", "p", "u", "c", "xbar", "s", "t", "g"}


@pytest.mark.parametrize("data_type, kwargs, chart", [
    ("measurement", {}, "i"),
    ("measurement", {"subgroup_size": 1}, "i"),
    ("measurement", {"subgroup_size": 5}, "xbar"),
    ("classification", {}, "p"),
    ("classification", {"rare_events": False}, "p"),
    ("classification", {"rare_events": True}, "g"),
    ("count", {"equal_opportunity": True}, "c"),
    ("count", {"equal_opportunity": False}, "u"),
    ("count", {}, "u"),
    ("count", {"rare_events": True, "equal_opportunity": True}, "t"),
    ("time_between", {}, "t"),
    ("cases_between", {}, "g"),
    ("count", {"n_points": 11}, "run"),
    ("measurement", {"learning": True, "n_points": 40}, "run"),
])
def test_decision_table(data_type, kwargs, chart):
    choice = choose_chart(data_type, **kwargs)
    assert choice.chart == chart
    assert choice.chart in SPC_CODES
    assert choice.book_page == BOOK_PAGE == "modules/m6-spc/choosing-a-chart"
    assert choice.name == CHART_NAMES[chart]
    assert len(choice.reason) > 40


def test_run_chart_says_what_to_move_to():
    c = choose_chart("count", equal_opportunity=True, n_points=8)
    assert c.chart == "run" and c.then == "c"
    assert "8 points" in c.reason and "C chart" in c.reason


def test_trial_limits_note_between_12_and_19_points():
    assert choose_chart("classification", n_points=12).chart == "p"
    assert any("trial limits" in n for n in choose_chart("classification", n_points=15).notes)
    assert not any("trial" in n for n in choose_chart("classification", n_points=20).notes)


def test_xbar_has_s_companion():
    c = choose_chart("measurement", subgroup_size=4)
    assert c.companion == "s" and "4 values" in c.reason


def test_not_sure_about_rare_events_gets_a_note():
    assert any("T chart" in n for n in choose_chart("count").notes)
    assert any("G chart" in n for n in choose_chart("classification").notes)
    assert choose_chart("count", rare_events=False).notes == ()


@pytest.mark.parametrize("alias, kind", [("Counts of events", "count"), ("yes/no", "classification"),
                                         ("continuous", "measurement"), ("time-between", "time_between"),
                                         ("Cases between", "cases_between")])
def test_aliases(alias, kind):
    assert choose_chart(alias).inputs["data_type"] == kind


@pytest.mark.parametrize("kwargs, field", [
    (dict(data_type="colour"), "data_type"),
    (dict(data_type=3), "data_type"),
    (dict(data_type="measurement", subgroup_size=0), "subgroup_size"),
    (dict(data_type="measurement", subgroup_size=2.5), "subgroup_size"),
    (dict(data_type="count", equal_opportunity="yes"), "equal_opportunity"),
    (dict(data_type="count", rare_events=1), "rare_events"),
    (dict(data_type="count", n_points=-1), "n_points"),
    (dict(data_type="count", learning="no"), "learning"),
])
def test_bad_answers_name_the_field(kwargs, field):
    with pytest.raises(QIDataError) as info:
        choose_chart(**kwargs)
    assert info.value.field == field


def test_every_data_type_has_a_description_and_a_choice():
    for kind, text in DATA_TYPES.items():
        assert text and choose_chart(kind).chart in SPC_CODES


def test_round_trip_and_words():
    c = choose_chart("count", equal_opportunity=False, n_points=30)
    d = c.to_dict()
    assert d["chart"] == "u" and d["inputs"]["n_points"] == 30
    assert ChartChoice.from_dict(d) == c
    assert c.explain().startswith("Use a U chart")
    with pytest.raises(QIDataError, match="inputs"):
        ChartChoice.from_dict({"chart": "u"})

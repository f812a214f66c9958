"""Chart chooser widget: guided questions give the recommendation live."""
from __future__ import annotations

import ipywidgets as widgets

from qilab.widgets.chart_chooser import ChartChooser


def test_every_question_is_labelled():
    w = ChartChooser()
    for c in (w.data_type, w.n_points, w.learning, w.subgroup_size, w.equal_opportunity,
              w.rare_events):
        assert c.description.strip()
        assert c.style.description_width == "initial"
    assert isinstance(w.data_type, widgets.RadioButtons)


def test_recommendation_updates_as_answers_change():
    w = ChartChooser()
    w.data_type.value = "count"
    w.equal_opportunity.value = "yes"
    assert w.value["chart"] == "c"
    w.rare_events.value = "yes"
    assert w.value["chart"] == "t"
    w.data_type.value = "measurement"
    w.subgroup_size.value = 5
    assert w.value["chart"] == "xbar" and w.value["companion"] == "s"
    assert "X-bar" in w.result.value
    w.n_points.value = 0
    assert w.value["chart"] == "run" and w.value["then"] == "xbar"
    w.n_points.value = 20
    w.learning.value = True
    assert w.value["chart"] == "run"


def test_only_relevant_questions_are_shown():
    w = ChartChooser()
    w.data_type.value = "measurement"
    assert w.subgroup_size.layout.display is None
    assert w.equal_opportunity.layout.display == "none"
    assert w.rare_events.layout.display == "none"
    w.data_type.value = "classification"
    assert w.rare_events.layout.display is None
    assert w.subgroup_size.layout.display == "none"


def test_value_is_gradeable_and_links_to_book():
    w = ChartChooser()
    w.data_type.value = "classification"
    v = w.value
    assert v["chart"] == "p" and v["book_page"] == "modules/m6-spc/choosing-a-chart"
    assert v["inputs"]["data_type"] == "classification"
    assert 'href="modules/m6-spc/choosing-a-chart.html"' in w.result.value
    assert "Why:" in w.result.value and 'role="status"' in w.result.value
    root = ChartChooser(book_root="../../")
    assert 'href="../../modules/m6-spc/choosing-a-chart.html"' in root.result.value

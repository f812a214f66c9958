"""Static previews: what each qilab widget shows where there is no kernel (the book), and the
diagrams' and tables' displays for readers."""
from __future__ import annotations

import re

import pandas as pd
import pytest

import qilab
from qilab.widgets import (
    AimBuilder,
    CharterForm,
    CommunicationPlanBuilder,
    DriverDiagramBuilder,
    FishboneBuilder,
    FiveWhysBuilder,
    MeasureBuilder,
    ParetoBuilder,
    PDSAWidget,
    ProcessMapBuilder,
    RampView,
    RunChartBuilder,
    StakeholderGridBuilder,
)
from qilab.widgets.static import BOX_MARKER, PREVIEW_CLASS

CONTROLS = re.compile(r"<(input|button|select|textarea)\b", re.I)


def widgets_to_check(tmp_path):
    log = tmp_path / "log.json"
    return [AimBuilder(), MeasureBuilder(), RunChartBuilder(folder=str(tmp_path)),
            PDSAWidget(log), RampView(log), DriverDiagramBuilder(), FishboneBuilder(),
            ParetoBuilder(), ProcessMapBuilder(), StakeholderGridBuilder(), FiveWhysBuilder(),
            CharterForm(folder=tmp_path), CommunicationPlanBuilder()]


def test_every_widget_offers_a_preview_without_controls(tmp_path):
    for widget in widgets_to_check(tmp_path):
        bundle = widget._repr_mimebundle_()
        name = type(widget).__name__
        # live front ends still get the widget; the book gets the preview
        assert "application/vnd.jupyter.widget-view+json" in bundle, name
        preview = bundle["text/html"]
        assert preview.startswith(f'<div class="{PREVIEW_CLASS}" data-qi-widget="{name}">')
        assert preview.endswith(BOX_MARKER), name
        assert not CONTROLS.search(preview), f"{name}: a control in the static preview"
        assert "Preview." in preview


def test_preview_shows_the_pages_own_example():
    aim = AimBuilder(what="Reduce falls", for_whom="on Ward 7", baseline="8", goal="4",
                     unit="falls a month", by_when="March 2027")
    preview = aim.static_preview()
    assert "Reduce falls" in preview and "March 2027" in preview
    assert "(empty)" not in preview.split("Or write the whole aim")[0]
    example = qilab.Fishbone("Repeat prescriptions not ready within 3 working days", {
        "Equipment": ["Online requests land in a shared inbox"]})
    drawn = FishboneBuilder(value=example.to_dict()).static_preview()
    # the diagram the example draws, with its description as alt text
    assert re.search(r'<img src="data:image/png;base64,[^"]+" alt="[^"]*Repeat prescriptions',
                     drawn)
    assert "(empty)" in ProcessMapBuilder().static_preview()


@pytest.mark.parametrize("make", [
    lambda: qilab.pareto({"Missed dose": 10, "Wrong time": 5, "Other": 1}),
    lambda: qilab.Fishbone("Falls at night", {"People": ["Night staffing"]}),
])
def test_diagrams_display_as_figures_with_alt_text(make):
    diagram = make()
    shown = diagram._repr_html_()
    assert shown.startswith('<figure class="qilab-figure"><img src="data:image/png;base64,')
    alt = re.search(r'alt="([^"]+)"', shown).group(1)
    assert alt.split()[:3] == diagram.alt_text().split()[:3] and len(alt) > 20
    assert "Result(" not in shown


def test_table_for_readers():
    draws = pd.DataFrame({"worker": ["Ann", "Ann", "Ben", "Ben"], "day": [1, 2, 1, 2],
                          "red": [9, 11, 10, 8]})
    pivot = draws.pivot(index="worker", columns="day", values="red")
    shown = qilab.table(pivot)
    assert list(shown.data.columns) == ["Worker", "Day 1", "Day 2"]
    board = qilab.table(pd.DataFrame({"total_red": [20], "management_says": ["Bonus"]}))
    html = board._repr_html_()
    assert "<th scope=\"col\">Total red</th>" in html and "Management says" in html
    assert "management_says" not in html and "<th></th>" not in html
    with pytest.raises(qilab.QIDataError):
        qilab.table([1, 2, 3])

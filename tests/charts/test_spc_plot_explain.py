"""Plotting, explanation and display of SPC results."""
from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from qilab import spc  # noqa: E402

SHIFTED = [5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 7, 12, 13, 12, 14, 13, 12, 13, 14, 12, 13, 14, 12]


def quiet(**kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return spc(**kw)


def test_explain_names_rules_and_what_fired():
    r = spc(y=SHIFTED)
    text = r.explain()
    assert text.startswith("This run chart of 24 points uses the Anhøj rules.")
    longest = int(r.parts.loc[0, "longest_run"])
    assert longest == 12
    assert "12 points in a row are below the median" in text
    assert "more than 8 in a row is unlikely by chance" in text


def test_explain_when_nothing_fired():
    r = spc(y=[5, 6, 5, 7, 6, 5, 6, 7, 6, 5, 6, 7, 5, 6, 7, 6], chart="i")
    text = r.explain()
    assert "only random variation" in text and "All points are inside the control limits" in text


@pytest.mark.parametrize("rules, name", [("ihi", "IHI run chart rules"),
                                         ("western_electric", "Western Electric rules"),
                                         ("provost_murray", "Provost and Murray rules"),
                                         ("mdc", "Making Data Count rules")])
def test_explain_names_each_rule_set(rules, name):
    r = quiet(y=SHIFTED, chart="i", rules=rules)
    assert name in r.explain().split(".")[0]


def test_alt_text_is_the_start_of_explain():
    r = spc(y=SHIFTED)
    assert r.explain().startswith(r.alt_text()) and len(r.alt_text()) < len(r.explain())


def test_plot_returns_axes_with_title_labels_and_legend():
    r = quiet(y=SHIFTED, chart="i", part=10, exclude=[3], notes={5: "new rota"}, target=8,
              title="Falls per week")
    ax = r.plot()
    assert ax.get_title() == "Falls per week"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Centre line", "Control limits", "Target", "Excluded from calculations"} <= set(labels)
    assert any(t.get_text() == "new rota" for t in ax.texts)
    plt.close(ax.figure)


def test_plot_marks_signals_with_shapes():
    r = quiet(y=[5, 6, 5, 7, 6, 5, 6, 30, 6, 5, 6, 7], chart="i")
    ax = r.plot()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "Outside the control limits" in labels
    plt.close(ax.figure)


def test_plot_on_given_axes_and_mdc_palette():
    fig, ax = plt.subplots()
    r = quiet(y=SHIFTED, chart="i", rules="mdc", improvement_direction="increase")
    assert r.plot(ax=ax) is ax
    colours = {tuple(np.round(c, 3)) for coll in ax.collections for c in coll.get_edgecolors()}
    blue = tuple(np.round(matplotlib.colors.to_rgba("#005EB8"), 3))
    assert blue in colours
    plt.close(fig)


def test_repr_html_has_alt_text_and_explanation():
    r = spc(y=SHIFTED)
    html = r._repr_html_()
    assert 'alt="This run chart of 24 points' in html and "<p>This run chart" in html


def test_to_frame_is_a_copy():
    r = spc(y=SHIFTED)
    frame = r.to_frame()
    frame.loc[0, "y"] = -1
    assert r.points.loc[0, "y"] == 5

"""Presenting a chart honestly: the lie factor, the honest and misleading views, and the check
that says what a drawn chart does to its reader."""
from __future__ import annotations

import doctest

import matplotlib
import pytest

matplotlib.use("Agg")

from qilab import QIDataError, spc  # noqa: E402
from qilab.charts import presentation  # noqa: E402
from qilab.charts.presentation import (  # noqa: E402
    check_presentation,
    honest_view,
    lie_factor,
    misleading_view,
)

VALUES = [52, 50, 53, 51, 52, 49, 51, 48, 47, 48, 46, 45]


def test_docstring_examples():
    result = doctest.testmod(presentation)
    assert result.attempted > 0 and result.failed == 0


def test_lie_factor_is_tuftes_ratio_of_shown_to_real_effect():
    assert lie_factor(52, 48) == pytest.approx(1.0)
    # shown: (3 - 7) / 7 of the height; real: -4 / 52
    assert lie_factor(52, 48, axis_from=45) == pytest.approx((-4 / 7) / (-4 / 52))
    assert lie_factor(50, 50, axis_from=40) == 1.0


def test_lie_factor_refuses_an_axis_above_the_values():
    with pytest.raises(QIDataError, match="axis_from"):
        lie_factor(52, 48, axis_from=50)


def test_honest_view_passes_the_check_and_starts_at_zero():
    chart = spc(y=VALUES, chart="run", notes={7: "Change"}, title="A ward measure")
    ax = honest_view(chart)
    assert ax.get_ylim()[0] == 0 and check_presentation(chart, ax) == []


def test_misleading_view_is_caught_on_every_count():
    chart = spc(y=VALUES, chart="run", notes={7: "Change"}, title="A ward measure")
    problems = check_presentation(chart, misleading_view(chart, last=4))
    assert len(problems) == 3
    assert problems[0].startswith("It shows 4 of the 12 points")
    assert "not 0" in problems[1] and "times as big as it is" in problems[1]
    assert problems[2].startswith("It has no notes")


def test_a_cut_axis_on_all_the_points_is_still_caught():
    chart = spc(y=VALUES, chart="run", title="A ward measure")
    ax = chart.plot()
    ax.set_ylim(44, 54)
    (problem,) = check_presentation(chart, ax)
    # the halves' medians: 51.5 and 47.5, on an axis from 44
    assert problem == ("The y axis starts at 44, not 0: the change from 51.5 to 47.5 looks "
                       f"{lie_factor(51.5, 47.5, 44):.1f} times as big as it is.")


def test_misleading_view_needs_a_sensible_number_of_points():
    chart = spc(y=VALUES, chart="run")
    for last in (1, 13):
        with pytest.raises(QIDataError, match="last must be from 2"):
            misleading_view(chart, last=last)

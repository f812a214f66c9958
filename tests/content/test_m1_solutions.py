"""The M1 practice solutions and the worked example give the answers the page text states.

The code under test is the page's own code: the code cells of practice.md are run in order, in
the page's folder, and the values they leave behind are checked against what the solution text
says. If the page or the data change so that a written answer is no longer true, this fails.
"""
from __future__ import annotations

import pytest

from ._pages import M1, ROOT, code_cells, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")




@pytest.fixture(scope="module")
def practice() -> dict:
    pytest.importorskip("qilab.tools.aim")
    pytest.importorskip("qilab.charts.spc")
    return run_page(M1, "practice.md")


def test_practice_has_tagged_code_solutions():
    tagged = [src for tags, src in code_cells(M1 / "practice.md") if "solution" in tags]
    assert len(tagged) == 3
    # every solution cell is collapsed in the book
    assert all("hide-cell" in tags for tags, _ in code_cells(M1 / "practice.md") if "solution" in tags)


def test_exercise_2_only_aim_b_passes(practice):
    checks = practice["checks"]
    assert [label for label, c in checks.items() if c.passes] == ["B"]


def test_exercise_2_reasons_match_the_solution_text(practice):
    a, c, d = (practice["checks"][k] for k in "ACD")
    # A: no number and no date
    assert not a.how_much and not a.by_when
    # C: a number and a date, but the onus is on nurses trying harder
    assert c.how_much and c.by_when and not c.system_focused
    # D: about the system, with no number and no date
    assert d.system_focused and not d.how_much and not d.by_when


def test_exercise_3_rewritten_aim_passes(practice):
    check = practice["better_check"]
    assert check.passes
    assert check.system_focused and check.how_much and check.by_when


def test_exercise_3_original_weak_aim_fails():
    import qilab

    assert not qilab.check_aim("We will get better at pressure ulcer prevention soon.").passes


def test_exercise_4_falls_chart_shows_no_signal(practice):
    chart = practice["falls_chart"]
    assert chart.chart == "run"
    assert len(chart.points) == 26
    assert not chart.parts["runs_signal"].any()
    assert not chart.points["sigma_signal"].any()
    assert "falls" in chart.explain().lower() or chart.explain()


def test_exercise_4_no_signal_under_ihi_rules_either(practice):
    # data/README.md says the falls series has no signal under the IHI rules as well
    import qilab

    chart = qilab.spc(practice["ward"], y="falls_per_1000_obd", x="week_start", chart="run",
                      rules="ihi")
    assert not chart.parts["runs_signal"].any()
    for rule in ("shift", "trend", "runs_too_few", "runs_too_many"):
        assert not chart.points[rule].any(), rule


def test_worked_example_process_measure_shows_a_long_run(practice):
    # worked-example.md: "From week 16, every week sits above the median", a signal
    import qilab

    ward = practice["ward"]
    chart = qilab.spc(ward, y="pct_assessed", x="week_start", chart="run")
    points = chart.points
    assert bool(chart.parts["runs_signal"].iloc[0])
    assert (points["y"].iloc[15:] > points["cl"].iloc[15:]).all()
    assert not (points["y"].iloc[14] > points["cl"].iloc[14])
    # "The median of the last six weeks is about 86%"
    assert abs(points["y"].iloc[-6:].median() - 86) < 1


def test_aims_quoted_on_the_aims_page_are_classified_as_the_page_says():
    import re

    import qilab

    pytest.importorskip("qilab.tools.aim")
    table = [line for line in read(M1 / "aims.md").splitlines()
             if line.startswith("| ") and not line.startswith("| Weak") and "---" not in line]
    assert len(table) == 4
    for row in table:
        weak, _missing, strong = [cell.strip() for cell in row.strip("|").split("|")]
        assert not qilab.check_aim(weak).passes, weak
        assert qilab.check_aim(strong).passes, strong
    # the worked example's aim passes too
    aim = re.search(r"\*\*What are we trying to accomplish\?\*\* (.*)$",
                    read(M1 / "worked-example.md"), re.M).group(1)
    assert qilab.check_aim(aim).passes, aim


def test_synthetic_data_script_reproduces_the_csv(tmp_path):
    import importlib.util

    import pandas as pd

    spec = importlib.util.spec_from_file_location("make_synthetic", ROOT / "data" / "make_synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    made = module.ward7_falls_assessment()
    made.to_csv(tmp_path / "ward7.csv", index=False)
    assert (tmp_path / "ward7.csv").read_text() == (ROOT / "data" / "ward7_falls_assessment.csv").read_text()
    assert len(pd.read_csv(ROOT / "data" / "ward7_falls_assessment.csv")) == 26

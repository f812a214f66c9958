"""The progress tracker: several teams' progress scores over time, read from the same records
`qilab cohort coach-check` reads, with a plain-English reading and a chart that never relies on
colour alone."""
from __future__ import annotations

import doctest
import io

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import qilab.tools.progress_tracker as module  # noqa: E402
from qilab import QIDataError  # noqa: E402
from qilab.tools.progress_tracker import progress_tracker  # noqa: E402

RECORDS = ("team,date,progress_score,agreed_by\n"
           "Ward 7,2025-01-31,1.5,Sponsor A\n"
           "Ward 7,2025-02-28,2.5,Sponsor A\n"
           "Ward 7,2025-03-31,3.5,Sponsor A\n"
           "GP access,2025-01-31,2,Sponsor B\n"
           "GP access,2025-02-28,2,Sponsor B\n"
           "GP access,2025-03-31,2,Sponsor B\n"
           "Care home,2025-03-31,1,Sponsor C\n"
           "Care home,2025-02-28,2,Sponsor C\n")      # out of order on purpose


def test_latest_scores_changes_and_stuck_teams():
    tracker = progress_tracker(io.StringIO(RECORDS))
    latest = tracker.latest.set_index("team")
    assert latest.loc["Ward 7", "progress_score"] == 3.5 and latest.loc["Ward 7", "change"] == 2
    assert latest.loc["Care home", "progress_score"] == 1       # sorted by date, not file order
    assert latest.loc["Care home", "change"] == -1
    assert tracker.stuck == ["GP access"]                        # 3 reviews at the same score
    text = tracker.explain()
    assert "1 of 3 teams have reached a score of 3 or more" in text
    assert "Care home: 1 on 31 March 2025 (down from 2)" in text
    assert "Same score at the last 3 reviews: GP access" in text


def test_chart_has_a_line_marker_and_label_per_team():
    tracker = progress_tracker(io.StringIO(RECORDS))
    ax = tracker.plot()
    lines = [ln for ln in ax.get_lines() if ln.get_label() in tracker.teams]
    assert len(lines) == 3
    assert len({ln.get_marker() for ln in lines}) == 3           # shapes differ, not only colour
    assert {t.get_text() for t in ax.texts} >= set(tracker.teams)
    assert tracker.alt_text().startswith("Line chart of progress scores")
    assert "alt=\"Line chart of progress scores" in tracker._repr_html_()


def test_a_dataframe_works_like_the_file():
    frame = pd.read_csv(io.StringIO(RECORDS), parse_dates=["date"])
    assert progress_tracker(frame).latest.equals(progress_tracker(io.StringIO(RECORDS)).latest)


@pytest.mark.parametrize("row,column", [("Ward 7,2025-04-30,6,Sponsor A", "progress_score"),
                                        ("Ward 7,2025-04-30,2.25,Sponsor A", "progress_score"),
                                        ("Ward 7,30/04/2025,3,Sponsor A", "date"),
                                        ("Ward 7,2025-03-31,3,Sponsor A", "date")])
def test_bad_records_name_the_column(row, column):
    with pytest.raises(QIDataError) as info:
        progress_tracker(io.StringIO(RECORDS + row + "\n"))
    assert info.value.column == column


def test_docstring_example_runs():
    result = doctest.testmod(module)
    assert result.attempted >= 3 and result.failed == 0

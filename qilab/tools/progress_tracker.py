"""Progress tracker: several improvement teams' progress scores (0.5 to 5) over time.

A coach or sponsor records each team's agreed progress score at every review. The tracker
reads those records (the same file ``qilab cohort coach-check`` reads: ``team, date,
progress_score, agreed_by``), draws one line per team, and says in plain English where each
team is, which have reached a score of 3 or more, and which have had the same score at their
last three reviews (stuck teams a sponsor should ask about).

Each team has its own marker and line style as well as its own colour, and its name is
written at the end of its line, so colour is never the only way to tell teams apart.

>>> import io
>>> records = io.StringIO("team,date,progress_score,agreed_by\\n"
...     "Ward 7,2025-01-31,1.5,Sponsor\\nWard 7,2025-02-28,2.5,Sponsor\\n"
...     "Ward 7,2025-03-31,3,Sponsor\\nGP access,2025-01-31,2,Sponsor\\n"
...     "GP access,2025-02-28,2,Sponsor\\nGP access,2025-03-31,2,Sponsor\\n")
>>> tracker = progress_tracker(records)
>>> tracker.latest[["team", "progress_score"]].values.tolist()
[['GP access', 2.0], ['Ward 7', 3.0]]
>>> tracker.stuck
['GP access']

A team's score at a review is added to the records file with :func:`record_score`.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import pandas as pd

from ..cohort.coach_evidence import MIN_SCORE, TEAM_COLUMNS, read_team_records
from ..errors import QIDataError
from .coaching_log import append_checked_row, check_row, iso_date

__all__ = ["ProgressTracker", "progress_tracker", "record_score", "STUCK_REVIEWS",
           "PROGRESS_SCALE"]

#: The progress scale this book uses (adapted from IHI's assessment scale for collaboratives):
#: each score, its short name, and what a team at that score has done.
PROGRESS_SCALE: tuple[tuple[float, str, str], ...] = (
    (0.5, "intending to take part",
     "the project has been named, but no team has formed yet"),
    (1.0, "team formed",
     "the team has formed and has a draft charter; it is talking about its aim and has "
     "started to gather baseline data"),
    (1.5, "planning begun",
     "the team meets regularly, has agreed its aim and chosen measures that fit it"),
    (2.0, "activity, but no changes tested",
     "the team is studying its process and baseline data; changes are planned, not tested"),
    (2.5, "changes tested, no improvement yet",
     "the team is testing changes and charting its key measures, with no improvement yet"),
    (3.0, "modest improvement",
     "tested changes are in use on a small scale and a process measure shows improvement"),
    (3.5, "improvement",
     "testing and implementing go on; process measures keep improving and the outcome "
     "measure starts to improve"),
    (4.0, "significant improvement",
     "the changes are in place for everyone the aim covers, and the outcome measure shows "
     "clear improvement"),
    (4.5, "sustainable improvement",
     "the improvement has lasted, the outcome is at or near the aim, and spread is planned"),
    (5.0, "outstanding sustainable results",
     "the aim is met and has lasted; the changes are the normal way of working"),
)

#: A team whose last this-many recorded scores are the same is reported as stuck.
STUCK_REVIEWS = 3
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*")
_STYLES = ("-", "--", "-.", ":")
_COLOURS = ("#005EB8", "#ED8B00", "#007F3B", "#7030A0", "#DA291C", "#425563", "#00A499",
            "#330072")


def _fmt_date(d: pd.Timestamp) -> str:
    return f"{d.day} {d:%B %Y}"


#: The least gap, in score units, between two names written at the same date.
LABEL_GAP = 0.22


def _spread_labels(ends: list[tuple]) -> list[tuple]:
    """(x, label height, team, colour) for each line's end label: labels that end on the same
    date are at least LABEL_GAP apart, in score order, so no name hides another.

    >>> [round(y, 2) for _, y, _, _ in _spread_labels([(1, 3.0, "B", ""), (1, 3.0, "A", ""),
    ...                                                 (1, 2.0, "C", "")])]
    [2.0, 3.0, 3.22]
    """
    out: list[tuple] = []
    last: dict = {}
    for x, y, team, colour in sorted(ends, key=lambda e: (e[0], e[1], e[2])):
        label_y = max(y, last.get(x, -1.0) + LABEL_GAP)
        last[x] = label_y
        out.append((x, label_y, team, colour))
    return out


@dataclass(frozen=True)
class ProgressTracker:
    """Teams' progress scores: ``records`` (``team``, ``date``, ``progress_score``,
    ``agreed_by``, sorted by team and date) and what they show."""

    records: pd.DataFrame

    @property
    def teams(self) -> list[str]:
        return sorted(self.records["team"].unique())

    @property
    def latest(self) -> pd.DataFrame:
        """Each team's latest recorded score, with its first score and the change since."""
        grouped = self.records.groupby("team", sort=True)
        out = grouped.tail(1).set_index("team")[["date", "progress_score"]]
        out["first_score"] = grouped["progress_score"].first()
        out["change"] = out["progress_score"] - out["first_score"]
        out["reviews"] = grouped.size()
        return out.reset_index()

    @property
    def stuck(self) -> list[str]:
        """Teams whose last STUCK_REVIEWS scores are all the same."""
        out = []
        for team, group in self.records.groupby("team", sort=True):
            last = group["progress_score"].tail(STUCK_REVIEWS)
            if len(last) == STUCK_REVIEWS and last.nunique() == 1:
                out.append(team)
        return out

    def explain(self) -> str:
        """Plain-English reading: where each team is, who reached 3, who is stuck."""
        latest = self.latest
        dates = self.records["date"]
        text = [f"Progress scores of {len(latest)} team{'s' if len(latest) != 1 else ''} from "
                f"{_fmt_date(dates.min())} to {_fmt_date(dates.max())}."]
        for _, r in latest.iterrows():
            move = ("up" if r["change"] > 0 else "down") + f" from {r['first_score']:g}"
            text.append(f"{r['team']}: {r['progress_score']:g} on {_fmt_date(r['date'])} "
                        f"({move if r['change'] else 'no change since its first review'}).")
        reached = int((latest["progress_score"] >= MIN_SCORE).sum())
        text.append(f"{reached} of {len(latest)} teams have reached a score of {MIN_SCORE:g} "
                    "or more.")
        if self.stuck:
            text.append(f"Same score at the last {STUCK_REVIEWS} reviews: "
                        f"{', '.join(self.stuck)}. Ask these teams what is in their way.")
        return " ".join(text)

    def alt_text(self) -> str:
        return ("Line chart of progress scores (0.5 to 5) over time, one line per team. "
                + self.explain())

    def plot(self, ax=None):
        """One line per team (a step at each review), a line at 3, each name at its line's end."""
        import matplotlib.pyplot as plt
        from matplotlib.transforms import ScaledTranslation

        if ax is None:
            _, ax = plt.subplots(figsize=(9, 4.8))
        ends = []
        for i, team in enumerate(self.teams):
            group = self.records[self.records["team"] == team]
            colour = _COLOURS[i % len(_COLOURS)]
            ax.plot(group["date"], group["progress_score"], drawstyle="steps-post",
                    marker=_MARKERS[i % len(_MARKERS)], ls=_STYLES[i % len(_STYLES)],
                    color=colour, lw=1.6, ms=7, label=team)
            ends.append((group["date"].iloc[-1], float(group["progress_score"].iloc[-1]),
                         team, colour))
        # each name just right of its line's end; names that would overlap are moved apart
        beside = ax.transData + ScaledTranslation(6 / 72, 0, ax.figure.dpi_scale_trans)
        for x, label_y, team, colour in _spread_labels(ends):
            ax.text(x, label_y, team, transform=beside, va="center", color=colour, fontsize=9)
        ax.axhline(MIN_SCORE, color="#231F20", lw=0.9, ls=(0, (1, 2)))
        ax.text(0.0, MIN_SCORE, f" score {MIN_SCORE:g}", va="bottom",
                transform=ax.get_yaxis_transform(), fontsize=8.5, color="#231F20")
        ax.set_ylim(0, 5.3)
        ax.set_yticks([0.5 * k for k in range(1, 11)])
        ax.set_ylabel("Progress score")
        ax.set_xlabel("Review date")
        ax.set_title("Improvement teams' progress scores", loc="left")
        ax.grid(axis="y", color="#E8EDEE", lw=0.8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.figure.autofmt_xdate()
        return ax

    def _repr_html_(self) -> str:
        from ..display import show

        return show(self.plot(), alt=self.alt_text())._repr_html_()


def progress_tracker(records: str | os.PathLike | TextIO | pd.DataFrame) -> ProgressTracker:
    """Read teams' progress records (a CSV file or a DataFrame with the same columns).

    Every row is checked (a score is one of 0.5, 1, … 5; dates are YYYY-MM-DD); a team with
    two scores on one date is an error naming the team and date.
    """
    if isinstance(records, pd.DataFrame):
        frame = records.copy()
        if "date" in frame and pd.api.types.is_datetime64_any_dtype(frame["date"]):
            frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
        records = io.StringIO(frame.to_csv(index=False))
    rows = read_team_records(records)
    if not rows:
        raise QIDataError("The team records have no rows: add each team's score at each "
                          "review.", field="records")
    table = pd.DataFrame(rows)
    table["date"] = pd.to_datetime(table["date"])
    table = table.sort_values(["team", "date"], kind="stable").reset_index(drop=True)
    dup = table.duplicated(["team", "date"])
    if dup.any():
        first = table[dup].iloc[0]
        raise QIDataError(f"Team {first['team']!r} has two scores on "
                          f"{first['date']:%Y-%m-%d}: keep the one agreed at that review.",
                          column="date")
    return ProgressTracker(table)


def record_score(path: str | os.PathLike, *, team: str, date: date | str,
                 progress_score: float | str, agreed_by: str) -> Path:
    """Add a team's progress score at one review to the team records at ``path``.

    The row is checked as ``qilab cohort coach-check`` reads it (a score of 0.5 to 5 in half
    steps, a date, nothing blank), and a second score for the same team on the same date is
    refused. The file is written again atomically.

    >>> import tempfile, pathlib
    >>> records = pathlib.Path(tempfile.mkdtemp()) / "team-records.csv"
    >>> _ = record_score(records, team="Ward 7", date="31/05/2019", progress_score=2,
    ...                  agreed_by="Team and coach")
    >>> progress_tracker(records).latest["progress_score"].tolist()
    [2.0]
    """
    row = {"team": " ".join(str(team).split()), "date": iso_date(date),
           "progress_score": str(progress_score).strip(), "agreed_by": str(agreed_by).strip()}
    check_row(TEAM_COLUMNS, row, read_team_records, "score")
    target = Path(path)
    if target.exists():
        for old in read_team_records(target):
            if old["team"] == row["team"] and old["date"].isoformat() == row["date"]:
                raise QIDataError(f"{row['team']} already has a score on {row['date']} "
                                  f"({old['progress_score']:g}): a review has one score. Change "
                                  "that row in the file if the score was wrong.", field="date")
    return append_checked_row(target, TEAM_COLUMNS, row, read_team_records, "score")

"""A project's monthly progress scores on the IHI 0.5 to 5 scale, kept with the project.

The Institute for Healthcare Improvement's assessment scale for improvement collaboratives
scores a project's progress in half steps from 0.5 (intent to take part) to 5 (outstanding
sustainable results): :data:`SCALE` holds each step's words. The team agrees a score with its
coach or sponsor once a month.

The scores are kept in the project folder as ``progress-scores.csv``, in the same columns as
the teams' records that ``qilab cohort coach-check`` and :func:`qilab.progress_tracker` read
(``team, date, progress_score, agreed_by``), so one file serves the project, its coach and
its sponsor. :func:`record_progress` adds a month's score (checked, and written atomically);
:func:`read_progress` reads the file as a :class:`~qilab.tools.progress_tracker.ProgressTracker`
whose chart is the project's progress-score run chart.

>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / PROGRESS_FILE
>>> _ = record_progress(path, "Oak House falls", "2026-05-31", 1.5, "Coach")
>>> _ = record_progress(path, "Oak House falls", "2026-06-30", 2.5, "Coach")
>>> read_progress(path).latest["progress_score"].tolist()
[2.5]
>>> describe(2.5)
'changes tested but no improvement yet'
"""
from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

from ..cohort.coach_evidence import TEAM_COLUMNS, read_team_records
from ..errors import QIDataError
from ..pdsa import parse_date
from ..storage import atomic_write_text
from .progress_tracker import ProgressTracker, progress_tracker

__all__ = ["SCALE", "PROGRESS_FILE", "describe", "record_progress", "read_progress"]

#: The progress score file's name in a project folder.
PROGRESS_FILE = "progress-scores.csv"

#: The IHI progress scale: each half step and what it means (Curriculum, "Measuring impact").
SCALE: dict[float, str] = {
    0.5: "intent to take part",
    1.0: "charter and team in place",
    1.5: "planning begun",
    2.0: "activity but no changes tested",
    2.5: "changes tested but no improvement yet",
    3.0: "modest improvement",
    3.5: "improvement",
    4.0: "significant improvement",
    4.5: "sustainable improvement",
    5.0: "outstanding sustainable results",
}


def describe(score: float) -> str:
    """The words for a score on the scale; a score off the scale is an error.

    >>> describe(4)
    'significant improvement'
    """
    if isinstance(score, bool) or not isinstance(score, (int, float)) or float(score) not in SCALE:
        raise QIDataError(f"Progress score {score!r} is not one of 0.5, 1, 1.5 … 5.",
                          field="progress_score")
    return SCALE[float(score)]


def record_progress(path: str | os.PathLike, team: str, on: str | date, score: float,
                    agreed_by: str) -> Path:
    """Add one month's agreed score to the file at ``path`` (created if need be).

    The file and the new row are checked as :func:`qilab.progress_tracker` checks them; a
    second score in the same calendar month is refused (scores are monthly: correct that
    month's row instead). Written atomically; returns the path.
    """
    path = Path(path)
    day = parse_date(on, "date")
    if day is None:
        raise QIDataError("Give the date the score was agreed (YYYY-MM-DD).", field="date")
    old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
    if old and not old.endswith("\n"):
        old += "\n"
    header = ",".join(TEAM_COLUMNS) + "\n"
    text = (old or header) + ",".join(_cell(v) for v in (team, day.isoformat(), f"{score:g}"
                                                         if isinstance(score, (int, float))
                                                         else str(score), agreed_by)) + "\n"
    try:
        rows = read_team_records(io.StringIO(text))
    except QIDataError as exc:
        raise QIDataError(str(exc).replace("the team records", str(path)), row=exc.row,
                          column=exc.column, field=exc.field) from None
    new = rows[-1]
    for rowno, row in enumerate(rows[:-1], start=2):
        if row["team"] == new["team"] and (row["date"].year, row["date"].month) == (
                day.year, day.month):
            raise QIDataError(f"{path}, row {rowno}: {team} already has a score for "
                              f"{day:%B %Y} ({row['progress_score']:g} on {row['date']}). "
                              "Scores are monthly: correct that row instead.", row=rowno,
                              column="date")
    return atomic_write_text(path, text)


def _cell(value: object) -> str:
    text = str(value).strip()
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def read_progress(path: str | os.PathLike) -> ProgressTracker:
    """The project's scores as a :class:`~qilab.tools.progress_tracker.ProgressTracker`.

    Errors name the file, row and column; an empty or missing file is an error too.
    """
    path = Path(path)
    if not path.exists():
        raise QIDataError(f"There is no progress score file {path}: record each month's "
                          "score there (team, date, progress_score, agreed_by).",
                          field="progress_score")
    try:
        return progress_tracker(path)
    except QIDataError as exc:
        text = str(exc)
        raise QIDataError(text if str(path) in text else f"{path}: {text}", row=exc.row,
                          column=exc.column, field=exc.field or "progress_score") from None

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
'changes tested, no improvement yet'
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from ..cohort.coach_evidence import read_team_records
from ..errors import QIDataError
from ..pdsa import parse_date
from .progress_tracker import PROGRESS_SCALE, ProgressTracker, progress_tracker, record_score

__all__ = ["SCALE", "PROGRESS_FILE", "describe", "record_progress", "read_progress"]

#: The progress score file's name in a project folder.
PROGRESS_FILE = "progress-scores.csv"

#: Each half step of the progress scale and its short name (the words are kept once, in
#: :data:`qilab.tools.progress_tracker.PROGRESS_SCALE`, with what a team at that score has done).
SCALE: dict[float, str] = {score: name for score, name, _ in PROGRESS_SCALE}


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
    try:
        rows = read_team_records(path) if path.exists() else []
        for rowno, row in enumerate(rows, start=2):
            if row["team"] == " ".join(str(team).split()) and (
                    row["date"].year, row["date"].month) == (day.year, day.month):
                raise QIDataError(f"{team} already has a score for {day:%B %Y} "
                                  f"({row['progress_score']:g} on {row['date']}). Scores are "
                                  "monthly: correct that row instead.", row=rowno, column="date")
        return record_score(path, team=team, date=day, progress_score=score,
                            agreed_by=agreed_by)
    except QIDataError as exc:
        text = str(exc)
        raise QIDataError(text if str(path) in text else f"{path}: {text}", row=exc.row,
                          column=exc.column, field=exc.field) from None


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

"""The coaching log: add a coaching session to the log file, checked the way it is read.

The log is a CSV file with the columns of :data:`qilab.cohort.coach_evidence.LOG_COLUMNS`
(``coach, team, date, stage, agreed, progress_score``): the same file ``qilab cohort
coach-check`` reads for the Coach certificate. :func:`log_session` checks a new session with
the same rules (a known stage, a score of 0.5 to 5 in steps of 0.5, nothing blank) before it
adds it, and writes the whole file again atomically, so a crash never leaves half a row.

>>> import tempfile, pathlib
>>> log = pathlib.Path(tempfile.mkdtemp()) / "coaching-log.csv"
>>> _ = log_session(log, coach="Ann", team="Ward 7", date="14/03/2025", stage="testing",
...                 agreed="Test the new handover sheet on two shifts", progress_score=2.5)
>>> sessions_for(log, "Ann")
1
"""
from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from ..cohort.coach_evidence import LOG_COLUMNS, read_coaching_log
from ..errors import QIDataError
from ..storage import atomic_write_text

__all__ = ["log_session", "sessions_for", "append_checked_row", "check_row",
           "iso_date"]


def iso_date(when: date | str) -> str:
    """A date as YYYY-MM-DD, from a date or from text written 14/03/2025 or 2025-03-14."""
    if isinstance(when, datetime):
        return when.date().isoformat()
    if isinstance(when, date):
        return when.isoformat()
    text = str(when).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            pass
    raise QIDataError(f"The date {text!r} is not a date: write it as 14/03/2025 or "
                      "2025-03-14.", field="date")


def check_row(columns: Sequence[str], row: dict[str, str],
              reader: Callable[[io.StringIO], object], what: str) -> str:
    """``row`` as a CSV line, once ``reader`` (the function that reads the file for
    certification) has read it back; otherwise :class:`qilab.QIDataError` naming the field."""
    line = io.StringIO()
    writer = csv.DictWriter(line, fieldnames=list(columns), lineterminator="\n")
    writer.writerow(row)
    try:
        reader(io.StringIO(",".join(columns) + "\n" + line.getvalue()))
    except QIDataError as exc:
        reason = str(exc).split(": ", 1)[-1]
        raise QIDataError(f"This {what} cannot be recorded: {reason}",
                          field=exc.column or exc.field) from None
    return line.getvalue()


def append_checked_row(path: str | os.PathLike, columns: Sequence[str], row: dict[str, str],
                       reader: Callable[[io.StringIO], object], what: str) -> Path:
    """Add ``row`` to the CSV file at ``path`` (made, with its header, if new), atomically.

    The new row is checked with :func:`check_row`, and the file already there is read with
    ``reader`` too: a row that would not be read back, or a file that is not this kind of
    record, raises :class:`qilab.QIDataError` and leaves the file as it was. ``what`` names
    the record in the message ("session", "score").
    """
    line = check_row(columns, row, reader, what)
    target = Path(path)
    old = target.read_text(encoding="utf-8-sig") if target.exists() else ""
    if old:
        reader(io.StringIO(old))      # never append to a file of another kind
        if not old.endswith("\n"):
            old += "\n"
    else:
        old = ",".join(columns) + "\n"
    return atomic_write_text(target, old + line)


def log_session(path: str | os.PathLike, *, coach: str, team: str, date: date | str,
                stage: str, agreed: str, progress_score: float | str) -> Path:
    """Add one session to the coaching log at ``path`` (made, with its header, if new)."""
    row = {"coach": str(coach).strip(), "team": str(team).strip(), "date": iso_date(date),
           "stage": str(stage).strip().lower(), "agreed": " ".join(str(agreed).split()),
           "progress_score": str(progress_score).strip()}
    return append_checked_row(path, LOG_COLUMNS, row, read_coaching_log, "session")


def sessions_for(path: str | os.PathLike, coach: str) -> int:
    """How many sessions the log holds for ``coach`` (one per team and date)."""
    target = Path(path)
    if not target.exists():
        return 0
    rows = read_coaching_log(target)
    return len({(r["team"], r["date"]) for r in rows if r["coach"] == coach})

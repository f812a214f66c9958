"""Coach evidence checked from records: the coaching log and the coached teams' progress scores.

Two of the Coach tier's evidence items in ``grading/standard.yml`` are facts a computer can
check, so nobody has to count by hand:

* ``coaching-log``: at least :data:`MIN_SESSIONS` coaching sessions in the coach's log;
* ``coached-team-progress``: a team the coach has coached (a team in their log) reached a
  progress score of at least :data:`MIN_SCORE` in the team's own records, on or after the
  coach's first session with it.

The third item, ``observed-session``, is marked by an assessor in the evidence CSV as before.
:func:`check_coaches` reads the two files and decides; :func:`add_to_evidence` appends one row
per coach and item to the evidence CSV (assessor ``ASSESSOR``, the check's date), which
``qilab cohort certify --tier coach`` then reads like any other evidence. The latest row for an
item wins, so re-running the check after more sessions updates the evidence.

The coaching log (CSV, one row a session): ``coach, team, date, stage, agreed, progress_score``.
The team records (CSV, one row a score): ``team, date, progress_score, agreed_by``.
Progress scores run from 0.5 to 5 in steps of 0.5.

>>> import io
>>> log = io.StringIO("coach,team,date,stage,agreed,progress_score\\n"
...     + "".join(f"ann,ward 7,2025-0{m}-01,testing,run a test,2\\n" for m in range(1, 7)))
>>> teams = io.StringIO("team,date,progress_score,agreed_by\\nward 7,2025-06-30,3,Ann\\n")
>>> [(c.coach, c.sessions, c.best_team, c.met) for c in check_coaches(log, teams)]
[('ann', 6, 'ward 7', {'coaching-log': True, 'coached-team-progress': True})]
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from ..errors import QIDataError
from .evidence import append_checked_rows

MIN_SESSIONS = 6
MIN_SCORE = 3.0
ASSESSOR = "qilab coach check"
LOG_COLUMNS = ("coach", "team", "date", "stage", "agreed", "progress_score")
TEAM_COLUMNS = ("team", "date", "progress_score", "agreed_by")
#: Where a team is in the Model for Improvement when a session is held.
STAGES = ("forming the team", "aim", "measures", "changes", "testing", "implementing",
          "spreading", "review")


@dataclass
class CoachCheck:
    """What the records show for one coach, and the two evidence items it meets."""

    coach: str
    sessions: int
    teams: list[str]
    best_team: str | None
    best_score: float | None
    met: dict[str, bool] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)


def _rows(source: str | os.PathLike | TextIO, columns: tuple[str, ...],
          what: str) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise QIDataError(f"The {what} {path} does not exist.", field=what)
        handle: TextIO = io.StringIO(path.read_text(encoding="utf-8-sig"))
        name = str(path)
    else:
        handle, name = source, f"the {what}"
    reader = csv.DictReader(handle)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise QIDataError(f"{name} lacks the column(s) {', '.join(missing)}; it needs "
                          f"{', '.join(columns)}.", column=missing[0])
    rows = [(n, {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k})
            for n, raw in enumerate(reader, start=2)]
    return name, rows


def _date(text: str, name: str, rowno: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise QIDataError(f"{name}, row {rowno}: date {text!r} is not YYYY-MM-DD.",
                          row=rowno, column="date") from None


def _score(text: str, name: str, rowno: int) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.5 <= value <= 5 or (value * 2) % 1:
        raise QIDataError(f"{name}, row {rowno}: progress score {text!r} is not one of 0.5, "
                          "1, 1.5 … 5.", row=rowno, column="progress_score")
    return value


def read_coaching_log(source: str | os.PathLike | TextIO) -> list[dict]:
    """The coaching log's sessions, checked: each names a coach, team, date and stage."""
    name, rows = _rows(source, LOG_COLUMNS, "coaching log")
    out = []
    for rowno, row in rows:
        for col in ("coach", "team", "agreed"):
            if not row[col]:
                raise QIDataError(f"{name}, row {rowno}: {col} is blank; fill it in.",
                                  row=rowno, column=col)
        if row["stage"].lower() not in STAGES:
            raise QIDataError(f"{name}, row {rowno}: stage {row['stage']!r} is not one of "
                              f"{', '.join(STAGES)}.", row=rowno, column="stage")
        out.append({"coach": row["coach"], "team": row["team"],
                    "date": _date(row["date"], name, rowno), "stage": row["stage"].lower(),
                    "agreed": row["agreed"],
                    "progress_score": _score(row["progress_score"], name, rowno)})
    return out


def read_team_records(source: str | os.PathLike | TextIO) -> list[dict]:
    """The teams' recorded progress scores, checked."""
    name, rows = _rows(source, TEAM_COLUMNS, "team records")
    out = []
    for rowno, row in rows:
        for col in ("team", "agreed_by"):
            if not row[col]:
                raise QIDataError(f"{name}, row {rowno}: {col} is blank; fill it in.",
                                  row=rowno, column=col)
        out.append({"team": row["team"], "date": _date(row["date"], name, rowno),
                    "progress_score": _score(row["progress_score"], name, rowno),
                    "agreed_by": row["agreed_by"]})
    return out


def check_coaches(log: str | os.PathLike | TextIO,
                  teams: str | os.PathLike | TextIO) -> list[CoachCheck]:
    """Check every coach in the log against the two evidence items (see the module)."""
    sessions = read_coaching_log(log)
    records = read_team_records(teams)
    out = []
    for coach in sorted({s["coach"] for s in sessions}):
        mine = [s for s in sessions if s["coach"] == coach]
        count = len({(s["team"], s["date"]) for s in mine})
        first = {}
        for s in mine:
            first[s["team"]] = min(first.get(s["team"], s["date"]), s["date"])
        best: tuple[float, str] | None = None
        for r in records:
            if r["team"] in first and r["date"] >= first[r["team"]]:
                if best is None or r["progress_score"] > best[0]:
                    best = (r["progress_score"], r["team"])
        check = CoachCheck(coach, count, sorted(first), best[1] if best else None,
                           best[0] if best else None)
        check.met["coaching-log"] = count >= MIN_SESSIONS
        check.notes["coaching-log"] = f"{count} sessions logged; {MIN_SESSIONS} needed"
        check.met["coached-team-progress"] = best is not None and best[0] >= MIN_SCORE
        check.notes["coached-team-progress"] = (
            f"best recorded score {best[0]:g} ({best[1]}); {MIN_SCORE:g} needed" if best
            else "no recorded score for a coached team since coaching began")
        out.append(check)
    return out


def add_to_evidence(checks: list[CoachCheck], evidence: str | os.PathLike,
                    on: date | None = None) -> Path:
    """Append one evidence row per coach and checked item (atomically); return the file.

    Existing rows and columns are kept; a ``note`` column says what the records showed.
    """
    return append_checked_rows(evidence, [(c.coach, item, met, c.notes[item]) for c in checks
                                          for item, met in c.met.items()], ASSESSOR, on)

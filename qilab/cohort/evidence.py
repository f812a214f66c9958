"""Manually assessed evidence: a CSV an assessor fills in, one row per learner and item.

Columns: ``learner, item, met, assessor, date`` (``met`` is yes or no; ``date`` YYYY-MM-DD).
If a learner has several rows for the same item, the latest date wins (a resubmission).

>>> import io
>>> rows = read_evidence(io.StringIO(
...     "learner,item,met,assessor,date\\n"
...     "ann,personal-run-chart,yes,J Smith,2025-03-01\\n"))
>>> rows[("ann", "personal-run-chart")]
True
"""
from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path
from typing import TextIO

from ..errors import QIDataError
from ..storage import atomic_write_text

COLUMNS = ("learner", "item", "met", "assessor", "date")
_YES = {"yes", "y", "true", "1", "met"}
_NO = {"no", "n", "false", "0", "not met", ""}


def read_evidence(source: str | os.PathLike | TextIO,
                  known_items: set[str] | None = None) -> dict[tuple[str, str], bool]:
    """Read the evidence CSV into ``{(learner, item): met}``.

    Raises :class:`QIDataError` naming the row and column of anything it cannot read, and any
    item that is not in the standard (when ``known_items`` is given).
    """
    return {k: v[1] for k, v in _latest_rows(source, known_items).items()}


def read_evidence_notes(source: str | os.PathLike | TextIO) -> dict[tuple[str, str], str]:
    """The optional ``note`` of each learner's latest row for an item (what a check found),
    ``{(learner, item): note}``, for the rows that have one.

    >>> import io
    >>> read_evidence_notes(io.StringIO("learner,item,met,assessor,date,note\\n"
    ...     "ann,progress-score,no,qilab project check,2025-03-01,The latest score is 2\\n"))
    {('ann', 'progress-score'): 'The latest score is 2'}
    """
    return {k: v[2] for k, v in _latest_rows(source, None).items() if v[2]}


def _latest_rows(source: str | os.PathLike | TextIO, known_items: set[str] | None
                 ) -> dict[tuple[str, str], tuple[date, bool, str]]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise QIDataError(f"Evidence file {path} does not exist.", field="evidence")
        handle: TextIO = io.StringIO(path.read_text(encoding="utf-8-sig"))
        name = str(path)
    else:
        handle, name = source, "the evidence file"
    reader = csv.DictReader(handle)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise QIDataError(f"{name} lacks the column(s) {', '.join(missing)}; it needs "
                          f"{', '.join(COLUMNS)}.", column=missing[0])
    latest: dict[tuple[str, str], tuple[date, bool, str]] = {}
    for rowno, raw in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        learner, item = row["learner"], row["item"]
        if not learner or not item:
            raise QIDataError(f"{name}, row {rowno}: the learner and item must not be blank.",
                              row=rowno, column="learner" if not learner else "item")
        if known_items is not None and item not in known_items:
            raise QIDataError(f"{name}, row {rowno}: item {item!r} is not in the standard "
                              f"(known: {', '.join(sorted(known_items))}).", row=rowno,
                              column="item")
        met_text = row["met"].lower()
        if met_text not in _YES | _NO:
            raise QIDataError(f"{name}, row {rowno}: 'met' is {row['met']!r}; write yes or no.",
                              row=rowno, column="met")
        if not row["assessor"]:
            raise QIDataError(f"{name}, row {rowno}: name the assessor.", row=rowno,
                              column="assessor")
        try:
            when = date.fromisoformat(row["date"])
        except ValueError:
            raise QIDataError(f"{name}, row {rowno}: date {row['date']!r} is not YYYY-MM-DD.",
                              row=rowno, column="date") from None
        key = (learner, item)
        if key not in latest or when >= latest[key][0]:
            latest[key] = (when, met_text in _YES, row.get("note", ""))
    return latest


def read_names(source: str | os.PathLike | None) -> dict[str, str]:
    """Learners' names from the evidence CSV's optional ``name`` column (``{}`` if none).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "ev.csv"
    >>> _ = p.write_text("learner,name,item,met,assessor,date\\n"
    ...                  "ann,Ann Jones,x,yes,J,2025-01-01\\n")
    >>> read_names(p)
    {'ann': 'Ann Jones'}
    """
    if source is None:
        return {}
    text = Path(source).read_text(encoding="utf-8-sig")
    names: dict[str, str] = {}
    for raw in csv.DictReader(io.StringIO(text)):
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        if row.get("name") and row.get("learner"):
            names[row["learner"]] = row["name"]
    return names


def append_checked_rows(evidence: str | os.PathLike,
                        rows: list[tuple[str, str, bool, str]], assessor: str,
                        on: date | None = None) -> Path:
    """Append rows ``(learner, item, met, note)`` that a check made from records, as assessor
    ``assessor`` on ``on`` (default today), to the evidence CSV (atomically); return the file.

    Existing rows and columns are kept; a ``note`` column says what the records showed. The
    latest row for an item wins (:func:`read_evidence`), so re-running a check updates it.
    """
    path = Path(evidence)
    when = (on or date.today()).isoformat()
    old: list[dict[str, str]] = []
    header = list(COLUMNS)
    if path.exists():
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        header = list(reader.fieldnames or COLUMNS)
        old = list(reader)
    if "note" not in header:
        header.append("note")
    new = [{"learner": learner, "item": item, "met": "yes" if met else "no",
            "assessor": assessor, "date": when, "note": note}
           for learner, item, met, note in rows]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(old + new)
    return atomic_write_text(path, buffer.getvalue())

"""The certificate register: a CSV with one row per certificate issued, only ever appended.

Each append takes a lock and rewrites the file atomically (temporary file, fsync, rename), so
two trainers certifying at once lose no row and a crash never leaves half a row.

>>> import tempfile, pathlib
>>> reg = pathlib.Path(tempfile.mkdtemp()) / "register.csv"
>>> append_rows(reg, [{"code": "QI-X", "learner": "ann", "name": "Ann", "tier": "aware",
...                    "date": "2025-01-01", "faculty": "F", "course": "c", "issued_at": "t",
...                    "certificate": "a.html"}])
>>> [r["learner"] for r in read_register(reg)]
['ann']
"""
from __future__ import annotations

import csv
import fcntl
import io
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import QIDataError
from ..storage import atomic_write_text

COLUMNS = ("code", "learner", "name", "tier", "date", "faculty", "course", "issued_at",
           "certificate")


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<register>.lock`` for the duration."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_register(path: str | os.PathLike) -> list[dict[str, str]]:
    """Every row of the register (``[]`` if none has been issued)."""
    path = Path(path)
    if not path.exists():
        return []
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise QIDataError(f"The register {path} has columns {reader.fieldnames}; expected "
                          f"{', '.join(COLUMNS)}. Has it been edited by hand?", field="register")
    return list(reader)


def append_rows(path: str | os.PathLike, rows: list[dict[str, str]]) -> None:
    """Append ``rows`` to the register under a lock, atomically."""
    path = Path(path)
    for row in rows:
        missing = [c for c in COLUMNS if not str(row.get(c, "")).strip()]
        if missing:
            raise QIDataError(f"Register row for {row.get('learner')!r} lacks {missing}.",
                              field=missing[0])
    with locked(path):
        existing = read_register(path)
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(existing)
        writer.writerows({c: str(row[c]) for c in COLUMNS} for row in rows)
        atomic_write_text(path, out.getvalue())


def held_tiers(path: str | os.PathLike) -> dict[str, set[str]]:
    """``{learner: tiers certified}`` from the register."""
    held: dict[str, set[str]] = {}
    for row in read_register(path):
        held.setdefault(row["learner"], set()).add(row["tier"])
    return held

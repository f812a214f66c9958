"""The trainer's nbgrader steps: release, collect, feedback and export.

Each step runs the matching ``nbgrader`` command inside the course folder (so it reads the
course's ``nbgrader_config.py``) with this Python's ``bin`` first on PATH, and turns nbgrader's
failures into :class:`~qilab.errors.QIDataError` messages a trainer can act on. Autograding has
its own module, :mod:`qilab.cohort.autograde`.

Example (needs a course folder)::

    course = open_course("my-course")
    release(course, "foundation", due="2025-06-30 17:00")
    collect(course, "foundation")
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import QIDataError
from ..storage import atomic_write_text
from .course import Course, ensure_venv_on_path, venv_env

if TYPE_CHECKING:
    from .exchange import CollectReport


def run_nbgrader(course: Course, *args: str, timeout: float | None = None) -> str:
    """Run ``nbgrader ARGS`` in the course folder; return its log, or raise with its last lines."""
    exe = Path(sys.executable).parent / "nbgrader"
    cmd = [str(exe) if exe.exists() else "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course.root, env=venv_env(), capture_output=True, text=True,
                          timeout=timeout)
    log = proc.stdout + proc.stderr
    if proc.returncode != 0:
        tail = "\n".join(line for line in log.splitlines()[-15:])
        raise QIDataError(f"`nbgrader {' '.join(args)}` failed in {course.root}:\n{tail}",
                          field=args[0] if args else None)
    return log


def parse_due(due: str) -> datetime:
    """Read a due date such as ``2025-06-30`` or ``2025-06-30 17:00`` (local time, as nbgrader).

    >>> parse_due("2025-06-30 17:00").hour
    17
    """
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(due.strip(), fmt)
        except ValueError:
            continue
    raise QIDataError(f"Due date {due!r} is not a date: write it as YYYY-MM-DD or "
                      "'YYYY-MM-DD HH:MM'.", field="due")


def set_due_date(course: Course, assignment: str, due: str) -> None:
    """Record the assignment's due date in the gradebook (nbgrader flags later submissions)."""
    ensure_venv_on_path()
    from nbgrader.api import Gradebook
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.update_or_create_assignment(assignment, duedate=parse_due(due))


def release(course: Course, assignment: str, *, due: str | None = None,
            notes: list[str] | None = None) -> Path:
    """Generate the learners' version of ``assignment`` and put it in the exchange.

    Returns the released folder. With ``due``, late submissions are flagged. The exchange is
    checked first (:func:`qilab.cohort.exchange.check_exchange`): a course folder there that a
    learner made is moved aside, and what was repaired is appended to ``notes``.
    """
    from .exchange import check_exchange, secure_inbound
    course.require_assignment(assignment)
    repaired = check_exchange(course)
    if notes is not None:
        notes.extend(repaired)
    if due:
        set_due_date(course, assignment, due)
    run_nbgrader(course, "generate_assignment", assignment, "--force")
    run_nbgrader(course, "release_assignment", assignment, "--force")
    secure_inbound(course)
    return course.root / "release" / assignment


def collect(course: Course, assignment: str, *, report: CollectReport | None = None
            ) -> list[str]:
    """Copy learners' submissions from the exchange to ``submitted/``; return who submitted.

    Nothing in the exchange is trusted (:mod:`qilab.cohort.exchange`): entries with links,
    special or oversized files, or made by someone other than the learner they name, are not
    collected. Pass a :class:`~qilab.cohort.exchange.CollectReport` as ``report`` to get what
    was refused and nbgrader's warnings.
    """
    from .exchange import collect_safely
    course.require_assignment(assignment)
    course.require_gradebook()
    got = collect_safely(course, assignment)
    if report is not None:
        report.students, report.problems, report.warnings = got.students, got.problems, \
            got.warnings
    return submitted_students(course, assignment)


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Learner ids with a submission of ``assignment`` in ``submitted/``, sorted."""
    base = course.root / "submitted"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / assignment).is_dir())


def feedback(course: Course, assignment: str) -> Path:
    """Write each learner's HTML feedback for ``assignment`` under ``feedback/``.

    The feedback shows the learner's own notebook, their marks, the grader's verdict on each
    checked test and the trainer's comments, and nothing else: no output printed while
    grading (the learner's code ran on the grading machine then, and could have read what
    is not theirs), and no file but the HTML pages (nbgrader would otherwise copy every file
    of the autograded folder, such as a submitted link to the gradebook, into the feedback).
    """
    import shutil

    import nbformat

    from .marking import for_feedback

    course.require_assignment(assignment)
    course.require_gradebook()
    autograded = course.root / "autograded"
    if not autograded.is_dir():
        raise QIDataError(f"Nothing autograded yet in {course.root}: run `qilab cohort "
                          f"autograde {assignment}` first.", field="assignment")
    staging = course.root / ".qilab" / "feedback-source"
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for folder in sorted(autograded.glob(f"*/{assignment}")):
            for nb_path in sorted(folder.glob("*.ipynb")):
                if nb_path.is_symlink() or not nb_path.is_file():
                    continue
                try:
                    nb = for_feedback(nbformat.read(nb_path, as_version=4))
                except (OSError, ValueError, RecursionError):
                    continue  # nbgrader reports the learner without feedback
                dest = staging / folder.parent.name / assignment / nb_path.name
                dest.parent.mkdir(parents=True, exist_ok=True)
                nbformat.write(nb, dest)
        run_nbgrader(course, "generate_feedback", assignment, "--force",
                     f"--CourseDirectory.autograded_directory={staging.relative_to(course.root)}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    for folder in (course.root / "feedback").glob(f"*/{assignment}"):
        for path in sorted(folder.rglob("*"), reverse=True):
            if path.is_symlink() or (path.is_file() and path.suffix != ".html"):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return course.root / "feedback"


def export(course: Course, output: str | os.PathLike = "grades.csv") -> Path:
    """Export every grade to a CSV file (nbgrader's columns), written atomically.

    ``duedate`` and ``timestamp`` show late work; ``score`` is after any late penalty.
    """
    course.require_gradebook()
    output = Path(output)
    if not output.is_absolute():
        output = Path.cwd() / output
    with tempfile.TemporaryDirectory(dir=course.root) as tmp:
        tmp_csv = Path(tmp) / "grades.csv"
        run_nbgrader(course, "export", "--to", str(tmp_csv))
        text = tmp_csv.read_text(encoding="utf-8")
    list(csv.DictReader(io.StringIO(text)))  # it must parse
    atomic_write_text(output, text)
    return output


def submit_for(course: Course, student: str, assignment: str, folder: str | os.PathLike,
               *, when: datetime | None = None) -> Path:
    """Put a learner's work, received some other way (email, a shared drive), in the exchange
    as if they had submitted it at ``when`` (UTC; default now); ``collect`` then picks it up.

    The learner's files are copied, never moved. Returns the inbound folder.
    """
    import base64
    import shutil
    from datetime import timezone

    from .course import _check_id
    _check_id(student, "learner id")
    course.require_assignment(assignment)
    src = Path(folder)
    if not src.is_dir() or not any(src.glob("*.ipynb")):
        raise QIDataError(f"{src} holds no notebook to submit for {student}.", field="folder")
    when = (when or datetime.now(timezone.utc)).astimezone(timezone.utc)
    stamp = when.strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    inbound = course.exchange / course.course_id / "inbound"
    inbound.mkdir(parents=True, exist_ok=True)
    tag = base64.urlsafe_b64encode(os.urandom(9)).decode("ascii")
    final = inbound / f"{student}+{assignment}+{stamp}+{tag}"
    tmp = inbound / f".incoming-{tag}"
    shutil.copytree(src, tmp, symlinks=True)  # a link is kept as a link (collect refuses it)
    (tmp / "timestamp.txt").write_text(stamp, encoding="utf-8")
    os.replace(tmp, final)
    return final

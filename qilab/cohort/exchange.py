"""The shared nbgrader exchange, trusted for nothing.

On a hub every learner can write to the exchange's ``inbound`` folder, so anything found there
may have been made by anyone. :func:`collect_safely` vets each inbound entry before nbgrader
sees it:

- the entry must be a real folder (never a link), owned by the learner it is named for (their
  unix account, looked up by name) or by the grader (work a trainer put there with
  ``submit_for``); an entry one learner made in another's name is reported and ignored, so the
  other learner's own submission wins;
- it is copied without following any link, one file at a time from already opened folders:
  a link (dangling, to ``/dev/zero``, to the faculty secret), a special file (a FIFO, a device),
  an oversized file, too many files or folders nested too deep reject that entry with a clear
  reason, and the learner's previous entry, if any, is used instead;
- one bad entry is reported and skipped; it never stops the class being collected.

:func:`check_exchange` runs before each release: a course folder in the exchange made by a
learner before the trainer (to block release, or to hijack it by serving their own files) is
moved aside and reported, and the folders get modes that stop learners reading or removing
each other's submissions.

>>> parse_entry("alice+foundation+2025-06-30 16:00:00.000000 UTC+abc")[:2]
('alice', 'foundation')
"""
from __future__ import annotations

import os
import pwd
import shutil
import stat
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from ..errors import QIDataError
from .course import Course

MAX_FILE_MB = 20.0
MAX_ENTRY_MB = 50.0
MAX_FILES = 500
MAX_DEPTH = 8
COLLECT_EXCHANGE = Path(".qilab") / "collect-exchange"


class Rejected(Exception):
    """An inbound entry that is not collected, and why."""


@dataclass(frozen=True)
class Entry:
    """One inbound folder: ``<learner>+<assignment>+<timestamp>[+<random>]``."""

    learner: str
    assignment: str
    timestamp: datetime
    name: str


@dataclass
class CollectReport:
    """Who was collected, what was refused (one line each) and nbgrader's own warnings."""

    students: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Plain text for the trainer."""
        lines = [f"Collected {len(self.students)} submission(s)."]
        lines += [f"  refused: {p}" for p in self.problems]
        lines += [f"  nbgrader: {w}" for w in self.warnings]
        return "\n".join(lines)


def parse_entry(name: str) -> tuple[str, str, datetime] | None:
    """``(learner, assignment, timestamp)`` from an inbound folder name, or None."""
    from nbgrader.utils import parse_utc
    parts = name.rsplit("+", 3)  # as nbgrader reads it
    if len(parts) < 3:
        return None
    learner, assignment, stamp = parts[0], parts[1], parts[2]
    try:
        when = parse_utc(stamp)
    except (ValueError, TypeError, OverflowError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return learner, assignment, when


def local_uid(learner: str) -> int | None:
    """The uid of the unix account named ``learner``, or None when there is none."""
    try:
        return pwd.getpwnam(learner).pw_uid
    except KeyError:
        return None


def _who(uid: int) -> str:
    try:
        return f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        return f"uid {uid}"


def _open_dir(name: str, dir_fd: int | None = None) -> int:
    return os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)


def _copy_dir(src_fd: int, dest: Path, depth: int, budget: dict[str, int]) -> None:
    dest.mkdir(mode=0o755)
    for name in sorted(os.listdir(src_fd)):
        st = os.stat(name, dir_fd=src_fd, follow_symlinks=False)
        if stat.S_ISLNK(st.st_mode):
            raise Rejected(f"it holds a link ({name!r}); submit real files only")
        if stat.S_ISDIR(st.st_mode):
            if depth >= MAX_DEPTH:
                raise Rejected(f"its folders are nested more than {MAX_DEPTH} deep")
            fd = _open_dir(name, src_fd)
            try:
                _copy_dir(fd, dest / name, depth + 1, budget)
            finally:
                os.close(fd)
            continue
        if not stat.S_ISREG(st.st_mode):
            raise Rejected(f"{name!r} is not a regular file (a device, pipe or socket)")
        budget["files"] += 1
        if budget["files"] > MAX_FILES:
            raise Rejected(f"it holds more than {MAX_FILES} files")
        _copy_file(src_fd, name, dest / name, budget)


def _copy_file(src_fd: int, name: str, dest: Path, budget: dict[str, int]) -> None:
    limit = int(MAX_FILE_MB * 1e6)
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src_fd)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Rejected(f"{name!r} is not a regular file")
        if st.st_size > limit:
            raise Rejected(f"{name!r} is {st.st_size / 1e6:.1f} MB (limit {MAX_FILE_MB:g} MB)")
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            copied = 0
            while chunk := os.read(fd, 1 << 20):
                copied += len(chunk)
                budget["bytes"] += len(chunk)
                if copied > limit:
                    raise Rejected(f"{name!r} is larger than {MAX_FILE_MB:g} MB")
                if budget["bytes"] > MAX_ENTRY_MB * 1e6:
                    raise Rejected(f"it holds more than {MAX_ENTRY_MB:g} MB")
                os.write(out, chunk)
        finally:
            os.close(out)
    finally:
        os.close(fd)


def copy_entry(inbound_fd: int, entry: Entry, dest: Path, allowed: set[int]) -> None:
    """Copy one inbound entry to ``dest`` without following links; raise :class:`Rejected`."""
    try:
        fd = _open_dir(entry.name, inbound_fd)
    except OSError as exc:
        raise Rejected("it is not a folder (a link or a file)") from exc
    try:
        owner = os.fstat(fd).st_uid
        if owner not in allowed:
            raise Rejected(f"it is owned by {_who(owner)}, not by {entry.learner}: another "
                           "user may have made it in their name")
        _copy_dir(fd, dest, 0, {"files": 0, "bytes": 0})
    except OSError as exc:
        raise Rejected(f"it could not be read ({exc.strerror or exc})") from exc
    finally:
        os.close(fd)


def vet_inbound(course: Course, assignment: str, dest: Path, *,
                owner_of: Callable[[str], int | None] = local_uid) -> CollectReport:
    """Copy each learner's latest acceptable inbound entry of ``assignment`` to
    ``dest/<entry>``; report the others."""
    report = CollectReport()
    inbound = course.exchange / course.course_id / "inbound"
    try:
        inbound_fd = _open_dir(str(inbound))
    except FileNotFoundError:
        return report
    except OSError as exc:
        raise QIDataError(f"The exchange's inbound folder {inbound} is not a folder you can "
                          f"read ({exc.strerror}): check it is not a link and release again.",
                          field="exchange") from None
    try:
        found: dict[str, list[Entry]] = {}
        for name in os.listdir(inbound_fd):
            parsed = parse_entry(name)
            if parsed is None:
                if f"+{assignment}+" in name:
                    report.problems.append(f"{name}: the name does not end in a timestamp")
                continue
            learner, assigned, when = parsed
            if assigned == assignment:
                found.setdefault(learner, []).append(Entry(learner, assigned, when, name))
        me = os.geteuid()
        for learner in sorted(found):
            allowed = {me} | ({uid} if (uid := owner_of(learner)) is not None else set())
            for entry in sorted(found[learner], key=lambda e: e.timestamp, reverse=True):
                target = dest / entry.name
                try:
                    copy_entry(inbound_fd, entry, target, allowed)
                except Rejected as why:
                    shutil.rmtree(target, ignore_errors=True)
                    report.problems.append(f"{entry.name} (for {learner}): not collected, "
                                           f"because {why}")
                    continue
                report.students.append(learner)
                break
    finally:
        os.close(inbound_fd)
    return report


def collect_safely(course: Course, assignment: str, *,
                   owner_of: Callable[[str], int | None] = local_uid) -> CollectReport:
    """Vet the exchange's inbound entries of ``assignment`` (see the module docstring), then
    have nbgrader collect from the vetted copy; return who was collected and what was not."""
    from .steps import run_nbgrader, submitted_students
    staging = course.root / COLLECT_EXCHANGE
    shutil.rmtree(staging, ignore_errors=True)
    inbound = staging / course.course_id / "inbound"
    inbound.mkdir(parents=True, mode=0o700)
    try:
        report = vet_inbound(course, assignment, inbound, owner_of=owner_of)
        if report.students:
            log = run_nbgrader(course, "collect", assignment, "--update",
                               f"--Exchange.root={staging}", "--CollectApp.check_owner=False")
            report.warnings = [line.split("]", 1)[-1].strip() for line in log.splitlines()
                               if "WARNING" in line]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    collected = set(submitted_students(course, assignment))
    report.students = sorted(s for s in report.students if s in collected)
    return report


def check_exchange(course: Course) -> list[str]:
    """Make the exchange safe to release into; return what was repaired.

    The exchange root must be the trainer's (it is made by ``init``) and gets the sticky bit,
    so nobody removes what others made in it. The course's folder and its ``outbound`` and
    ``inbound`` folders must be real folders owned by the grader; one made by somebody else (a
    learner who got there first) is moved aside to ``.refused-...`` and reported, and release
    makes fresh ones. Raises :class:`QIDataError` when that is not possible.
    """
    me = os.geteuid()
    root = course.exchange
    notes: list[str] = []
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        root.mkdir(parents=True)
        os.chmod(root, 0o1777)
        return notes
    if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode) or st.st_uid != me:
        raise QIDataError(f"The exchange folder {root} is not a folder owned by you (owner "
                          f"{_who(st.st_uid)}): remove it and run `qilab cohort init` again.",
                          field="exchange")
    if stat.S_IMODE(st.st_mode) != 0o1777:
        os.chmod(root, 0o1777)
    course_dir = root / course.course_id
    for path in (course_dir, course_dir / "outbound", course_dir / "inbound"):
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            break
        if stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(st.st_mode) and st.st_uid == me:
            continue
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        aside = root / f".refused-{course.course_id}-{path.name}-{stamp}"
        try:
            os.rename(path, aside)
        except OSError as exc:
            raise QIDataError(f"{path} was made by {_who(st.st_uid)}, not by you, so learners' "
                              "work could be blocked or replaced there. It could not be moved "
                              f"aside ({exc.strerror}): ask an administrator to remove it, "
                              "then release again.", field="exchange") from None
        notes.append(f"{path} was made by {_who(st.st_uid)}, not by you: moved aside to "
                     f"{aside.name} (look at it, then delete it); fresh folders were made.")
        break
    return notes


def secure_inbound(course: Course) -> None:
    """After release: learners may add to ``inbound`` but not list it or remove others'
    entries (nbgrader's 0733 plus the sticky bit); ``outbound`` is not writable by them."""
    course_dir = course.exchange / course.course_id
    inbound = course_dir / "inbound"
    if inbound.is_dir() and not inbound.is_symlink():
        os.chmod(inbound, stat.S_IMODE(os.lstat(inbound).st_mode) | stat.S_ISVTX)

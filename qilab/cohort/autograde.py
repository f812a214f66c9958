"""The fast, safe autograder behind ``qilab cohort autograde``.

It is nbgrader's own ``Autograde`` converter (the same sanitising and grading preprocessors,
the same gradebook writes, so Formgrader, feedback and export work as usual and the grades are
the ones ``nbgrader autograde`` gives) with two changes to how learners' code runs:

Speed
    Almost all of nbgrader's time per submission is starting a kernel. Here kernels are started
    *ahead of need* (``workers`` at a time) while the previous submission runs, so a kernel is
    ready when its submission comes up. Each submission gets a fresh kernel process of its own;
    a kernel is never reused for another learner, so nothing leaks between them.

Safety
    Each kernel runs in a private temporary folder holding a copy of that one submission's files
    (``HOME`` and ``TMPDIR`` point there too), never with the course folder or the gradebook as
    its working directory, and without the faculty secret in its environment. Its address space
    and file sizes are limited (:mod:`qilab.cohort.sandbox`). A cell that runs too long is
    interrupted and marked as an error (its test scores 0); a kernel that dies (``os._exit``, a
    crash, the memory limit) or ignores the interrupt is replaced by a fresh one, the cell is
    marked as an error and grading goes on with the next cell. Output is capped while it arrives,
    so a flood cannot exhaust the grader's memory. A notebook file larger than
    ``max_notebook_mb`` is not parsed: the learner's blank released notebook is graded in its
    place with a note saying why (all its autograded parts score 0). The whole submission has a
    time budget after which its kernel is killed. One learner's failure never stops the batch.

Before grading, the gradebook is copied to ``backups/`` (a consistent SQLite backup, renamed
into place atomically). Grading is deterministic: running it again gives the same grades.

Example (needs a course with collected submissions)::

    report = autograde(open_course("my-course"), "foundation", workers=2)
    print(report.table())
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import subprocess
import sqlite3
import sys
import tempfile
import threading
import time
import warnings
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from ..errors import QIDataError
from .course import Course, ensure_venv_on_path
from .progress import ProgressBar

SANDBOX_SCRIPT = Path(__file__).with_name("sandbox.py")
STAGING = Path(".qilab") / "staging"
#: environment variables a learner's kernel must never see
_SECRET_ENV_PREFIXES = ("QILAB_FACULTY_SECRET", "JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN")
OVERSIZE_NOTE = ("**Not graded: your submitted notebook was {size:.1f} MB, larger than the "
                 "{limit:.1f} MB limit.** This is a blank copy of the assignment graded in its "
                 "place, so the autograded parts score 0. Clear large outputs (Kernel → Restart "
                 "and clear all outputs) and submit again, or ask your trainer.")


@dataclass(frozen=True)
class Limits:
    """Limits on each learner's code. ``cell_timeout=None`` uses ``c.Execute.timeout``.

    >>> Limits(memory_mb=1024).memory_mb
    1024
    """

    cell_timeout: int | None = None
    memory_mb: int = 2048
    file_mb: int = 64
    max_notebook_mb: float = 5.0
    max_output_kb: int = 512
    submission_timeout: float = 900.0


@dataclass
class SubmissionResult:
    """What happened to one learner's submission."""

    student: str
    status: str = "graded"  # graded | oversized | failed
    notes: list[str] = field(default_factory=list)
    score: float | None = None
    max_score: float | None = None
    seconds: float = 0.0


@dataclass
class AutogradeReport:
    """The outcome of one ``autograde`` run."""

    assignment: str
    results: list[SubmissionResult]
    backup: Path | None
    seconds: float

    def scores(self) -> dict[str, float | None]:
        """``{learner id: score}`` as the gradebook now holds it."""
        return {r.student: r.score for r in self.results}

    def table(self) -> str:
        """A plain text summary, one line a learner."""
        lines = [f"{'learner':<20} {'status':<10} {'score':>7} {'max':>5}  notes"]
        for r in self.results:
            score = "-" if r.score is None else f"{r.score:g}"
            most = "-" if r.max_score is None else f"{r.max_score:g}"
            lines.append(f"{r.student:<20} {r.status:<10} {score:>7} {most:>5}  "
                         + "; ".join(r.notes))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# kernels

class Sandbox:
    """One started kernel and the private folder it runs in."""

    def __init__(self, km: Any, workdir: Path) -> None:
        self.km = km
        self.workdir = workdir
        self.killed_by_watchdog = False

    @property
    def pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def populate(self, folder: Path) -> None:
        """Copy the submission's files (not its notebooks) into the kernel's folder."""
        for path in folder.rglob("*"):
            rel = path.relative_to(folder)
            if path.suffix == ".ipynb" or any(part.startswith(".") for part in rel.parts):
                continue
            dest = self.workdir / rel
            if path.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
            elif path.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)

    def kill(self) -> None:
        """Kill the kernel and everything it started, and remove its folder."""
        pid = self.pid
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)  # jupyter_client starts kernels in a new session
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.km.provisioner.process.wait(timeout=5)
            except Exception:  # noqa: BLE001 - best effort: the process may be gone already
                pass
        try:
            from jupyter_core.utils import run_sync
            run_sync(self.km.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.workdir, ignore_errors=True)


class KernelPool:
    """Kernels started ahead of need; :meth:`take` hands each out once, never back.

    ``ahead`` kernels boot in the background while the current submission runs. ``planned`` is
    how many kernels will be needed in all, so the pool does not start kernels nobody will use
    (grading a crashed kernel's remaining cells needs one more: it is started on demand).
    """

    def __init__(self, limits: Limits, *, ahead: int = 2, planned: int = 0,
                 kernel_name: str = "python3") -> None:
        self.limits = limits
        self.ahead = max(1, int(ahead))
        self.planned = planned
        self.kernel_name = kernel_name
        self._ready: deque[Sandbox] = deque()
        self.started = 0
        self.base = Path(tempfile.mkdtemp(prefix="qilab-grading-"))

    def _env(self, workdir: Path) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(_SECRET_ENV_PREFIXES)}
        env.update(HOME=str(workdir), TMPDIR=str(workdir / ".tmp"),
                   MPLCONFIGDIR=str(workdir / ".matplotlib"), IPYTHONDIR=str(workdir / ".ipython"),
                   NBGRADER_EXECUTION="autograde", PYTHONDONTWRITEBYTECODE="1",
                   MPLBACKEND="agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        return env

    def _start_one(self) -> Sandbox:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        workdir = Path(tempfile.mkdtemp(prefix="kernel-", dir=self.base))
        (workdir / ".tmp").mkdir()
        km = AsyncKernelManager(kernel_name=self.kernel_name)
        km._kernel_spec = KernelSpec(  # the course's python, through the limits launcher
            argv=[sys.executable, str(SANDBOX_SCRIPT), "--memory-mb", str(self.limits.memory_mb),
                  "--file-mb", str(self.limits.file_mb), "--", "-f", "{connection_file}"],
            display_name="Python 3 (qilab grading sandbox)", language="python",
            interrupt_mode="signal", metadata={})
        km.connection_file = str(workdir / ".kernel.json")
        run_sync(km.start_kernel)(cwd=str(workdir), env=self._env(workdir),
                                  extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started += 1
        return Sandbox(km, workdir)

    def _top_up(self) -> None:
        while len(self._ready) < self.ahead and self.started < self.planned:
            self._ready.append(self._start_one())

    def take(self) -> Sandbox:
        """A fresh, already started kernel (starting more in the background)."""
        if not self._ready:
            self.planned = max(self.planned, self.started + 1)
            self._ready.append(self._start_one())
        box = self._ready.popleft()
        self._top_up()
        return box

    def prime(self) -> None:
        """Start the first kernels now, so they boot while nbgrader loads."""
        self._top_up()

    def close(self) -> None:
        """Kill kernels nobody took and remove the pool's folders."""
        while self._ready:
            self._ready.popleft().kill()
        shutil.rmtree(self.base, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# nbgrader integration

def _safe_execute_class(pool: KernelPool, limits: Limits) -> type:
    """nbgrader's ``Execute`` preprocessor, running each notebook in a pooled sandbox."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbclient.client import NotebookClient
    from nbformat import NotebookNode
    from nbgrader.preprocessors import Execute
    from jupyter_core.utils import run_sync

    max_output = limits.max_output_kb * 1024

    class SafeExecute(Execute):
        """Execute in a fresh pooled kernel; survive timeouts, crashes and floods."""

        def preprocess(self, nb, resources=None, km=None):  # noqa: ANN001 - nbconvert's API
            NotebookClient.__init__(self, nb, None)
            self.reset_execution_trackers()
            self._check_assign_resources(resources)
            if limits.cell_timeout is not None:
                self.timeout = limits.cell_timeout
            path = Path((resources or {}).get("metadata", {}).get("path") or ".")
            self._folder = path
            self._box: Sandbox | None = None
            self._output_sizes: dict[int, int] = {}
            try:
                run_sync(self._run_all)()
            finally:
                self._drop_kernel()
            self.set_widgets_metadata()
            return self.nb, self.resources

        # --- kernels
        async def _fresh_kernel(self) -> None:
            self._box = pool.take()
            self._box.populate(self._folder)
            self.km = self._box.km
            box = self._box
            self._watchdog = threading.Timer(limits.submission_timeout, self._expire, (box,))
            self._watchdog.daemon = True
            self._watchdog.start()
            await self.async_start_new_kernel_client()
            info = await self.async_wait_for_reply(await _ensure(self.kc.kernel_info()))
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]

        @staticmethod
        def _expire(box: Sandbox) -> None:
            box.killed_by_watchdog = True
            pid = box.pid
            if pid:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

        def _drop_kernel(self) -> None:
            if getattr(self, "_watchdog", None) is not None:
                self._watchdog.cancel()
            if getattr(self, "kc", None) is not None:
                try:
                    self.kc.stop_channels()
                except Exception:  # noqa: BLE001
                    pass
                self.kc = None
            if getattr(self, "_box", None) is not None:
                self._box.kill()
                self._box = None
            self.km = None

        async def _run_all(self) -> None:
            for index, cell in enumerate(self.nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                if self._box is None:
                    try:
                        await self._fresh_kernel()
                    except DeadKernelError:
                        self._drop_kernel()
                        await self._fresh_kernel()
                expired_before = self._box.killed_by_watchdog
                try:
                    await self.async_execute_cell(cell, index, store_history=True)
                except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
                    self._mark_failed(cell, exc, expired_before or self._box.killed_by_watchdog)
                    self._drop_kernel()

        def _mark_failed(self, cell: NotebookNode, exc: Exception, expired: bool) -> None:
            if expired:
                why = ("the submission ran past its time budget of "
                       f"{limits.submission_timeout:g} s, so its kernel was stopped")
            elif isinstance(exc, CellTimeoutError):
                why = ("the cell ran past the time limit and did not stop when interrupted, "
                       "so its kernel was stopped")
            else:
                why = ("the kernel stopped while running this cell (the code ended Python, "
                       "crashed, or went over the memory limit)")
            cell.outputs.append(NotebookNode(
                output_type="error", ename="KernelStopped",
                evalue=f"{why}. Cells after this one ran in a fresh kernel.",
                traceback=[f"KernelStopped: {why}. Cells after this one ran in a fresh kernel."]))

        # --- output cap
        def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001 - nbclient's API
            content = msg.get("content", {})
            size = len(json.dumps(content.get("data") or content.get("text") or "",
                                  default=str)) if msg["msg_type"] != "error" else 0
            used = self._output_sizes.get(cell_index, 0)
            if used + size > max_output:
                if used <= max_output:
                    self._output_sizes[cell_index] = max_output + 1
                    outs.append(NotebookNode(
                        output_type="stream", name="stderr",
                        text=f"\n... output stopped here: more than {limits.max_output_kb} KB "
                             "from one cell ...\n"))
                return None
            self._output_sizes[cell_index] = used + size
            return super().output(outs, msg, display_id, cell_index)

    return SafeExecute


async def _ensure(value: Any) -> Any:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        return await value
    return value


def load_nbgrader_config(course: Course) -> Any:
    """The course's ``nbgrader_config.py`` as a traitlets ``Config``."""
    from traitlets.config.loader import PyFileConfigLoader
    return PyFileConfigLoader("nbgrader_config.py", path=str(course.root)).load_config()


# --------------------------------------------------------------------------------------------
# staging: what the converter reads

def _stage(course: Course, assignment: str, students: list[str], limits: Limits,
           results: dict[str, SubmissionResult]) -> Path:
    """Copy submissions to a staging folder, putting a noted blank notebook in place of any
    notebook over the size limit; the learners' own files are never changed."""
    import nbformat

    staging = course.root / STAGING
    shutil.rmtree(staging, ignore_errors=True)
    released = course.root / "release" / assignment
    for student in students:
        src = course.root / "submitted" / student / assignment
        dest = staging / student / assignment
        dest.mkdir(parents=True)
        for path in src.rglob("*"):
            rel = path.relative_to(src)
            if path.is_dir():
                (dest / rel).mkdir(parents=True, exist_ok=True)
                continue
            size_mb = path.stat().st_size / 1e6
            if path.suffix == ".ipynb" and size_mb > limits.max_notebook_mb:
                blank = released / rel
                if not blank.exists():
                    continue  # nbgrader scores a missing notebook 0
                nb = nbformat.read(blank, as_version=4)
                nb.cells.insert(0, nbformat.v4.new_markdown_cell(OVERSIZE_NOTE.format(
                    size=size_mb, limit=limits.max_notebook_mb)))
                nbformat.write(nb, dest / rel)
                results[student].status = "oversized"
                results[student].notes.append(
                    f"{rel} is {size_mb:.1f} MB (limit {limits.max_notebook_mb:g} MB): "
                    "graded as blank")
            else:
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / rel)
    return staging


def backup_gradebook(course: Course, label: str = "autograde") -> Path:
    """Copy the gradebook to ``backups/gradebook-<UTC time>-<label>.db``, atomically.

    Uses SQLite's online backup, so the copy is consistent even if the database is in use.
    """
    course.require_gradebook()
    folder = course.root / "backups"
    folder.mkdir(exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    final = folder / f"gradebook-{stamp}-{label}.db"
    fd, tmp = tempfile.mkstemp(prefix=".gradebook-", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        src = sqlite3.connect(f"file:{course.gradebook}?mode=ro", uri=True)
        dst = sqlite3.connect(tmp)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def _released_kernel_name(course: Course, assignment: str) -> str:
    for nb_path in sorted((course.root / "source" / assignment).glob("*.ipynb")):
        try:
            meta = json.loads(nb_path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            continue
        return meta.get("kernelspec", {}).get("name", "python3")
    return "python3"


def autograde(course: Course, assignment: str, *, student: str | None = None,
              workers: int = 2, timeout: int | None = None, limits: Limits | None = None,
              progress: bool = True, log_level: int = logging.ERROR) -> AutogradeReport:
    """Autograde every collected submission of ``assignment`` (or one learner's).

    Writes the gradebook exactly as ``nbgrader autograde`` does and returns a report with each
    learner's status, notes and score. ``workers`` is how many kernels start ahead of need;
    ``timeout`` (seconds a cell) overrides the course configuration.
    """
    started = time.monotonic()
    course.require_assignment(assignment)
    course.require_gradebook()
    limits = limits or Limits()
    if timeout is not None:
        if timeout <= 0:
            raise QIDataError(f"--timeout must be a positive number of seconds, not {timeout}.",
                              field="timeout")
        limits = Limits(**{**limits.__dict__, "cell_timeout": int(timeout)})
    if workers < 1:
        raise QIDataError(f"--workers must be 1 or more, not {workers}.", field="workers")
    sub_root = course.root / "submitted"
    students = sorted(p.name for p in sub_root.iterdir() if (p / assignment).is_dir()) \
        if sub_root.is_dir() else []
    if student is not None:
        if student not in students:
            raise QIDataError(f"No collected submission of {assignment!r} from learner "
                              f"{student!r}: run `qilab cohort collect {assignment}` first, or "
                              "check the learner id.", field="student")
        students = [student]
    if not students:
        raise QIDataError(f"No submissions of {assignment!r} collected yet: run `qilab cohort "
                          f"collect {assignment}` first.", field="assignment")

    pool = KernelPool(limits, ahead=workers, planned=len(students),
                      kernel_name=_released_kernel_name(course, assignment))
    pool.prime()  # kernels boot while nbgrader loads
    ensure_venv_on_path()
    backup = backup_gradebook(course, f"before-autograde-{assignment}")
    results = {s: SubmissionResult(s) for s in students}
    bar = ProgressBar(len(students), f"Autograding {assignment}") if progress else None
    try:
        warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's, harmless
        staging = _stage(course, assignment, students, limits, results)
        _run_converter(course, assignment, students, staging, pool, limits, results, bar,
                       log_level)
    finally:
        pool.close()
        shutil.rmtree(course.root / STAGING, ignore_errors=True)
        if bar:
            bar.close()
    _read_scores(course, assignment, results)
    return AutogradeReport(assignment, [results[s] for s in students], backup,
                           time.monotonic() - started)


def _run_converter(course: Course, assignment: str, students: list[str], staging: Path,
                   pool: KernelPool, limits: Limits, results: dict[str, SubmissionResult],
                   bar: ProgressBar | None, log_level: int) -> None:
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import Execute

    config = load_nbgrader_config(course)
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.submitted_directory = str(STAGING)
    safe_execute = _safe_execute_class(pool, limits)
    logger = logging.getLogger("qilab.cohort.autograde.nbgrader")
    logger.setLevel(log_level)
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler(sys.stderr))
    logger.propagate = False
    failed: list[str] = []
    clock: dict[str, float] = {}

    class SafeAutograde(Autograde):
        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            clock[student_id] = time.monotonic()
            super().init_assignment(assignment_id, student_id)

        def set_permissions(self, assignment_id: str, student_id: str) -> None:
            super().set_permissions(assignment_id, student_id)
            results[student_id].seconds = time.monotonic() - clock.get(student_id, 0)
            if bar:
                bar.advance(note=student_id)

    for student in students:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        converter = SafeAutograde(coursedir=coursedir, config=config, log=logger)
        converter.force = True
        converter.autograde_preprocessors = [
            safe_execute if pp is Execute else pp for pp in converter.autograde_preprocessors]
        try:
            converter.start()
        except NbGraderException as exc:
            failed.append(student)
            results[student].status = "failed"
            results[student].notes.append(f"nbgrader could not grade it: {exc}")
            if bar:
                bar.advance(note=f"{student} (failed)")
        except Exception as exc:  # noqa: BLE001 - one learner must not stop the batch
            failed.append(student)
            results[student].status = "failed"
            results[student].notes.append(f"{type(exc).__name__}: {exc}")
            if bar:
                bar.advance(note=f"{student} (failed)")


def _read_scores(course: Course, assignment: str, results: dict[str, SubmissionResult]) -> None:
    from nbgrader.api import Gradebook, MissingEntry
    with Gradebook(course.db_url, course.course_id) as gb:
        for student, result in results.items():
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            result.score = float(sub.score)
            result.max_score = float(sub.max_score)
            if sub.total_seconds_late > 0:
                result.notes.append(f"late by {sub.total_seconds_late / 3600:.1f} h")

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
    Each kernel runs in the grading sandbox (:mod:`qilab.cohort.sandbox`): its own uid (or an
    unprivileged user namespace), its own PID, mount and network namespaces and control group,
    a fresh read-only root holding only what a notebook needs and a copy of that one
    submission, and an environment built from nothing; memory, processes, CPU time, files and
    disk are limited. Where no sandbox is possible, autograde refuses unless the trainer passes
    ``unsafe_no_sandbox``. A cell that runs too long is interrupted and marked as an error (its
    test scores 0); a kernel that dies (``os._exit``, a crash, the memory limit), freezes or
    ignores the interrupt is killed with everything it started, the cell is marked as an error
    with the reason and grading goes on with the next cell in a fresh kernel. Output is capped
    while it arrives (per cell and per notebook), so a flood cannot exhaust the grader's memory.
    A notebook file too large, not UTF-8 or nested too deeply is not parsed: the learner's blank
    released notebook is graded in its place with a note saying why (all its autograded parts
    score 0). The whole submission has a time budget after which its sandbox is killed. A seal
    on the installed ``qilab`` is checked before each learner's marks are written. One
    learner's failure never stops the batch.

Before grading, the gradebook is copied to ``backups/`` (a consistent SQLite backup, renamed
into place atomically). Grading is deterministic: running it again gives the same grades.

Example (needs a course with collected submissions)::

    report = autograde(open_course("my-course"), "foundation", workers=2)
    print(report.table())
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import re
import shutil
import signal
import sqlite3
import subprocess
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
from . import marking
from .course import Course, ensure_venv_on_path
from .progress import ProgressBar
from .sandbox import (
    LAUNCHER,
    UNSAFE_NOTE,
    ControlGroup,
    IntegrityError,
    PackageSeal,
    UidPool,
    detect_mode,
    kernel_env,
    read_only_binds,
    write_plan,
)

STAGING = Path(".qilab") / "staging"
#: the longest error message or traceback line kept from a kernel
_MAX_ERROR_CHARS = 4000
REJECTED_NOTE = ("**Not graded: your submitted notebook {why}.** This is a blank copy of the "
                 "assignment graded in its place, so the autograded parts score 0. Save it again "
                 "from JupyterLab and submit again, or ask your trainer.")
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
    max_total_output_kb: int = 2048
    submission_timeout: float = 900.0
    processes: int = 64
    cpu_seconds: int = 600
    disk_mb: int = 256
    max_json_depth: int = 64
    max_message_mb: int = 16


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
    """One started kernel: its launcher process, uid, control group and private folder."""

    def __init__(self, km: Any, workdir: Path, root: Path | None = None, *,
                 uid: int | None = None, uids: UidPool | None = None,
                 cgroup: ControlGroup | None = None, populated: bool = False) -> None:
        self.km = km
        self.workdir = workdir
        self.root = root or workdir
        self.uid = uid
        self.uids = uids
        self.cgroup = cgroup
        self.populated = populated
        self.killed_by_watchdog = False

    @property
    def pid(self) -> int | None:
        proc = getattr(getattr(self.km, "provisioner", None), "process", None)
        return getattr(proc, "pid", None)

    def populate(self, folder: Path) -> None:
        """Copy the submission's files (not its notebooks) into the kernel's folder, unless
        the launcher already put them in the sandbox."""
        if self.populated:
            return
        for path in folder.rglob("*"):
            rel = path.relative_to(folder)
            if path.suffix == ".ipynb" or any(part.startswith(".") for part in rel.parts) \
                    or path.is_symlink():
                continue
            dest = self.workdir / rel
            if path.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
            elif path.is_file():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)
        self.populated = True

    def stop_now(self) -> None:
        """Kill the kernel and everything it started; safe to call from the watchdog thread.

        Its control group is killed (frozen first), and the launcher is told to end: it kills
        the sandbox's first process, which ends the PID namespace and everything in it, and
        waits for it, so no process is left behind, not even as a zombie. Without a sandbox,
        the kernel's process group is killed."""
        if self.cgroup is not None:
            self.cgroup.kill()
        pid = self.pid
        if pid:
            try:
                if self.cgroup is None and self.uid is None:
                    os.killpg(pid, signal.SIGKILL)  # no sandbox: its process group
                else:
                    os.kill(pid, signal.SIGTERM)  # the launcher: see sandbox/launcher.py
            except (ProcessLookupError, PermissionError):
                pass

    def kill(self) -> None:
        """Kill the kernel and everything it started, and remove its folder and group."""
        self.stop_now()
        pid = self.pid
        if pid:
            try:
                self.km.provisioner.process.wait(timeout=5)
            except Exception:  # noqa: BLE001 - the launcher did not end: use force
                try:
                    os.killpg(pid, signal.SIGKILL)
                    self.km.provisioner.process.wait(timeout=5)
                except Exception:  # noqa: BLE001 - best effort: it may be gone already
                    pass
        try:
            from jupyter_core.utils import run_sync
            run_sync(self.km.cleanup_resources)()
        except Exception:  # noqa: BLE001
            pass
        if self.cgroup is not None:
            self.cgroup.kill()
            self.cgroup.remove()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.uids is not None and self.uid is not None:
            self.uids.release(self.uid)


class KernelPool:
    """Kernels started ahead of need, one per submission; :meth:`take` hands each out once.

    ``plan`` is the order in which learners will be graded. Each kernel starts in the grading
    sandbox (:mod:`qilab.cohort.sandbox`, in ``mode`` root, userns or none) in a working folder
    shaped like nbgrader's (``.../autograded/<learner>/<assignment>``, so code that works out
    the learner from its folder, as :mod:`qilab.cohort.identity` does, sees the same learner
    as under ``nbgrader autograde``) holding a copy of that learner's staged files from
    ``staging``; ``ahead`` kernels boot in the background while the current submission runs.
    A kernel is never handed to a second learner.
    """

    def __init__(self, limits: Limits, assignment: str, plan: list[str], *, ahead: int = 2,
                 kernel_name: str = "python3", preload: tuple[str, ...] = (),
                 mode: str = "none", staging: Path | None = None) -> None:
        import zmq
        import zmq.asyncio

        self.limits = limits
        self.preload = preload
        self.assignment = assignment
        self.ahead = max(1, int(ahead))
        self.kernel_name = kernel_name
        self.mode = mode
        self.staging = staging
        self._plan: deque[str] = deque(plan)
        self._ready: deque[tuple[str, Sandbox]] = deque()
        self.started = 0
        #: what happened to each learner's kernels (timeouts, crashes), for the report
        self.notes: dict[str, list[str]] = {}
        self.base = Path(tempfile.mkdtemp(prefix="qilab-grading-"))
        self.uids = UidPool() if mode == "root" else None
        self.binds = read_only_binds() if mode != "none" else []
        # no message from a kernel may be larger than this: the grader's memory is not theirs
        self.context = zmq.asyncio.Context()
        self.context.setsockopt(zmq.MAXMSGSIZE, limits.max_message_mb * 1024 * 1024)

    def _launch_plan(self, student: str, box_root: Path, ipc: Path) -> tuple[dict, Sandbox]:
        src = self.staging / student / self.assignment if self.staging else None
        copy_from = str(src) if src is not None and src.is_dir() else None
        uid = self.uids.acquire() if self.uids is not None else os.getuid()
        limits = {"memory_mb": self.limits.memory_mb, "file_mb": self.limits.file_mb,
                  "cpu_seconds": self.limits.cpu_seconds, "processes": self.limits.processes,
                  "nofile": 1024}
        plan: dict[str, Any] = {"mode": self.mode, "uid": uid, "gid": uid, "limits": limits,
                                "python": sys.executable, "launcher": str(LAUNCHER),
                                "preload": list(self.preload)}
        if self.mode == "none":
            workdir = box_root / "autograded" / student / self.assignment
            workdir.mkdir(parents=True)
            tmp = box_root / "tmp"
            tmp.mkdir()
            plan.update(workdir=str(workdir), env=kernel_env(str(workdir), str(tmp)))
            box = Sandbox(None, workdir, box_root)
            if src is not None and src.is_dir():
                box.populate(src)
            return plan, box
        workdir = f"/grading/autograded/{student}/{self.assignment}"
        (box_root / "root").mkdir()
        cgroup = None
        if self.mode == "root":
            os.chown(ipc, uid, uid)
            cgroup = ControlGroup.create(f"{self.base.name}-{box_root.name}",
                                         self.limits.memory_mb, self.limits.processes)
        plan.update(workdir=workdir, env=kernel_env(workdir, "/tmp"), ipc_dir=str(ipc),
                    root_dir=str(box_root / "root"), disk_mb=self.limits.disk_mb,
                    binds=self.binds, copy_from=copy_from,
                    cgroups=[str(p) for p in cgroup.paths] if cgroup else [])
        return plan, Sandbox(None, Path(workdir), box_root, uid=uid, uids=self.uids,
                             cgroup=cgroup, populated=True)

    def _start_one(self, student: str) -> Sandbox:
        from jupyter_client.kernelspec import KernelSpec
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        box_root = Path(tempfile.mkdtemp(prefix="k", dir=self.base))
        ipc = box_root / "ipc"
        ipc.mkdir(mode=0o700)
        plan, box = self._launch_plan(student, box_root, ipc)
        plan_path = write_plan(box_root, plan)
        km = AsyncKernelManager(kernel_name=self.kernel_name, transport="ipc",
                                ip=str(ipc / "k"), context=self.context)
        km.client = functools.partial(type(km).client, km, context=self.context)
        km._kernel_spec = KernelSpec(  # the course's python, through the sandbox launcher
            argv=[sys.executable, str(LAUNCHER), str(plan_path), "--", "-f",
                  "{connection_file}"],
            display_name="Python 3 (qilab grading sandbox)", language="python",
            interrupt_mode="signal", metadata={})
        km.connection_file = str(ipc / "connection.json")
        box.km = km
        try:
            run_sync(km.start_kernel)(cwd=str(box_root), env=dict(plan["env"]),
                                      extra_arguments=["--HistoryManager.hist_file=:memory:"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except BaseException:
            box.kill()
            raise
        self.started += 1
        return box

    def _top_up(self) -> None:
        while len(self._ready) < self.ahead and self._plan:
            student = self._plan.popleft()
            self._ready.append((student, self._start_one(student)))

    def take(self, student: str) -> Sandbox:
        """A fresh, already started kernel for ``student`` (starting more in the background)."""
        box = None
        if self._ready and self._ready[0][0] == student:
            box = self._ready.popleft()[1]
        else:
            for i, (who, candidate) in enumerate(self._ready):
                if who == student:
                    del self._ready[i]
                    box = candidate
                    break
        if box is None:
            if student in self._plan:
                self._plan.remove(student)
            box = self._start_one(student)  # a replacement after a crash, or off plan
        self._top_up()
        return box

    def prime(self) -> None:
        """Start the first kernels now, so they boot while nbgrader loads."""
        self._top_up()

    def close(self) -> None:
        """Kill kernels nobody took and remove the pool's folders."""
        while self._ready:
            self._ready.popleft()[1].kill()
        shutil.rmtree(self.base, ignore_errors=True)
        self.context.destroy(linger=0)


# --------------------------------------------------------------------------------------------
# nbgrader integration

def _safe_execute_class(pool: KernelPool, limits: Limits, seal: PackageSeal) -> type:
    """nbgrader's ``Execute`` preprocessor, running each notebook in a pooled sandbox."""
    from jupyter_core.utils import run_sync
    from nbclient.client import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from nbformat import NotebookNode
    from nbgrader.preprocessors import Execute

    max_output = limits.max_output_kb * 1024
    max_total = limits.max_total_output_kb * 1024

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
            self._deadline = time.monotonic() + limits.submission_timeout
            self._total_output = 0
            try:
                run_sync(self._run_all)()
            finally:
                self._drop_kernel()
            seal.check()  # before nbgrader writes this learner's marks
            self.set_widgets_metadata()
            return self.nb, self.resources

        # --- kernels
        async def _fresh_kernel(self) -> None:
            self._box = pool.take(self.resources["nbgrader"]["student"])
            self._box.populate(self._folder)
            self.km = self._box.km
            box = self._box
            left = max(1.0, self._deadline - time.monotonic())
            self._watchdog = threading.Timer(left, self._expire, (box,))
            self._watchdog.daemon = True
            self._watchdog.start()
            await self.async_start_new_kernel_client()
            info = await self.async_wait_for_reply(await _ensure(self.kc.kernel_info()))
            if info is not None and "language_info" in info["content"]:
                self.nb.metadata["language_info"] = info["content"]["language_info"]

        @staticmethod
        def _expire(box: Sandbox) -> None:
            box.killed_by_watchdog = True
            box.stop_now()

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
                if time.monotonic() >= self._deadline:
                    cell.outputs = [NotebookNode(
                        output_type="error", ename="NotRun",
                        evalue="not run: the submission used up its time budget",
                        traceback=["NotRun: the submission used up its time budget of "
                                   f"{limits.submission_timeout:g} s"])]
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
                    await marking.take_answers(self, cell)  # values for the grader
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
            student = self.resources["nbgrader"]["student"]
            pool.notes.setdefault(student, []).append(
                f"kernel stopped in cell {cell.metadata.get('nbgrader', {}).get('grade_id') or '?'}"
                f": {why}")
            cell.outputs.append(NotebookNode(
                output_type="error", ename="KernelStopped",
                evalue=f"{why}. Cells after this one ran in a fresh kernel.",
                traceback=[f"KernelStopped: {why}. Cells after this one ran in a fresh kernel."]))

        # --- output caps: per cell, and for the whole notebook
        def output(self, outs, msg, display_id, cell_index):  # noqa: ANN001 - nbclient's API
            content = msg.get("content", {})
            if msg["msg_type"] == "error":  # a traceback is kept, but never a huge one
                content["evalue"] = str(content.get("evalue", ""))[:_MAX_ERROR_CHARS]
                content["traceback"] = [str(line)[:_MAX_ERROR_CHARS] for line in
                                        content.get("traceback", [])[:200]]
                return super().output(outs, msg, display_id, cell_index)
            size = len(json.dumps(content.get("data") or content.get("text") or "",
                                  default=str))
            used = self._output_sizes.get(cell_index, 0)
            if used + size > max_output or self._total_output + size > max_total:
                if used <= max_output:
                    self._output_sizes[cell_index] = max_output + 1
                    why = (f"more than {limits.max_output_kb} KB from one cell"
                           if used + size > max_output else
                           f"more than {limits.max_total_output_kb} KB from this notebook")
                    outs.append(NotebookNode(
                        output_type="stream", name="stderr",
                        text=f"\n... output stopped here: {why} ...\n"))
                return None
            self._output_sizes[cell_index] = used + size
            self._total_output += size
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
           results: dict[str, SubmissionResult]) -> Path:  # noqa: C901
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
            why = notebook_problem(path, limits) if path.suffix == ".ipynb" else None
            if why is not None:
                blank = released / rel
                if not blank.exists():
                    continue  # nbgrader scores a missing notebook 0
                nb = nbformat.read(blank, as_version=4)
                oversized = size_mb > limits.max_notebook_mb
                note = OVERSIZE_NOTE.format(size=size_mb, limit=limits.max_notebook_mb) \
                    if oversized else REJECTED_NOTE.format(why=why)
                nb.cells.insert(0, nbformat.v4.new_markdown_cell(note))
                nbformat.write(nb, dest / rel)
                results[student].status = "oversized" if oversized else "rejected"
                results[student].notes.append(f"{rel} {why}: graded as blank")
            else:
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / rel)
                if path.suffix == ".ipynb" and (released / rel).exists():
                    fixed = _restore_metadata(dest / rel, released / rel)
                    if fixed:
                        results[student].notes.append(
                            f"nbgrader metadata restored in {fixed} cell(s) of {rel}")
    return staging


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of JSON ``text`` nest, found without parsing it (a
    parser would recurse that deep).

    >>> json_depth('{"a": [1, {"b": "[[["}]}')
    3
    """
    depth = deepest = 0
    for match in _BRACKETS.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def notebook_problem(path: Path, limits: Limits) -> str | None:
    """Why the notebook at ``path`` must not be parsed (too large, not UTF-8, nested too
    deeply), or None. Read as bytes only; nothing is parsed.

    >>> import tempfile, pathlib
    >>> nb = pathlib.Path(tempfile.mkdtemp()) / "deep.ipynb"
    >>> _ = nb.write_text("[" * 500 + "]" * 500)
    >>> notebook_problem(nb, Limits())
    'is nested 500 levels deep (limit 64)'
    """
    size = path.stat().st_size
    if size > limits.max_notebook_mb * 1e6:
        return f"is {size / 1e6:.1f} MB (limit {limits.max_notebook_mb:g} MB)"
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"is not UTF-8 text (byte {exc.start})"
    depth = json_depth(text)
    if depth > limits.max_json_depth:
        return f"is nested {depth} levels deep (limit {limits.max_json_depth})"
    return None


def _restore_metadata(path: Path, released: Path) -> int:
    """Put back the released nbgrader metadata (points, grade ids, locked, grade) on every cell
    a learner's notebook shares with the released one, and drop grading metadata from cells the
    learner invented; return how many cells changed. nbgrader itself would reject such a
    notebook outright; this way it is graded as released. Files that are not notebooks are
    left for nbgrader to report."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        ref = json.loads(released.read_text(encoding="utf-8"))
        cells = nb["cells"]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return 0
    by_id = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id"): c["metadata"]["nbgrader"]
             for c in ref.get("cells", []) if c.get("metadata", {}).get("nbgrader")}
    changed = 0
    for cell in cells if isinstance(cells, list) else []:
        meta = cell.get("metadata") if isinstance(cell, dict) else None
        if not isinstance(meta, dict) or "nbgrader" not in meta:
            continue
        mine = meta["nbgrader"]
        gid = mine.get("grade_id") if isinstance(mine, dict) else None
        if gid in by_id:
            if mine != by_id[gid]:
                meta["nbgrader"] = by_id[gid]
                changed += 1
        else:
            del meta["nbgrader"]
            changed += 1
    if changed:
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return changed


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
              progress: bool = True, log_level: int = logging.ERROR,
              unsafe_no_sandbox: bool = False) -> AutogradeReport:
    """Autograde every collected submission of ``assignment`` (or one learner's).

    Writes the gradebook exactly as ``nbgrader autograde`` does and returns a report with each
    learner's status, notes and score. ``workers`` is how many kernels start ahead of need;
    ``timeout`` (seconds a cell) overrides the course configuration.

    Learners' code runs in the grading sandbox (:mod:`qilab.cohort.sandbox`); where it cannot
    (neither root nor unprivileged user namespaces) this raises
    :class:`~qilab.cohort.sandbox.SandboxUnavailable`, unless ``unsafe_no_sandbox`` is set, in
    which case learners' code runs as the grader (resource limits only) and every report line
    says so.
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

    mode = detect_mode(allow_unsafe=unsafe_no_sandbox)
    ensure_venv_on_path()
    with _only_one_run(course):
        return _autograde_locked(course, assignment, students, limits, workers, progress,
                                 log_level, started, mode)


@contextlib.contextmanager
def _only_one_run(course: Course) -> Any:
    """Refuse a second autograde of the same course while one is running."""
    import fcntl
    lock = course.root / ".qilab" / "autograde.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise QIDataError(f"Another autograde is running in {course.root}: wait for it to "
                              "finish.", field="course-dir") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _autograde_locked(course: Course, assignment: str, students: list[str], limits: Limits,
                      workers: int, progress: bool, log_level: int,
                      started: float, mode: str) -> AutogradeReport:
    backup = backup_gradebook(course, f"before-autograde-{assignment}")
    results = {s: SubmissionResult(s) for s in students}
    workers = min(workers, len(students))
    bar = ProgressBar(len(students), f"Autograding {assignment}") if progress else None
    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's, harmless
    seal = PackageSeal()
    if mode == "none":
        for result in results.values():
            result.notes.append(UNSAFE_NOTE)
    try:
        _stage(course, assignment, students, limits, results)
        if workers == 1:
            done = _grade_group(course, assignment, students, limits, 2, log_level,
                                lambda who, ok: bar.advance(note=who) if bar else None,
                                mode=mode, seal=seal)
            _merge(results, done)
        else:
            _grade_in_workers(course, assignment, students, limits, workers, log_level,
                              results, bar, mode, seal)
    finally:
        shutil.rmtree(course.root / STAGING, ignore_errors=True)
        if bar:
            bar.close()
    _read_scores(course, assignment, results)
    return AutogradeReport(assignment, [results[s] for s in students], backup,
                           time.monotonic() - started)


def _merge(results: dict[str, SubmissionResult], done: dict[str, SubmissionResult]) -> None:
    for who, res in done.items():
        results[who].status = res.status if results[who].status == "graded" else \
            results[who].status
        results[who].notes.extend(res.notes)
        results[who].seconds = res.seconds


def _grade_in_workers(course: Course, assignment: str, students: list[str], limits: Limits,
                      workers: int, log_level: int, results: dict[str, SubmissionResult],
                      bar: ProgressBar | None, mode: str, seal: PackageSeal) -> None:
    """Grade in ``workers`` processes, each a share of the learners (round robin) with its own
    kernel pool; gradebook access is serialised by a lock file."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    groups = [students[i::workers] for i in range(workers)]
    procs = [ctx.Process(target=_worker_main, args=(course, assignment, g, limits, log_level,
                                                    queue, mode, seal), daemon=False)
             for g in groups]
    for proc in procs:
        proc.start()
    finished = 0
    seen: set[str] = set()
    while finished < len(procs):
        try:
            kind, payload = queue.get(timeout=5)
        except Exception:  # noqa: BLE001 - queue.Empty: check for workers that died
            if all(not p.is_alive() for p in procs):
                break
            continue
        if kind == "one":
            seen.add(payload)
            if bar:
                bar.advance(note=payload)
        elif kind == "group":
            finished += 1
            _merge(results, payload)
        elif kind == "broken":
            for proc in procs:
                proc.kill()
            raise IntegrityError(payload, field="qilab")
    for proc in procs:
        proc.join(timeout=30)
    for who in students:
        if who not in seen and results[who].status == "graded":
            results[who].status = "failed"
            results[who].notes.append("its grading worker stopped before reaching it")


def _fresh_after_fork() -> None:
    """A forked worker gets its own event loop, and forgets jupyter_core's background loop
    runners: their threads stayed in the parent, so waiting on them would hang forever."""
    try:
        from jupyter_core import utils
        utils._runner_map.clear()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        utils._loop.set(loop)
    except (ImportError, AttributeError):
        asyncio.set_event_loop(asyncio.new_event_loop())


def _worker_main(course: Course, assignment: str, students: list[str], limits: Limits,
                 log_level: int, queue: Any, mode: str, seal: PackageSeal) -> None:
    _fresh_after_fork()
    try:
        done = _grade_group(course, assignment, students, limits, 1, log_level,
                            lambda who, ok: queue.put(("one", who)),
                            after_prime=lambda: _serialise_gradebook(course), mode=mode,
                            seal=seal)
    except IntegrityError as exc:
        queue.put(("broken", str(exc)))
        return
    queue.put(("group", done))


_lock_depth = 0
_lock_handle: Any = None


def _serialise_gradebook(course: Course) -> None:
    """Make every ``with Gradebook(...)`` in this process hold ``.qilab/gradebook.lock``
    (re-entrant within the process), so worker processes write the gradebook one at a time."""
    import fcntl

    from nbgrader.api import Gradebook

    lock_path = course.root / ".qilab" / "gradebook.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    enter, exit_ = Gradebook.__enter__, Gradebook.__exit__

    def locked_enter(self: Any) -> Any:
        global _lock_depth, _lock_handle
        if _lock_depth == 0:
            _lock_handle = open(lock_path, "a")
            fcntl.flock(_lock_handle, fcntl.LOCK_EX)
        _lock_depth += 1
        try:
            return enter(self)
        except BaseException:
            _release()
            raise

    def _release() -> None:
        global _lock_depth, _lock_handle
        _lock_depth -= 1
        if _lock_depth == 0 and _lock_handle is not None:
            fcntl.flock(_lock_handle, fcntl.LOCK_UN)
            _lock_handle.close()
            _lock_handle = None

    def locked_exit(self: Any, *exc: Any) -> Any:
        try:
            return exit_(self, *exc)
        finally:
            _release()

    Gradebook.__enter__ = locked_enter  # type: ignore[method-assign]
    Gradebook.__exit__ = locked_exit  # type: ignore[method-assign]


def source_imports(course: Course, assignment: str) -> tuple[str, ...]:
    """Modules the assignment's *source* notebooks import at the top level of a cell (the
    trusted version, not a learner's), for the kernels to load ahead of need."""
    import ast as _ast
    found: list[str] = []
    for nb_path in sorted((course.root / "source" / assignment).glob("*.ipynb")):
        try:
            cells = json.loads(nb_path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue
        for cell in cells:
            if cell.get("cell_type") != "code":
                continue
            src = "".join(cell.get("source", []))
            src = "\n".join(line for line in src.splitlines()
                            if not line.lstrip().startswith(("%", "!")))
            try:
                tree = _ast.parse(src)
            except SyntaxError:
                continue
            for node in tree.body:
                names = ([a.name for a in node.names] if isinstance(node, _ast.Import) else
                         [node.module] if isinstance(node, _ast.ImportFrom) and node.module
                         and not node.level else [])
                found.extend(n for n in names if n not in found)
    return tuple(found)


def _grade_group(course: Course, assignment: str, students: list[str], limits: Limits,
                 ahead: int, log_level: int, notify: Callable[[str, bool], Any],
                 after_prime: Callable[[], Any] | None = None, *, mode: str = "none",
                 seal: PackageSeal | None = None) -> dict[str, SubmissionResult]:
    """Grade ``students`` one after another in this process, with kernels started ahead."""
    sub_root = course.root / "submitted"
    plan = [s for s in students for _ in range(max(1, len(list(
        (sub_root / s / assignment).glob("*.ipynb")))))]
    pool = KernelPool(limits, assignment, plan, ahead=ahead,
                      kernel_name=_released_kernel_name(course, assignment),
                      preload=source_imports(course, assignment), mode=mode,
                      staging=course.root / STAGING)
    pool.prime()  # kernels boot while nbgrader loads
    if after_prime:
        after_prime()
    results = {s: SubmissionResult(s) for s in students}
    try:
        _run_converter(course, assignment, students, pool, limits, results, notify, log_level,
                       seal or PackageSeal())
    finally:
        pool.close()
    return results


def _run_converter(course: Course, assignment: str, students: list[str], pool: KernelPool,
                   limits: Limits, results: dict[str, SubmissionResult],
                   notify: Callable[[str, bool], Any], log_level: int,
                   seal: PackageSeal) -> None:
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.preprocessors import Execute, SaveAutoGrades

    config = load_nbgrader_config(course)
    config.CourseDirectory.root = str(course.root)
    config.CourseDirectory.submitted_directory = str(STAGING)
    safe_execute = _safe_execute_class(pool, limits, seal)
    logger = logging.getLogger("qilab.cohort.autograde.nbgrader")
    logger.setLevel(log_level)
    if not logger.handlers:
        logger.addHandler(logging.StreamHandler(sys.stderr))
    logger.propagate = False
    clock: dict[str, float] = {}

    class SafeAutograde(Autograde):
        def init_assignment(self, assignment_id: str, student_id: str) -> None:
            clock[student_id] = time.monotonic()
            super().init_assignment(assignment_id, student_id)

        def set_permissions(self, assignment_id: str, student_id: str) -> None:
            super().set_permissions(assignment_id, student_id)
            results[student_id].seconds = time.monotonic() - clock.get(student_id, 0)

    for student in students:
        coursedir = CourseDirectory(config=config)
        coursedir.assignment_id = assignment
        coursedir.student_id = student
        converter = SafeAutograde(coursedir=coursedir, config=config, log=logger)
        converter.force = True
        converter.autograde_preprocessors = [  # marks from the grader (qilab.cohort.marking)
            safe_execute if pp is Execute else marking.save_grader_marks()
            if pp is SaveAutoGrades else pp for pp in converter.autograde_preprocessors]
        ok = True
        try:
            converter.start()
        except NbGraderException as exc:
            ok = False
            results[student].status = "failed"
            results[student].notes.append(f"nbgrader could not grade it: {exc}")
        except Exception as exc:  # noqa: BLE001 - one learner must not stop the batch
            ok = False
            results[student].status = "failed"
            results[student].notes.append(f"{type(exc).__name__}: {exc}")
        results[student].notes.extend(pool.notes.pop(student, []))
        if seal.broken:
            raise IntegrityError(f"The installed qilab package changed while {student} was "
                                 f"graded ({', '.join(seal.broken[:5])}): grading stopped and "
                                 "no further marks were written.", field="qilab")
        notify(student, ok)


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

"""The grader's side of the grading sandbox: which mode works here, a pool of uids, control
groups, the plan each kernel's launcher follows, and a seal on the installed ``qilab``.

Nothing here runs learner code; :mod:`qilab.cohort.sandbox.launcher` does, as another user.

>>> mode = detect_mode(allow_unsafe=True)
>>> mode in ("root", "userns", "none")
True
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import QIDataError

LAUNCHER = Path(__file__).with_name("launcher.py")
#: first uid of the pool of grading uids (numeric, no passwd entry); override with this variable
UID_BASE_ENV = "QILAB_SANDBOX_UID_BASE"
UID_BASE = 1_900_000_000
UID_POOL_SIZE = 4096
LOCK_DIR = Path("/run/qilab-sandbox")
CGROUP_ROOT = Path("/sys/fs/cgroup")
UNSAFE_NOTE = ("UNSAFE GRADING: learners' code runs as you, with your files, your processes and "
               "the course folder within its reach (--unsafe-no-sandbox).")


class SandboxUnavailable(QIDataError):
    """Neither root nor unprivileged user namespaces: learner code cannot be confined here."""


class IntegrityError(QIDataError):
    """The installed ``qilab`` changed during grading: no marks may be written."""


def _namespaces_work(*, user: bool) -> bool:
    """Whether this machine lets us make the namespaces the sandbox needs (a quick probe)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    own = ["--user", "--map-root-user"] if user else []
    try:
        done = subprocess.run([unshare, *own, "--pid", "--fork", "--mount", "--net", "true"],
                              capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _userns_works() -> bool:
    return _namespaces_work(user=True)


def detect_mode(*, allow_unsafe: bool = False) -> str:
    """``root`` (a uid of its own per submission), ``userns`` (an unprivileged user namespace)
    or, only when the trainer passed ``allow_unsafe``, ``none``.

    Raises :class:`SandboxUnavailable` when learner code cannot be confined and the trainer did
    not opt out, so grading never silently falls back to running learners' code as the grader.
    """
    if sys.platform == "linux":
        if os.geteuid() == 0 and _namespaces_work(user=False):
            return "root"
        if _userns_works():
            return "userns"
    if allow_unsafe:
        return "none"
    raise SandboxUnavailable(
        "Cannot autograde safely here: learners' code must run as another user, which needs "
        "either root (a pool of grading uids) or unprivileged user namespaces "
        "(sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0). Run "
        "autograde as root (for example a dedicated grader service), or enable user "
        "namespaces. Only on a machine with nothing else worth protecting, pass "
        "--unsafe-no-sandbox to run learners' code as you.", field="sandbox")


class UidPool:
    """Numeric uids with no passwd entry, one per running kernel, held by a lock file."""

    def __init__(self, base: int | None = None, size: int = UID_POOL_SIZE,
                 lock_dir: Path = LOCK_DIR) -> None:
        self.base = int(os.environ.get(UID_BASE_ENV, base or UID_BASE))
        self.size = size
        self.lock_dir = lock_dir
        self._held: dict[int, int] = {}

    def acquire(self) -> int:
        """A uid no other kernel on this machine holds."""
        self.lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        start = secrets.randbelow(self.size)
        for i in range(self.size):
            uid = self.base + (start + i) % self.size
            fd = os.open(self.lock_dir / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self._held[uid] = fd
            return uid
        raise QIDataError("Every grading uid is in use: too many kernels at once.",
                          field="sandbox")

    def release(self, uid: int) -> None:
        fd = self._held.pop(uid, None)
        if fd is not None:
            os.close(fd)


def _cgroup_version() -> int:
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return 2
    if (CGROUP_ROOT / "memory").is_dir() and (CGROUP_ROOT / "pids").is_dir():
        return 1
    return 0


@dataclass
class ControlGroup:
    """One control group (v1: memory, pids and freezer; v2: one unified group) per kernel."""

    name: str
    paths: list[Path] = field(default_factory=list)
    version: int = 0

    @classmethod
    def create(cls, name: str, memory_mb: int, processes: int) -> "ControlGroup":
        """Make the group with its limits; empty (no paths) where control groups cannot be
        used, in which case the PID namespace and per-process limits still apply."""
        group = cls(name, version=_cgroup_version())
        try:
            if group.version == 1:
                for ctrl in ("memory", "pids", "freezer"):
                    path = CGROUP_ROOT / ctrl / "qilab" / name
                    if (CGROUP_ROOT / ctrl).is_dir():
                        path.mkdir(parents=True, exist_ok=True)
                        group.paths.append(path)
                group._write("memory", "memory.limit_in_bytes", memory_mb * 1024 * 1024)
                group._write("memory", "memory.memsw.limit_in_bytes", memory_mb * 1024 * 1024,
                             optional=True)
                group._write("pids", "pids.max", processes)
            elif group.version == 2:
                parent = CGROUP_ROOT / "qilab"
                parent.mkdir(exist_ok=True)
                for where in (CGROUP_ROOT, parent):
                    (where / "cgroup.subtree_control").write_text("+memory +pids")
                path = parent / name
                path.mkdir(exist_ok=True)
                group.paths.append(path)
                (path / "memory.max").write_text(str(memory_mb * 1024 * 1024))
                (path / "pids.max").write_text(str(processes))
                swap = path / "memory.swap.max"
                if swap.exists():
                    swap.write_text("0")
        except OSError:
            group.remove()
            group.paths = []
        return group

    def _write(self, ctrl: str, name: str, value: object, optional: bool = False) -> None:
        for path in self.paths:
            if path.parts[-3] == ctrl:
                try:
                    (path / name).write_text(str(value))
                except OSError:
                    if not optional:
                        raise

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            try:
                found.update(int(x) for x in (path / "cgroup.procs").read_text().split())
            except (OSError, ValueError):
                pass
        return found

    def kill(self) -> None:
        """SIGKILL every process in the group (frozen first on v1, so none can fork away)."""
        if not self.paths:
            return
        freezer = next((p for p in self.paths if "freezer" in p.parts), None)
        kill_file = self.paths[0] / "cgroup.kill"
        if self.version == 2 and kill_file.exists():
            try:
                kill_file.write_text("1")
            except OSError:
                pass
        for _ in range(100):
            if freezer is not None:
                _try_write(freezer / "freezer.state", "FROZEN")
            alive = self.pids()
            for pid in alive:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            if freezer is not None:
                _try_write(freezer / "freezer.state", "THAWED")
            if not alive:
                return
            time.sleep(0.02)

    def remove(self) -> None:
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError as exc:
                    if exc.errno != errno.EBUSY:
                        break
                    time.sleep(0.02)


def _try_write(path: Path, text: str) -> None:
    try:
        path.write_text(text)
    except OSError:
        pass


def read_only_binds() -> list[str]:
    """What the sandbox sees of this machine besides ``/usr``: the Python installation, the
    virtual environment and the ``qilab`` package (all read-only)."""
    import qilab
    paths = [Path(sys.base_prefix), Path(sys.prefix), Path(qilab.__file__).resolve().parent]
    out: list[str] = []
    for path in paths:
        path = path.resolve()
        if str(path).startswith("/usr/") or str(path) == "/usr":
            continue
        if not any(path == Path(p) or Path(p) in path.parents for p in out):
            out.append(str(path))
    return out


def kernel_env(home: str, tmp: str) -> dict[str, str]:
    """The whole environment of a learner's kernel: nothing is inherited from the grader."""
    bindir = str(Path(sys.executable).parent)
    return {
        "PATH": os.pathsep.join([bindir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "HOME": home, "TMPDIR": tmp, "MPLCONFIGDIR": f"{tmp}/matplotlib",
        "IPYTHONDIR": f"{tmp}/ipython", "NBGRADER_EXECUTION": "autograde",
        "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "agg", "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1", "LANG": "C.UTF-8", "USER": "learner", "LOGNAME": "learner",
    }


def write_plan(folder: Path, plan: dict) -> Path:
    """Write the launcher's plan, readable only by the grader."""
    path = folder / "plan.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(plan, fh)
    return path


class PackageSeal:
    """SHA-256 of every file of the installed ``qilab`` package, taken before grading, checked
    again before marks are written: a submission that changed the grader's code is caught.

    >>> seal = PackageSeal()
    >>> seal.changed()
    []
    """

    def __init__(self, root: Path | None = None) -> None:
        import qilab
        self.root = Path(root or Path(qilab.__file__).resolve().parent)
        self.digests = self._digest()
        self.broken: list[str] = []

    def _digest(self) -> dict[str, str]:
        out = {}
        for path in sorted(self.root.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file() or path.is_symlink():
                continue
            out[str(path.relative_to(self.root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        return out

    def changed(self) -> list[str]:
        """Files added, removed or changed since the seal was taken."""
        now = self._digest()
        names = set(now) | set(self.digests)
        return sorted(n for n in names if now.get(n) != self.digests.get(n))

    def check(self) -> None:
        """Raise :class:`IntegrityError` naming what changed (and remember it)."""
        changed = self.changed()
        if changed:
            self.broken = changed
            raise IntegrityError(
                f"The installed qilab package in {self.root} changed during grading "
                f"({', '.join(changed[:5])}): no further marks were written. Reinstall qilab "
                "from a known commit and grade again.", field="qilab")

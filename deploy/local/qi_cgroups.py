"""Per-learner control groups: one CPU quota and one memory limit for a learner's whole server.

``prlimit`` caps each process on its own; a learner with three kernels could still use three
times the memory and every core. A Linux control group (cgroup) holds the learner's server and
every kernel it starts, and the kernel enforces the limits on the group as a whole:

- CPU: a quota of ``cpu_limit`` cores (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us``);
- memory: ``mem_limit`` bytes (v2 ``memory.max``, v1 ``memory.limit_in_bytes``); past it the
  kernel's out-of-memory killer stops a process in that group only.

Works with the unified hierarchy (cgroup v2, as on current systemd hosts) and with the older
v1 controllers. The hub runs as root, so it can create groups. Groups live under
``qi-curriculum/<user>``.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PERIOD_US = 100_000
PARENT = "qi-curriculum"


class CgroupUnavailable(RuntimeError):
    """Control groups cannot be used here (not mounted, not writable, controller missing)."""


@dataclass(frozen=True)
class LearnerGroup:
    """The control group(s) of one learner's server."""

    user: str
    paths: tuple[Path, ...]

    def add(self, pid: int) -> None:
        """Move process ``pid`` (and so the processes it starts later) into the group."""
        for path in self.paths:
            (path / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            procs = path / "cgroup.procs"
            if procs.exists():
                found |= {int(p) for p in procs.read_text().split()}
        return found

    def remove(self) -> None:
        """Remove the group once its processes have ended (an error if any are left)."""
        for path in self.paths:
            if path.exists():
                path.rmdir()


def cpu_quota(cpu_limit: float, period_us: int = PERIOD_US) -> int:
    """Microseconds of CPU per period for a limit of ``cpu_limit`` cores.

    >>> cpu_quota(1), cpu_quota(0.5), cpu_quota(2)
    (100000, 50000, 200000)
    """
    if cpu_limit <= 0:
        raise ValueError("cpu_limit must be more than 0")
    return max(1000, round(cpu_limit * period_us))


def learner_group(user: str, *, cpu_limit: float, mem_limit: int,
                  root: Path = Path("/sys/fs/cgroup")) -> LearnerGroup:
    """Create (or reuse) the control group for ``user`` with the limits set.

    ``root`` is where cgroups are mounted; tests point it at a folder laid out like one.
    Raises :class:`CgroupUnavailable` when neither layout is usable.
    """
    if not user or "/" in user or user in (".", ".."):
        raise ValueError(f"not a usable user name for a control group: {user!r}")
    quota = cpu_quota(cpu_limit)
    try:
        if (root / "cgroup.controllers").exists():  # unified hierarchy, cgroup v2
            parent = root / PARENT
            parent.mkdir(exist_ok=True)
            _enable_controllers(root, parent)
            group = parent / user
            group.mkdir(exist_ok=True)
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
            (group / "memory.max").write_text(str(int(mem_limit)))
            return LearnerGroup(user, (group,))
        cpu, memory = root / "cpu", root / "memory"
        if (cpu / "cpu.cfs_quota_us").exists() and (memory / "memory.limit_in_bytes").exists():
            cpu_group, mem_group = cpu / PARENT / user, memory / PARENT / user
            for group in (cpu_group, mem_group):
                group.mkdir(parents=True, exist_ok=True)
            (cpu_group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (cpu_group / "cpu.cfs_quota_us").write_text(str(quota))
            (mem_group / "memory.limit_in_bytes").write_text(str(int(mem_limit)))
            return LearnerGroup(user, (cpu_group, mem_group))
    except OSError as exc:
        raise CgroupUnavailable(f"cannot set up a control group for {user}: {exc}") from exc
    raise CgroupUnavailable(f"no cgroup v2 hierarchy or v1 cpu and memory controllers at {root}")


def _enable_controllers(root: Path, parent: Path) -> None:
    """Let ``parent``'s children use the cpu and memory controllers (cgroup v2)."""
    for path in (root, parent):
        control = path / "cgroup.subtree_control"
        if not control.exists():
            continue
        enabled = control.read_text().split()
        wanted = [f"+{name}" for name in ("cpu", "memory") if name not in enabled]
        if wanted:
            control.write_text(" ".join(wanted))


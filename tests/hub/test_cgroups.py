"""Per-learner control groups: the limits are written right, and the Linux kernel enforces them.

The layout tests use folders shaped like cgroup v1 and v2 mounts. The enforcement tests put real
processes in a real control group (root only, where this machine has writable cgroups).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "deploy" / "local"))
from qi_cgroups import CgroupUnavailable, cpu_quota, learner_group  # noqa: E402

MiB = 1024**2


def test_cpu_quota_is_cores_times_period():
    assert cpu_quota(1) == 100_000
    assert cpu_quota(0.25) == 25_000
    with pytest.raises(ValueError):
        cpu_quota(0)


def test_v2_layout(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory pids\n")
    (tmp_path / "cgroup.subtree_control").write_text("")
    group = learner_group("learner1", cpu_limit=0.5, mem_limit=512 * MiB, root=tmp_path)
    path = tmp_path / "qi-curriculum" / "learner1"
    assert group.paths == (path,)
    assert (path / "cpu.max").read_text() == "50000 100000"
    assert (path / "memory.max").read_text() == str(512 * MiB)
    assert (tmp_path / "cgroup.subtree_control").read_text() == "+cpu +memory"


def test_v1_layout(tmp_path):
    for controller, name in (("cpu", "cpu.cfs_quota_us"), ("memory", "memory.limit_in_bytes")):
        (tmp_path / controller).mkdir()
        (tmp_path / controller / name).write_text("-1")
    group = learner_group("learner2", cpu_limit=2, mem_limit=3 * 1024 * MiB, root=tmp_path)
    cpu, mem = (tmp_path / "cpu" / "qi-curriculum" / "learner2",
                tmp_path / "memory" / "qi-curriculum" / "learner2")
    assert group.paths == (cpu, mem)
    assert (cpu / "cpu.cfs_quota_us").read_text() == "200000"
    assert (mem / "memory.limit_in_bytes").read_text() == str(3 * 1024 * MiB)


def test_no_cgroups_is_a_clear_error(tmp_path):
    with pytest.raises(CgroupUnavailable, match="no cgroup"):
        learner_group("learner1", cpu_limit=1, mem_limit=MiB, root=tmp_path)


def test_user_names_cannot_escape_the_parent_group(tmp_path):
    (tmp_path / "cgroup.controllers").write_text("cpu memory\n")
    for bad in ("../x", "", ".."):
        with pytest.raises(ValueError):
            learner_group(bad, cpu_limit=1, mem_limit=MiB, root=tmp_path)


@pytest.fixture
def real_group():
    if os.geteuid() != 0:
        pytest.skip("creating control groups needs root")
    user = f"qitest-{uuid.uuid4().hex[:8]}"
    try:
        group = learner_group(user, cpu_limit=0.2, mem_limit=96 * MiB)
    except CgroupUnavailable as exc:
        pytest.skip(f"this machine has no usable control groups: {exc}")
    yield group
    for pid in group.pids():
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass
    time.sleep(0.2)
    group.remove()


def _start_in(group, code: str) -> subprocess.Popen:
    """Start Python paused on stdin, move it into the group, then let it run ``code``."""
    proc = subprocess.Popen([sys.executable, "-c", f"import sys; sys.stdin.read(1); {code}"],
                            stdin=subprocess.PIPE)
    group.add(proc.pid)
    proc.stdin.write(b"x")
    proc.stdin.close()
    return proc


def test_cpu_quota_is_enforced(real_group):
    """A busy loop for 1.5 s of wall time gets about 0.2 CPU, not a whole core."""
    proc = _start_in(real_group, "import time\nend = time.time() + 1.5\nwhile time.time() < end: pass")
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    cpu = usage.ru_utime + usage.ru_stime
    assert cpu < 0.6, f"the loop used {cpu:.2f} s of CPU in 1.5 s; the quota is 0.2 CPU"


def test_memory_limit_is_enforced_for_the_group(real_group):
    """Allocating past the group's 96 MiB ends that process, and only it."""
    proc = _start_in(real_group, "b = bytearray(400 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])")
    code = proc.wait(timeout=60)
    assert code == -9, f"a process past the group's memory limit ended with {code}, not killed"

"""The grading sandbox's modes: confinement without root (a user namespace), and refusing to
grade when learner code cannot be confined. The hostile batch is in test_attacks_sandbox.py."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
from pathlib import Path

import pytest

from qilab.cohort.autograde import KernelPool, Limits
from qilab.cohort.sandbox import SandboxUnavailable, detect_mode, host

PROBE = """
import os
seen = []
for path in [{course!r}, {secret!r}, '/root/.config', '/home', '/work/.library']:
    seen.append(f'{{path}}={{os.path.exists(path)}}')
try:
    open({package!r}, 'a').write('# changed')
    seen.append('WROTE')
except OSError as exc:
    seen.append(type(exc).__name__)
pids = sorted(p for p in os.listdir('/proc') if p.isdigit())
print(os.getuid(), os.getcwd(), ','.join(pids), ' '.join(seen), sep='|')
"""


def _run(pool: KernelPool, student: str, code: str) -> str:
    """Run ``code`` in a fresh sandboxed kernel for ``student``; return its printed output."""
    box = pool.take(student)
    client = box.km.client()
    client.start_channels()

    async def go() -> str:
        await client.wait_for_ready(timeout=60)
        msg_id = client.execute(code)
        out = []
        while True:
            msg = await client.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            if msg["msg_type"] == "error":
                out.append(msg["content"]["ename"])
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return "".join(out)

    try:  # on a thread of its own: in a full session Playwright's event loop is running here
        with concurrent.futures.ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, go()).result()
    finally:
        client.stop_channels()
        box.kill()


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["root", "userns"])
def test_sandbox_sees_nothing_of_the_grader(mode, tmp_path, faculty_secret):
    if mode == "root" and os.geteuid() != 0:
        pytest.skip("needs root")
    if mode == "userns" and not host._userns_works():
        pytest.skip("this kernel does not allow unprivileged user namespaces")
    course = tmp_path / "course"
    (course / "staging" / "ann" / "quiz").mkdir(parents=True)
    (course / "staging" / "ann" / "quiz" / "data.csv").write_text("1,2\n")
    import qilab
    package = str(Path(qilab.__file__).resolve().parent / "cohort" / "checks.py")
    pool = KernelPool(Limits(), "quiz", ["ann"], ahead=1, mode=mode,
                      staging=course / "staging")
    try:
        out = _run(pool, "ann", PROBE.format(course=str(course), secret=str(faculty_secret),
                                             package=package))
    finally:
        pool.close()
    uid, cwd, procs, seen = out.strip().split("|")
    assert int(uid) not in (0, os.getuid()) or mode == "userns"
    assert cwd == "/grading/autograded/ann/quiz"
    assert procs == "1,2"  # its own PID namespace: only itself and its first process
    assert "True" not in seen and "WROTE" not in seen, seen


def test_refuses_to_grade_without_a_sandbox(monkeypatch):
    monkeypatch.setattr(host.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(host, "_userns_works", lambda: False)
    with pytest.raises(SandboxUnavailable, match="--unsafe-no-sandbox"):
        detect_mode()
    assert detect_mode(allow_unsafe=True) == "none"


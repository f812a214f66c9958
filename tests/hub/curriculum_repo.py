"""The curriculum as a git repository the test hub can pull from, as a real hub pulls the book's
repository (used by test_hub_end_to_end.py).

:func:`served` makes a bare repository in a scratch folder with one commit, ``main``, holding
this checkout's files as they are now (tracked and new files, without what .gitignore leaves
out, as install.sh copies them), and serves it read-only with ``git daemon`` on a free port of
127.0.0.1. Learners' servers run as their own unix users, and git refuses to read a repository
on disk owned by another user ("dubious ownership"), so it is served over git's own protocol, as
a hub reaches GitHub or GitLab over the network. The daemon is stopped by its process id.
"""
from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _git(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True, text=True,
                   env={**os.environ, **(env or {})})


def snapshot(bare: Path) -> None:
    """A bare repository at ``bare`` whose ``main`` holds this checkout's files as they are."""
    _git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    env = {"GIT_DIR": str(bare), "GIT_WORK_TREE": str(ROOT),
           "GIT_INDEX_FILE": str(bare / "snapshot-index")}
    _git("add", "--all", env=env)
    _git("-c", "user.name=qitest", "-c", "user.email=qitest@127.0.0.1", "commit", "--quiet",
         "-m", "The curriculum as checked out, for the hub test", env=env)
    (bare / "snapshot-index").unlink()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(base: Path, name: str = "qi-curriculum.git"):
    """Yield the ``git://`` URL of a snapshot of the curriculum, served while inside."""
    root = base / "git"
    root.mkdir()
    snapshot(root / name)
    port = _free_port()
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--listen=127.0.0.1", f"--port={port}",
         f"--base-path={root}", "--export-all", "--informative-errors", str(root)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"git://127.0.0.1:{port}/{name}"
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(["git", "ls-remote", "--heads", url], capture_output=True,
                             ).returncode != 0:
            if daemon.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"git daemon did not serve {url}")
            time.sleep(0.2)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(10)

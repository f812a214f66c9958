"""Fixtures for the workshop dashboard tests: one Voila server for a module, on loopback.

``voila_server`` starts ``voila`` in ``dashboards/`` (so it reads ``dashboards/voila.json`` and
the ``qilab`` template through ``JUPYTER_PATH``) on a free port of 127.0.0.1, with the team
game's database and the workshop folder in a temporary directory, and always stops it, also
when a test fails. The browser fixtures (``browser``, ``chromium_page``, ``axe_source``) are
the shared ones in tests/conftest.py.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DASHBOARDS = ROOT / "dashboards"
TEMPLATES = DASHBOARDS / "share" / "jupyter"
ERROR_TEXT = "There was an error when executing cell"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class VoilaServer:
    """A running Voila: its base URL, process, log file and the files the games write."""

    base: str
    proc: subprocess.Popen
    log: Path
    db: Path
    workshop: Path

    def url(self, notebook: str) -> str:
        return f"{self.base}voila/render/{notebook}"

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def voila_env(workshop: Path, db: Path, game: str = "potato_head") -> dict[str, str]:
    """The environment `make workshop` gives Voila and its kernels."""
    bindir = str(Path(sys.executable).parent)
    return dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                JUPYTER_PATH=str(TEMPLATES), MPLBACKEND="Agg", JUPYTER_PLATFORM_DIRS="1",
                QILAB_WORKSHOP_DIR=str(workshop), QILAB_TEAM_GAME_DB=str(db),
                QILAB_TEAM_GAME=game)


def start_voila(tmp: Path, *extra: str, game: str = "potato_head",
                wait: float = 90) -> VoilaServer:
    """Start Voila on the dashboards folder; wait until it answers."""
    voila = Path(sys.executable).parent / "voila"
    assert voila.exists(), f"{voila} is missing: install the pinned requirements"
    port = free_port()
    workshop = tmp / "workshop"
    workshop.mkdir(parents=True, exist_ok=True)
    db = workshop / "team-game.sqlite"
    log = tmp / f"voila-{port}.log"
    handle = open(log, "wb")
    proc = subprocess.Popen(
        [str(voila), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1", *extra, "."],
        cwd=DASHBOARDS, env=voila_env(workshop, db, game), stdout=handle,
        stderr=subprocess.STDOUT)
    handle.close()
    server = VoilaServer(f"http://127.0.0.1:{port}/", proc, log, db, workshop)
    deadline = time.monotonic() + wait
    try:
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"voila exited with code {proc.returncode}:\n"
                                     f"{server.log_tail()}")
            try:
                with urllib.request.urlopen(server.base + "api", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # any HTTP answer means the server is up
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise AssertionError(f"voila did not answer within {wait} s:\n"
                                         f"{server.log_tail()}") from None
                time.sleep(0.3)
    except BaseException:
        stop_voila(server)
        raise
    return server


def stop_voila(server: VoilaServer) -> None:
    """Stop Voila (and so its kernels); kill it if it does not stop in time."""
    if server.proc.poll() is None:
        server.proc.terminate()
        try:
            server.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.proc.kill()
            server.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def voila_server(tmp_path_factory):
    """One Voila for the test module, stopped in a finally."""
    server = start_voila(tmp_path_factory.mktemp("voila"))
    try:
        yield server
    finally:
        stop_voila(server)


def kernels(server) -> list:
    """The kernel processes a Voila server started (its children running ipykernel)."""
    import psutil  # installed with ipykernel

    try:
        children = psutil.Process(server.proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    out = []
    for p in children:
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                out.append(p)
        except psutil.Error:  # ended (or ending) meanwhile
            pass
    return out

"""A throwaway PostgreSQL cluster for the programme's tests, and a database URL per test.

``db_url`` is parametrised over SQLite (a temporary file) and PostgreSQL. The PostgreSQL
cluster is made once per session with Debian's ``initdb`` and ``pg_ctl`` (as the ``postgres``
user when the tests run as root), listens on a free port on 127.0.0.1 only, and is stopped and
deleted at the end. Without PostgreSQL the PostgreSQL cases are skipped on a developer machine;
in CI (``CI=true``) they fail instead (``.ci/run`` installs Debian's ``postgresql`` package).
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _pg_bindir() -> Path | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresCluster:
    """A cluster in a temporary folder, run as ``postgres`` if we are root."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="qilab-pg-"))
        self.data = self.folder / "data"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.port = _free_port()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "qilab", "--no-sync",
                  "-E", "UTF8", "--no-instructions")
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "log"), "-w", "start")

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run([*self.as_user, str(self.bindir / tool), *args],
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.folder / "log"
            raise RuntimeError(f"{tool} failed: {done.stdout}{done.stderr}"
                               + (log.read_text() if log.exists() else ""))

    def new_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=qilab dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://qilab@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """The session's PostgreSQL cluster (skipped without PostgreSQL, failed in CI)."""
    bindir = _pg_bindir()
    if bindir is None:
        message = ("PostgreSQL is not installed (apt-get install postgresql): the PostgreSQL "
                   "cases of the programme tests")
        if in_ci():
            pytest.fail(message + " must run in CI (.ci/run installs it).")
        pytest.skip(message + " are skipped outside CI.")
    cluster = PostgresCluster(bindir)
    yield cluster
    cluster.stop()


def new_database_url(kind: str, request, folder: Path) -> str:
    """A fresh, empty database of ``kind`` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        return "sqlite:///" + str(folder / f"programme-{uuid.uuid4().hex[:8]}.sqlite")
    return request.getfixturevalue("postgres_cluster").new_database()


BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> str:
    """A fresh, empty programme database: a SQLite file, then a PostgreSQL database."""
    return new_database_url(request.param, request, tmp_path)

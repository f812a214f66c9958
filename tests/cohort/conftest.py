"""Shared fixtures for the cohort pipeline tests.

- ``faculty_secret``: a session-wide secret file outside the repository (the tests never touch
  the real ``~/.config/qilab``).
Helpers for building submissions live in ``cohort_helpers.py``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def faculty_secret(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Point qilab at a throwaway secret file and config folder for the whole session."""
    home = tmp_path_factory.mktemp("config")
    secret = home / "faculty-secret"
    secret.write_text("test-secret-0123456789-abcdefghij\n")
    secret.chmod(0o600)
    old = {k: os.environ.get(k) for k in ("QILAB_FACULTY_SECRET", "QILAB_FACULTY_SECRET_FILE",
                                           "XDG_CONFIG_HOME")}
    os.environ.pop("QILAB_FACULTY_SECRET", None)
    os.environ["QILAB_FACULTY_SECRET_FILE"] = str(secret)
    os.environ["XDG_CONFIG_HOME"] = str(home)
    yield secret
    for key, value in old.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

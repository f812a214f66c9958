"""The faculty's secret key that signs certificates' verification codes.

Where it comes from, first found wins:

1. ``QILAB_FACULTY_SECRET``: the secret itself (for CI and hub deployments' secret stores);
2. ``QILAB_FACULTY_SECRET_FILE``: a path to a file holding it;
3. ``~/.config/qilab/faculty-secret``: created with mode ``0600`` by ``qilab cohort init``.

The secret never lives in the repository or the course folder, so sharing a course folder (or
publishing the register) does not let anyone forge a certificate. Keep a copy somewhere safe:
without it, certificates already issued can no longer be verified.

>>> import os
>>> os.environ["QILAB_FACULTY_SECRET"] = "correct horse battery staple"
>>> load_secret()[:7]
b'correct'
>>> del os.environ["QILAB_FACULTY_SECRET"]
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from ..errors import QIDataError
from ..storage import atomic_write_text

ENV_SECRET = "QILAB_FACULTY_SECRET"
ENV_SECRET_FILE = "QILAB_FACULTY_SECRET_FILE"
MIN_LENGTH = 16


def default_secret_path() -> Path:
    """``~/.config/qilab/faculty-secret`` (``$XDG_CONFIG_HOME`` is respected)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "qilab" / "faculty-secret"


def secret_path() -> Path:
    """The file the secret is read from when ``QILAB_FACULTY_SECRET`` is not set."""
    named = os.environ.get(ENV_SECRET_FILE)
    return Path(named).expanduser() if named else default_secret_path()


def load_secret() -> bytes:
    """The secret as bytes, or :class:`QIDataError` saying how to provide one."""
    value = os.environ.get(ENV_SECRET)
    where = f"${ENV_SECRET}"
    if value is None:
        path = secret_path()
        where = str(path)
        if not path.exists():
            raise QIDataError(f"No faculty secret: {path} does not exist and ${ENV_SECRET} is "
                              "not set. Run `qilab cohort init` to create one, or set "
                              f"${ENV_SECRET_FILE} to the file your faculty keeps it in.",
                              field="secret")
        value = path.read_text(encoding="utf-8")
    value = value.strip()
    if len(value) < MIN_LENGTH:
        raise QIDataError(f"The faculty secret in {where} is too short ({len(value)} "
                          f"characters; at least {MIN_LENGTH}).", field="secret")
    return value.encode("utf-8")


def ensure_secret(course_root: Path | None = None, repo_root: Path | None = None) -> Path | None:
    """Create the secret file (``0600``) if no secret is configured; return its path.

    Refuses a secret file inside the course folder or the repository.
    """
    if os.environ.get(ENV_SECRET):
        return None
    path = secret_path().resolve()
    from .course import REPO_ROOT
    for inside in (course_root, repo_root or REPO_ROOT):
        if inside is not None and path.is_relative_to(Path(inside).resolve()):
            raise QIDataError(f"The faculty secret file {path} is inside {inside}; keep it "
                              "outside the repository and the course folder (set "
                              f"${ENV_SECRET_FILE} to a path elsewhere).", field="secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent, 0o700)
        old = os.umask(0o077)
        try:
            atomic_write_text(path, secrets.token_urlsafe(48) + "\n")
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
    return path

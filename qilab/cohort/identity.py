"""Who the learner is, and the seed that makes their exercise data their own.

Every certification and practice assignment makes its own data for each learner, so that
answers cannot be passed from one learner to another. The data come from a seed, and the seed
comes from the learner's identity and the assignment's name.

Where the identity comes from, first match wins:

1. **nbgrader autograde.** nbgrader runs each submission in
   ``<course>/autograded/<student_id>/<assignment>/``. When the current folder has that shape,
   the student id is read from the path. The grader chose that path from the submission's
   folder, so nothing a learner writes in their notebook decides it (see
   ``grading/THREAT-MODEL.md`` for what a learner could still try).
2. **JupyterHub.** The ``JUPYTERHUB_USER`` environment variable, which the hub sets for each
   learner's server. nbgrader uses the same name for the learner when it collects work.
3. **The operating system user** (``getpass.getuser()``), for a learner working on their own
   computer.

>>> learner_seed("alice", "foundation") == learner_seed("alice", "foundation")
True
>>> learner_seed("alice", "foundation") != learner_seed("bob", "foundation")
True
"""
from __future__ import annotations

import getpass
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import QIDataError

__all__ = ["Identity", "identify", "learner_id", "learner_seed", "autograde_student"]

#: The folder nbgrader writes autograded submissions to, under the course folder.
AUTOGRADED = "autograded"


@dataclass(frozen=True)
class Identity:
    """A learner id and where it came from (``"nbgrader"``, ``"jupyterhub"`` or ``"os"``)."""

    learner_id: str
    source: str

    def explain(self) -> str:
        """One sentence for the top of an assignment.

        >>> Identity("alice", "jupyterhub").explain()
        "Your data are made for 'alice' (your JupyterHub user name)."
        """
        where = {"nbgrader": "the submission being graded", "jupyterhub": "your JupyterHub user "
                 "name", "os": "your computer's user name"}[self.source]
        return f"Your data are made for {self.learner_id!r} ({where})."


def autograde_student(path: str | os.PathLike[str] | None = None) -> str | None:
    """The student id in an nbgrader autograde folder, or None if ``path`` is not one.

    ``path`` defaults to the current folder. The last ``autograded`` folder in the path with
    at least two folders below it (student, then assignment) decides.

    >>> autograde_student("/srv/course/autograded/alice/foundation")
    'alice'
    >>> autograde_student("/home/alice/foundation") is None
    True
    """
    parts = Path(os.getcwd() if path is None else path).parts
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] == AUTOGRADED and parts[i + 1].strip() and parts[i + 2].strip():
            return parts[i + 1]
    return None


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name in the environment or the password file
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "learner"


def identify(path: str | os.PathLike[str] | None = None) -> Identity:
    """The learner's id and its source (see the module documentation for the order)."""
    student = autograde_student(path)
    if student:
        return Identity(student, "nbgrader")
    hub_user = os.environ.get("JUPYTERHUB_USER", "").strip()
    if hub_user:
        return Identity(hub_user, "jupyterhub")
    return Identity(_os_user(), "os")


def learner_id(path: str | os.PathLike[str] | None = None) -> str:
    """Who the learner is: from an nbgrader autograde path, JupyterHub, or the OS user.

    >>> learner_id("/srv/course/autograded/bob/practitioner")
    'bob'
    """
    return identify(path).learner_id


def learner_seed(learner: str, assignment: str) -> int:
    """A stable 32-bit seed for one learner's data in one assignment.

    It is the first four bytes of SHA-256 of ``"<assignment>:<learner>"``, so it is the same
    on every computer and in every Python version, and different assignments give the same
    learner different data.

    >>> learner_seed("alice", "foundation")
    1375428723
    """
    for name, value in (("learner", learner), ("assignment", assignment)):
        if not isinstance(value, str) or not value.strip():
            raise QIDataError(f"The {name} must be non-empty text; got {value!r}.", field=name)
    digest = hashlib.sha256(f"{assignment.strip()}:{learner.strip()}".encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big")

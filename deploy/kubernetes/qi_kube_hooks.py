"""The Kubernetes hub's per-person mounts: an exchange in which learners cannot touch each other.

On Kubernetes every learner runs as the same unix user (uid 1000) in their own pod, so unix
permissions on a shared exchange volume cannot keep learners apart. Instead, no learner's pod
ever mounts the shared volume whole. The volume (a ReadWriteMany claim, ``qi-grading``) holds::

    exchange/<course>/outbound/     released assignments   (written by grading Jobs)
    exchange/<course>/feedback/     feedback               (written by grading Jobs)
    inbound/<course>/<learner>/     one folder per learner (made by the hub, uid 1000)
    courses/<course>/               the course folder: source, gradebook, submissions

and the hub (``configure``, loaded by ``hub.extraConfig``) gives each server only these mounts,
chosen from the person's hub groups when their server starts:

- a learner on a course (``nbgrader-<course>``): ``outbound`` and ``feedback`` read-only, and
  their own ``inbound/<course>/<learner>`` read-write as the course's ``inbound``. They can
  fetch and submit, but they cannot see, change or delete anyone else's submission, change a
  released assignment, or make a course's exchange folder: the only exchange folders in their
  pod are the ones the hub mounted;
- a trainer (``formgrade-<course>``) also gets the course folder at ``~/<course>``, and the
  trainer tools (Formgrader, Create Assignment) through ``JUPYTER_CONFIG_PATH``.

Who a submission belongs to comes from the folder the hub chose (the hub user name), not from
the uid or the name the learner wrote: :func:`gather_inbound`, run by the grading Job before
``qilab cohort collect``, moves each learner's entries into the course's nbgrader inbound and
rejects any named for somebody else.

The hub pod mounts the whole volume at ``HUB_MOUNT`` and makes each learner's inbound folder
as uid 1000 before their pod starts, so nothing needs root (an NFS export with root_squash is
fine, once its top folder belongs to uid 1000).
"""
from __future__ import annotations

import os
import re
import stat
import time
from pathlib import Path
from typing import Any

CLAIM_VOLUME = "qi-grading"          # singleuser.storage.extraVolumes name (values.yaml)
HUB_MOUNT = "/srv/qi-grading"        # hub.extraVolumeMounts mountPath (values.yaml)
EXCHANGE_ROOT = "/srv/nbgrader/exchange"
HOME = "/home/jovyan"
TRAINER_CONFIG = "/opt/qi-curriculum/trainer-jupyter"
_SAFE = re.compile(r"[a-z0-9_]")


def folder_name(username: str) -> str:
    """A hub user name as a folder name: lower-case letters, digits and ``_`` kept, everything
    else (``-`` too) written ``-xx`` in hex, so two names never share a folder.

    >>> folder_name("lee"), folder_name("jane.smith@nhs.net"), folder_name("a-b")
    ('lee', 'jane-2esmith-40nhs-2enet', 'a-2db')
    """
    return "".join(ch if _SAFE.match(ch) else "".join(f"-{b:02x}" for b in ch.encode())
                   for ch in username)


def courses_of(groups: list[str]) -> tuple[list[str], list[str]]:
    """(courses the person is on, courses they train) from their hub group names."""
    on = sorted(g.removeprefix("nbgrader-") for g in groups if g.startswith("nbgrader-"))
    trains = sorted(g.removeprefix("formgrade-") for g in groups if g.startswith("formgrade-"))
    return on, trains


def mounts_for(username: str, groups: list[str]) -> list[dict[str, Any]]:
    """The volume mounts of one person's server (besides their home)."""
    on, trains = courses_of(groups)
    mounts: list[dict[str, Any]] = []
    for course in on:
        base = f"{EXCHANGE_ROOT}/{course}"
        mounts += [
            {"name": CLAIM_VOLUME, "mountPath": f"{base}/outbound",
             "subPath": f"exchange/{course}/outbound", "readOnly": True},
            {"name": CLAIM_VOLUME, "mountPath": f"{base}/feedback",
             "subPath": f"exchange/{course}/feedback", "readOnly": True},
            {"name": CLAIM_VOLUME, "mountPath": f"{base}/inbound",
             "subPath": f"inbound/{course}/{folder_name(username)}"},
        ]
    for course in trains:
        mounts.append({"name": CLAIM_VOLUME, "mountPath": f"{HOME}/{course}",
                       "subPath": f"courses/{course}"})
    return mounts


def make_folders(root: Path, username: str, groups: list[str]) -> None:
    """The folders the person's mounts need, made by the hub (uid 1000), never by root."""
    on, trains = courses_of(groups)
    for course in on:
        for sub in ("outbound", "feedback"):
            (root / "exchange" / course / sub).mkdir(mode=0o755, parents=True, exist_ok=True)
        inbound = root / "inbound" / course / folder_name(username)
        inbound.mkdir(mode=0o700, parents=True, exist_ok=True)
    for course in trains:
        (root / "courses" / course).mkdir(mode=0o770, parents=True, exist_ok=True)


def submitter(entry: str) -> str:
    """The learner an nbgrader inbound entry is named for (as nbgrader's collect reads it).

    >>> submitter("lee+foundation+2026-01-01 10:00:00.000000 UTC+AbC")
    'lee'
    """
    parts = entry.rsplit("+", 3)
    return parts[0] if len(parts) == 4 else entry.rsplit("+", 2)[0]


def gather_inbound(root: Path, course: str, known: set[str] | None = None) -> list[str]:
    """Move every learner's submissions into ``exchange/<course>/inbound`` for nbgrader.

    An entry is taken only if it is a real folder (no link, no file) named for the learner
    whose folder it is in; anything else goes to ``rejected/<course>/`` and is reported. With
    ``known``, learner folders whose name matches no known hub user are rejected too.
    """
    notes: list[str] = []
    inbound = root / "exchange" / course / "inbound"
    inbound.mkdir(mode=0o700, parents=True, exist_ok=True)
    rejected = root / "rejected" / course
    names = {folder_name(u): u for u in known} if known is not None else None
    learners = root / "inbound" / course
    for folder in sorted(learners.iterdir()) if learners.is_dir() else []:
        if folder.is_symlink() or not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            info = entry.lstat()
            claimed = submitter(entry.name)
            why = None
            if not stat.S_ISDIR(info.st_mode):
                why = "not a folder"
            elif folder_name(claimed) != folder.name:
                why = f"named for {claimed} but in the folder of {folder.name}"
            elif names is not None and folder.name not in names:
                why = f"{folder.name} is not a user of this hub"
            if why is None:
                os.replace(entry, inbound / entry.name)
                continue
            rejected.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.replace(entry, rejected / f"{int(time.time())}-{folder.name}-{entry.name}")
            notes.append(f"Rejected {entry.name!r}: {why}.")
    return notes


def configure(c: Any, hub_mount: str = HUB_MOUNT) -> None:
    """Set the hub's KubeSpawner hooks (called from ``hub.extraConfig`` in values.yaml)."""

    def pre_spawn_hook(spawner: Any) -> None:
        groups = [g.name for g in spawner.user.groups]
        make_folders(Path(hub_mount), spawner.user.name, groups)
        spawner.volume_mounts = list(spawner.volume_mounts) + mounts_for(spawner.user.name,
                                                                           groups)
        if courses_of(groups)[1]:
            spawner.environment = {**spawner.environment,
                                   "JUPYTER_CONFIG_PATH": TRAINER_CONFIG}

    c.KubeSpawner.pre_spawn_hook = pre_spawn_hook

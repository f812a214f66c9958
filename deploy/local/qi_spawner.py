"""The hub's spawner: LocalProcessSpawner plus one control group per learner.

It also (1) copies the curriculum into each person's home when their server starts (files they
already have are kept), (2) switches on the trainer tools (Formgrader, Create Assignment) only
for members of a ``formgrade-<course>`` hub group, and (3) starts every server with umask 007,
so what a trainer writes in a shared course folder stays readable by the grader account and the
other trainers but by nobody else.

Each learner's server runs as their own unix user (LocalProcessSpawner). After it starts, the
server's process goes into the learner's control group (see qi_cgroups.py), so the CPU quota
(``c.Spawner.cpu_limit``) and memory limit (``c.Spawner.mem_limit``) hold for the server and
all the kernels it starts, together. Where control groups cannot be used (a container without
them, say) the hub logs a warning and the per-process limits from ``prlimit`` still apply.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid
from qi_cgroups import CgroupUnavailable, learner_group
from traitlets import Unicode

CURRICULUM_PARTS = ("modules", "data", "dashboards")
CURRICULUM_FOLDER = "qi-curriculum"

DEFAULT_MEMORY = 2 * 1024**3


class LearnerGroupSpawner(LocalProcessSpawner):
    """Start each learner's server in a control group with their CPU and memory limits."""

    cgroup_root = Unicode("/sys/fs/cgroup", config=True,
                          help="Where control groups are mounted.")

    curriculum = Unicode("", config=True,
                         help="The installed curriculum, copied into each home at start.")
    trainer_config = Unicode("", config=True,
                             help="A Jupyter config folder for trainers (JUPYTER_CONFIG_PATH).")

    def is_trainer(self) -> bool:
        return any(g.name.startswith("formgrade-") for g in self.user.groups)

    def get_env(self):
        env = super().get_env()
        if self.trainer_config and self.is_trainer():
            env["JUPYTER_CONFIG_PATH"] = self.trainer_config
        return env

    def make_preexec_fn(self, name):
        become = set_user_setuid(name)

        def preexec():
            become()
            os.umask(0o007)
        return preexec

    def copy_curriculum(self) -> None:
        """Copy the curriculum into ``~/qi-curriculum`` as the user, keeping their own files."""
        source = Path(self.curriculum)
        parts = [str(source / p) for p in CURRICULUM_PARTS if (source / p).is_dir()]
        if not parts:
            return
        home = Path(self._home())
        done = subprocess.run(
            ["/bin/sh", "-c", 'mkdir -p "$0" && cp -R -n "$@" "$0"/',
             str(home / CURRICULUM_FOLDER), *parts],
            preexec_fn=self.make_preexec_fn(self.user.name), cwd=home, capture_output=True,
            text=True, check=False, timeout=120)
        if done.returncode != 0:
            self.log.warning("Could not copy the curriculum for %s: %s", self.user.name,
                             done.stderr.strip())

    def _home(self) -> str:
        import pwd

        return pwd.getpwnam(self.user.name).pw_dir

    async def start(self):
        if self.curriculum:
            self.copy_curriculum()
        address = await super().start()
        try:
            group = learner_group(self.user.name, cpu_limit=self.cpu_limit or 1.0,
                                  mem_limit=self.mem_limit or DEFAULT_MEMORY,
                                  root=self._root())
            group.add(self.pid)
            self.log.info("Server of %s limited to %s CPU and %s bytes in %s", self.user.name,
                          self.cpu_limit, self.mem_limit, ", ".join(map(str, group.paths)))
        except (CgroupUnavailable, OSError, ValueError) as exc:
            self.log.warning("No control group for %s (only per-process limits apply): %s",
                             self.user.name, exc)
        return address

    async def stop(self, now=False):
        await super().stop(now=now)
        try:
            learner = learner_group(self.user.name, cpu_limit=self.cpu_limit or 1.0,
                                    mem_limit=self.mem_limit or DEFAULT_MEMORY, root=self._root())
            if not learner.pids():
                learner.remove()
        except (CgroupUnavailable, OSError, ValueError):
            pass

    def _root(self):
        from pathlib import Path

        return Path(self.cgroup_root)

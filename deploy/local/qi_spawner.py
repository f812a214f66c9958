"""The hub's spawner: LocalProcessSpawner plus one control group per learner.

Each learner's server runs as their own unix user (LocalProcessSpawner). After it starts, the
server's process goes into the learner's control group (see qi_cgroups.py), so the CPU quota
(``c.Spawner.cpu_limit``) and memory limit (``c.Spawner.mem_limit``) hold for the server and
all the kernels it starts, together. Where control groups cannot be used (a container without
them, say) the hub logs a warning and the per-process limits from ``prlimit`` still apply.
"""
from __future__ import annotations

from jupyterhub.spawner import LocalProcessSpawner
from qi_cgroups import CgroupUnavailable, learner_group
from traitlets import Unicode

DEFAULT_MEMORY = 2 * 1024**3


class LearnerGroupSpawner(LocalProcessSpawner):
    """Start each learner's server in a control group with their CPU and memory limits."""

    cgroup_root = Unicode("/sys/fs/cgroup", config=True,
                          help="Where control groups are mounted.")

    async def start(self):
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

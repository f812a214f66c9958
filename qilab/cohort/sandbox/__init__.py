"""The grading sandbox: where learners' code runs during autograding, and nothing else does.

Its interface is narrow: the grader (:mod:`qilab.cohort.autograde`) hands it one staged
submission and gets back only what the kernel sends over its sockets (outputs and the values
test cells hand over). Inside, the submission runs as its own unprivileged uid (or in an
unprivileged user namespace), in fresh PID, mount and network namespaces, one control group,
on a small read-only copy of the machine with a private working folder:
see :mod:`qilab.cohort.sandbox.launcher` for what it sees and :mod:`qilab.cohort.sandbox.host`
for the grader's side.
"""
from .host import (
    LAUNCHER,
    UNSAFE_NOTE,
    ControlGroup,
    IntegrityError,
    PackageSeal,
    SandboxUnavailable,
    UidPool,
    detect_mode,
    kernel_env,
    read_only_binds,
    write_plan,
)

__all__ = ["LAUNCHER", "UNSAFE_NOTE", "ControlGroup", "IntegrityError", "PackageSeal",
           "SandboxUnavailable", "UidPool", "detect_mode", "kernel_env", "read_only_binds",
           "write_plan"]

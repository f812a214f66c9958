"""Start an IPython kernel for one learner's submission, with resource limits.

The autograder launches every kernel through this script instead of ``ipykernel_launcher``::

    python sandbox.py --memory-mb 2048 --file-mb 64 -- -f CONNECTION_FILE ...

Before the kernel starts it sets, for the kernel process and anything it starts:

- ``RLIMIT_AS`` (address space): a memory bomb gets ``MemoryError`` instead of taking the
  machine down;
- ``RLIMIT_FSIZE``: no file the learner's code writes can grow past ``--file-mb``;
- ``RLIMIT_CORE`` = 0: a crashing kernel leaves no core file.

With ``--preload``, it then imports the modules the assignment's source notebook imports
(pandas, qilab, ...) while the kernel is still waiting for its submission, so the learner's
set-up cell does not pay for them. Only the module cache is warmed: no name is bound in the
learner's namespace, and the modules are the same ones the notebook would import itself.

It is run as a script (not ``-m qilab...``) so that the kernel starts without importing qilab.
What it cannot do as a single user: stop code reading files by absolute path. The grader runs the
kernel in a private folder with ``HOME`` pointing there, so relative paths and ``~`` reach only
that submission; on a hub, run grading as a user that cannot read learners' home folders.
"""
from __future__ import annotations

import argparse
import importlib
import os
import resource
import runpy
import sys


def _limit(kind: int, value: int) -> None:
    soft, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--preload", default="",
                        help="comma-separated modules to import before the kernel starts")
    parser.add_argument("kernel_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    if args.memory_mb > 0:
        _limit(resource.RLIMIT_AS, args.memory_mb * 1024 * 1024)
    if args.file_mb > 0:
        _limit(resource.RLIMIT_FSIZE, args.file_mb * 1024 * 1024)
    _limit(resource.RLIMIT_CORE, 0)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    for name in filter(None, args.preload.split(",")):
        try:  # warm the module cache only: no name is bound in the learner's namespace
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - the learner's own import will report it
            pass
    rest = args.kernel_args[1:] if args.kernel_args[:1] == ["--"] else args.kernel_args
    sys.argv = ["ipykernel_launcher", *rest]
    runpy.run_module("ipykernel_launcher", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()

"""The ``qilab`` command."""
from __future__ import annotations

import argparse
import sys
from typing import Callable

from . import __version__
from .errors import QIDataError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qilab", description="Quality improvement toolkit for "
                                     "health and social care.")
    parser.add_argument("--version", action="version", version=f"qilab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cohort.cli import add_cohort_parser
    add_cohort_parser(commands)
    from .programme.cli import add_programme_parser
    add_programme_parser(commands)
    from .reports.project_cli import add_project_parser
    add_project_parser(commands)
    return parser


def run_step(args: argparse.Namespace, command: str,
             step: Callable[[argparse.Namespace], int]) -> int:
    """Run a ``qilab COMMAND STEP``: help when no step is given; a ``QIDataError`` becomes a
    one-line message naming the step, and exit status 2."""
    if getattr(args, "step", None) is None:
        args.parser.print_help()
        return 0
    try:
        return step(args)
    except QIDataError as exc:
        print(f"qilab {command} {args.step}: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = getattr(args, "handler", None)
    return handler(args) if handler else 0


if __name__ == "__main__":
    sys.exit(main())

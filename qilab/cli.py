"""The ``qilab`` command."""
from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qilab", description="Quality improvement toolkit for "
                                     "health and social care.")
    parser.add_argument("--version", action="version", version=f"qilab {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    from .cohort.cli import add_cohort_parser
    add_cohort_parser(commands)
    from .programme.cli import add_programme_parser
    add_programme_parser(commands)
    return parser


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

"""``qilab project``: a live project's evidence pack and monthly progress score.

    qilab project pack FOLDER [--out storyboard.html] [--no-pdf] [--chart run]
    qilab project score FOLDER --date YYYY-MM-DD --score 2.5 --agreed-by "Coach name"

``pack`` writes the storyboard (HTML and a one-page A4 PDF) and prints the Practitioner
checks item by item; ``score`` adds the month's agreed progress score to the folder's
``progress-scores.csv``. A missing or bad file ends with a message naming it, and exit status 2.
"""
from __future__ import annotations

import argparse


def add_project_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``project`` and its steps to the ``qilab`` command's subparsers."""
    project = subparsers.add_parser(
        "project", help="a live project: evidence pack and storyboard, monthly progress score",
        description="A live improvement project kept in a folder (see qilab.reports.project).")
    steps = project.add_subparsers(dest="step", metavar="STEP")
    p = steps.add_parser("pack", help="write the storyboard (HTML and PDF) and check the "
                         "Practitioner evidence")
    p.add_argument("folder", help="the project folder")
    p.add_argument("--out", default=None, help="the storyboard's HTML file (default: "
                   "storyboard.html in the folder); the PDF goes beside it")
    p.add_argument("--no-pdf", action="store_true", help="HTML only")
    p.add_argument("--chart", default="run", help="chart type for the measure data (default "
                   "run; for example i, p or u)")
    p = steps.add_parser("score", help="add this month's agreed progress score (0.5 to 5)")
    p.add_argument("folder", help="the project folder")
    p.add_argument("--date", required=True, help="the day the score was agreed, YYYY-MM-DD")
    p.add_argument("--score", required=True, type=float, help="0.5 to 5 in steps of 0.5")
    p.add_argument("--agreed-by", required=True, help="who agreed it (coach or sponsor)")
    project.set_defaults(handler=run, parser=project)


def run(args: argparse.Namespace) -> int:
    from ..cli import run_step

    return run_step(args, "project", _run)


def _run(args: argparse.Namespace) -> int:
    from pathlib import Path

    if args.step == "pack":
        from .storyboard import evidence_pack

        pack = evidence_pack(args.folder, args.out, pdf=False if args.no_pdf else None,
                             chart=args.chart)
        print(pack.explain())
        story = pack.storyboard
        print(f"PDF: {story.pdf_path}" if story.pdf_path else
              "No PDF: no browser could print it (apt-get install chromium)."
              if not args.no_pdf else "No PDF (--no-pdf).")
        return 0
    from ..tools.charter import ProjectCharter
    from ..tools.progress_score import PROGRESS_FILE, describe, record_progress
    from .project import FILES

    folder = Path(args.folder)
    team = ProjectCharter.load(folder / FILES["charter"]).title
    out = record_progress(folder / PROGRESS_FILE, team, args.date, args.score, args.agreed_by)
    print(f"Recorded {args.score:g} ({describe(args.score)}) for {team} on {args.date} in "
          f"{out}.")
    return 0

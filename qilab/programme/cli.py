"""``qilab programme``: the faculty's record of the programme and the reports it owes.

    qilab programme init
    qilab programme demo FOLDER
    qilab programme import FILE [FILE ...]
    qilab programme certificates REGISTER
    qilab programme reach [--chart reach.png]
    qilab programme knowledge
    qilab programme outcomes
    qilab programme report [--out FOLDER] [--no-pdf]
    qilab programme gallery [--out FOLDER] [--projects DIR] [--storyboard PROJECT=LINK ...]
    qilab programme dashboard [--port N]
    qilab programme pseudonyms LEARNER [LEARNER ...]
    qilab programme match buddies|coaches [--capacity N] [--pin A=B] [--forbid A=B] [--save]

Every step takes ``--db URL`` (default ``$QILAB_PROGRAMME_DB``, else a SQLite file in
``~/qilab-programme/``). A problem with the input ends with every problem listed (file, row,
column) and exit status 2; nothing is written.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import QIDataError

EPILOG = """steps, in order:
  init          create the programme database, or bring it up to the newest schema
  demo          write a made-up programme's spreadsheets to a folder, to try the steps on
  import        import organisations' spreadsheets (CSV files named by kind, or Excel
                workbooks with a sheet per kind): all rows or none
  certificates  import qilab cohort's certificate register, checking each code
  reach         people trained against the 1000 target, and by tier, organisation, sector
                and role (small numbers suppressed)
  knowledge     knowledge gain (pre and post, with its 95% confidence interval) and the
                raters' agreement (weighted kappa)
  outcomes      each project's own measure: improvement, no signal yet or concern
  report        the impact report for the board and funders (HTML, and PDF when chromium
                is installed), in Kirkpatrick's four levels
  gallery       a page of the projects whose leads agreed to share them: each chart and
                verdict, failures as well as successes; --projects DIR adds each one's
                storyboard from its project folder (DIR/PROJECT-ID)
  dashboard     serve the faculty's dashboard on this computer only (Voila on 127.0.0.1)
  pseudonyms    show the pseudonyms of the learner ids you give (on screen, never saved)
  match         buddies for Practitioner learners, or coaches for projects, from other
                organisations and with shared priorities; pin or forbid pairs; --save

The database is a SQLAlchemy URL: --db, else $QILAB_PROGRAMME_DB, else
~/qilab-programme/programme.sqlite. For PostgreSQL use postgresql+psycopg://user@host/dbname.
See the trainers' page "Keeping the programme's records" in the book."""


def add_programme_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``programme`` and its steps to the ``qilab`` command's subparsers."""
    programme = subparsers.add_parser(
        "programme", help="the programme's records: import, reach, outcomes, impact report",
        description="Keep the programme's records and produce the reports it owes.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = programme.add_subparsers(dest="step", metavar="STEP")

    def step(name: str, help_: str) -> argparse.ArgumentParser:
        p = steps.add_parser(name, help=help_, description=help_)
        p.add_argument("--db", default=None, help="database URL (default $QILAB_PROGRAMME_DB "
                       "or ~/qilab-programme/programme.sqlite)")
        return p

    step("init", "create the programme database or bring it up to date")
    p = step("demo", "write a made-up programme's spreadsheets to try the steps on")
    p.add_argument("folder")
    p.add_argument("--people", type=int, default=300, help="how many people (default 300)")
    p = step("import", "import spreadsheets (CSV or Excel), all rows or none")
    p.add_argument("files", nargs="+")
    p = step("certificates", "import qilab cohort's certificate register")
    p.add_argument("register")
    p = step("reach", "people trained, against the target and by group")
    p.add_argument("--chart", default=None, help="also save the run chart as this PNG file")
    p.add_argument("--target", type=int, default=1000, help="the reach target (default 1000)")
    step("knowledge", "knowledge gain and raters' agreement")
    step("outcomes", "each project's verdict from its own measure")
    p = step("report", "write the impact report (HTML and PDF)")
    p.add_argument("--out", default="programme-report", help="folder (default "
                   "programme-report)")
    p.add_argument("--no-pdf", action="store_true", help="HTML only")
    p.add_argument("--target", type=int, default=1000, help="the reach target (default 1000)")
    p = step("gallery", "write the gallery of shared projects (HTML)")
    p.add_argument("--out", default="programme-gallery", help="folder (default "
                   "programme-gallery)")
    p.add_argument("--storyboard", action="append", default=[], metavar="PROJECT=LINK",
                   help="link a shared project to its storyboard (a web address or a path "
                   "from the gallery page); repeatable")
    p.add_argument("--projects", default=None, metavar="DIR",
                   help="a folder holding each project's folder, named by its project id "
                   "(DIR/PRJ-02): write each shared project's storyboard beside the gallery "
                   "and link it")
    p = step("dashboard", "serve the faculty's dashboard on this computer (Voila)")
    p.add_argument("--port", type=int, default=8867, help="port on 127.0.0.1 (default 8867)")
    p = step("pseudonyms", "show which pseudonym belongs to each learner id you give")
    p.add_argument("learners", nargs="+", help="learner ids (hub user names)")
    p = step("match", "match buddies to Practitioner learners, or coaches to projects")
    p.add_argument("what", choices=("buddies", "coaches"))
    p.add_argument("--capacity", type=int, default=None, help="people or teams each buddy or "
                   "coach takes (default 1 buddy, 3 teams)")
    p.add_argument("--pin", action="append", default=[], metavar="A=B",
                   help="keep this pair (ids as the step prints them); repeatable")
    p.add_argument("--forbid", action="append", default=[], metavar="A=B",
                   help="never make this pair; repeatable")
    p.add_argument("--save", action="store_true", help="record the matches in the database")
    programme.set_defaults(handler=run, parser=programme)


def run(args: argparse.Namespace) -> int:
    """Run the chosen step; return the exit status."""
    from ..cli import run_step

    return run_step(args, "programme", _run)


def _run(args: argparse.Namespace) -> int:
    from .db import current_revision, default_url, open_database

    if args.step == "demo":
        from .synthetic import synthetic_programme

        s = synthetic_programme(people=args.people)
        folder = Path(args.folder)
        paths = s.write_csvs(folder)
        register = s.write_register(folder / "register.csv")
        print(f"Made-up programme written to {folder}: {', '.join(p.name for p in paths)} and "
              f"{register.name}. Every person and organisation in it is invented.")
        return 0
    engine = open_database(args.db)
    if args.step == "init":
        print(f"Programme database ready at {args.db or default_url()} (schema "
              f"{current_revision(engine)}).")
    elif args.step == "import":
        from .importer import import_files

        print(import_files(engine, args.files).summary())
    elif args.step == "certificates":
        from .importer import import_register

        print(import_register(engine, args.register).summary())
    elif args.step in ("reach", "knowledge", "outcomes"):
        from .report import build_report

        report = build_report(engine, target=getattr(args, "target", 1000))
        print(_summary(report, args))
    elif args.step == "report":
        from .report import build_report, write_report

        report = build_report(engine, target=args.target)
        written = write_report(report, args.out, pdf=False if args.no_pdf else None)
        print("Impact report written: " + ", ".join(str(p) for p in written))
        if not args.no_pdf and len(written) == 1:
            print("No PDF: install chromium to print the report to PDF.")
    elif args.step == "gallery":
        from .gallery import write_gallery

        links = dict(_pairs(args.storyboard, "storyboard",
                            "PROJECT=LINK (a project id, then its storyboard's address)"))
        page = write_gallery(engine, args.out, links, projects=args.projects)
        print(f"Gallery written: {page}")
        if args.projects:
            made = sorted(p.stem for p in (page.parent / "storyboards").glob("*.html"))
            print(f"Storyboards in {page.parent / 'storyboards'}: {', '.join(made) or 'none'} "
                  "(only shared projects with a folder have one)")
    elif args.step == "dashboard":
        import subprocess

        from .dashboard import voila_command, voila_env

        print(f"Programme dashboard: http://127.0.0.1:{args.port}/ (Ctrl-C to stop)")
        return subprocess.call(voila_command(args.port), env=voila_env(args.db or default_url()))
    elif args.step == "pseudonyms":
        from .db import pseudonym_key
        from .identity import person_key, pseudonym

        with engine.connect() as conn:
            key = pseudonym_key(conn)
        for learner in args.learners:
            print(f"{learner}\t{pseudonym(key, person_key(learner, None, None, None))}")
    elif args.step == "match":
        return _match(engine, args)
    return 0


def _pairs(values: list[str], option: str,
           form: str = "A=B (the two ids as the match step prints them)"
           ) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise QIDataError(f"--{option} {value!r}: write it as {form}.", field=option)
        pairs.append((left.strip(), right.strip()))
    return pairs


def _match(engine, args: argparse.Namespace) -> int:
    from datetime import date

    from .frames import load
    from .matching import buddy_lists, coach_lists, match, save_matches

    records = load(engine)
    seekers, offers = (buddy_lists if args.what == "buddies" else coach_lists)(records)
    capacity = args.capacity or (1 if args.what == "buddies" else 3)
    found = match(seekers, offers, capacity=capacity, pins=_pairs(args.pin, "pin"),
                  forbid=set(_pairs(args.forbid, "forbid")))
    print(found.to_string(index=False) if len(found) else "No one to match.")
    if args.save:
        kind = "buddy" if args.what == "buddies" else "coach"
        print(f"{save_matches(engine, kind, found, date.today())} match(es) recorded.")
    return 0


def _summary(report, args: argparse.Namespace) -> str:
    if args.step == "reach":
        lines = [report.reach.explain()]
        for name, table in report.published_tables().items():
            if name.startswith("People trained"):
                lines += ["", name + ":", table.display().to_string()]
        if args.chart:
            from ..display import show

            chart = report.reach.chart()
            show(chart.plot(), alt=chart.alt_text()).save(args.chart)
            lines.append(f"\nRun chart saved to {args.chart}.")
        return "\n".join(lines)
    if args.step == "knowledge":
        return report.knowledge.explain()
    table = report.outcomes[["project", "measure", "status", "reason"]]
    return table.to_string(index=False) if len(table) else "No projects registered yet."

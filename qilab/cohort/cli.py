"""``qilab cohort``: one trainer command per step of certifying a cohort.

    qilab cohort init [--course-dir DIR] [--course-id ID] [--faculty NAME]
    qilab cohort release ASSIGNMENT [--due "YYYY-MM-DD HH:MM"]
    qilab cohort collect ASSIGNMENT
    qilab cohort autograde ASSIGNMENT [--student ID] [--workers N] [--timeout S]
                                      [--unsafe-no-sandbox]
    qilab cohort feedback ASSIGNMENT
    qilab cohort export [--output grades.csv]
    qilab cohort coach-check --log LOG.csv --teams TEAMS.csv --evidence evidence.csv
    qilab cohort project-check --projects DIR --evidence evidence.csv
    qilab cohort certify --tier TIER [--evidence evidence.csv] [--date YYYY-MM-DD]
    qilab cohort verify CODE_OR_FILE

Every step takes ``--course-dir`` (default: the current folder). Mistakes (an unknown assignment
or tier, no gradebook yet, no faculty secret) end with a message saying what to do, and exit
status 2; ``verify`` exits 1 when a certificate does not verify, and ``autograde`` exits 1 when
a submission could not be graded at all (the others are graded; its table says which).
"""
from __future__ import annotations

import argparse
import sys

from ..errors import QIDataError

EPILOG = """steps, in order:
  init       make the course folder (nbgrader config from grading/, assignments from exercises/)
  release    generate the learners' version of an assignment and release it to the exchange
  collect    collect learners' submissions from the exchange
  autograde  grade them: fast, each in its own limited kernel; gradebook backed up first
  feedback   write each learner's HTML feedback
  export     all grades to a CSV file
  coach-check  check coaches' logs and teams' progress scores; add the result as evidence
  project-check  check Practitioners' project folders (evidence packs); add the result as
             evidence
  certify    apply grading/standard.yml; write certificates and append to register.csv
  verify     check a certificate's verification code (or the certificate file)

The faculty secret that signs certificates is read from $QILAB_FACULTY_SECRET, the file named by
$QILAB_FACULTY_SECRET_FILE, or ~/.config/qilab/faculty-secret (created by init)."""


def add_cohort_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add ``cohort`` and its steps to the ``qilab`` command's subparsers."""
    cohort = subparsers.add_parser(
        "cohort", help="certify a cohort: nbgrader steps, certificates, verification",
        description="Run a cohort through nbgrader and certify it, one command per step.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    steps = cohort.add_subparsers(dest="step", metavar="STEP")

    def step(name: str, help_: str) -> argparse.ArgumentParser:
        p = steps.add_parser(name, help=help_, description=help_)
        p.add_argument("--course-dir", default=".", help="the course folder (default: here)")
        return p

    p = step("init", "make or refresh the course folder from grading/ and exercises/")
    p.add_argument("--course-id", default="qi-course", help="the course id (default qi-course)")
    p.add_argument("--faculty", default="QI Faculty", help="the issuing faculty's name")
    p.add_argument("--exercises", default=None, help="assignments folder (default: exercises/)")
    p = step("release", "generate and release an assignment to learners")
    p.add_argument("assignment")
    p.add_argument("--due", default=None, help="due date 'YYYY-MM-DD HH:MM'; later work is "
                   "flagged late")
    p = step("collect", "collect learners' submissions of an assignment")
    p.add_argument("assignment")
    p = step("autograde", "autograde collected submissions (fast and sandboxed)")
    p.add_argument("assignment")
    p.add_argument("--student", default=None, help="grade only this learner")
    p.add_argument("--workers", type=int, default=2,
                   help="learners graded at once, one process each (default 2)")
    p.add_argument("--timeout", type=int, default=None,
                   help="seconds a cell may run (default: the course's c.Execute.timeout)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="DANGEROUS: where neither root nor user namespaces are available, run "
                   "learners' code as you, with only resource limits (they can read your files "
                   "and the gradebook). Never on a hub or with real learners.")
    p = step("feedback", "write learners' HTML feedback for an assignment")
    p.add_argument("assignment")
    p = step("export", "export all grades to CSV")
    p.add_argument("--output", default="grades.csv", help="the CSV file (default grades.csv)")
    p = step("coach-check", "check coaching logs and coached teams' progress scores, and add "
             "the Coach evidence they give to the evidence CSV")
    p.add_argument("--log", required=True, help="coaching log CSV (coach, team, date, stage, "
                   "agreed, progress_score)")
    p.add_argument("--teams", required=True, help="teams' progress records CSV (team, date, "
                   "progress_score, agreed_by)")
    p.add_argument("--evidence", required=True, help="the evidence CSV to add rows to")
    p.add_argument("--date", default=None, help="date of the check, YYYY-MM-DD (default today)")
    p = step("project-check", "check Practitioners' project folders (charter, driver diagram, "
             "measurement plan, PDSA log, measure data, progress scores) and add the "
             "Practitioner evidence they give to the evidence CSV")
    p.add_argument("--projects", required=True, help="folder with one project folder per "
                   "learner, each named with the learner id")
    p.add_argument("--evidence", required=True, help="the evidence CSV to add rows to")
    p.add_argument("--date", default=None, help="date of the check, YYYY-MM-DD (default today)")
    p = step("certify", "apply the standard for a tier and issue certificates")
    p.add_argument("--tier", required=True, help="aware, foundation, practitioner, coach or "
                   "leaders")
    p.add_argument("--evidence", default=None, help="CSV of manually assessed evidence")
    p.add_argument("--date", default=None, help="date awarded, YYYY-MM-DD (default today)")
    p.add_argument("--no-pdf", action="store_true", help="HTML certificates only")
    p = step("verify", "check a verification code or a certificate file")
    p.add_argument("code_or_file")
    cohort.set_defaults(handler=run, parser=cohort)


def run(args: argparse.Namespace) -> int:
    """Run the chosen step; return the exit status."""
    from ..cli import run_step

    return run_step(args, "cohort", _run)


def _run(args: argparse.Namespace) -> int:
    from . import steps
    from .course import init_course, open_course
    if args.step == "init":
        course = init_course(args.course_dir, course_id=args.course_id, faculty=args.faculty,
                             exercises=args.exercises)
        print(f"Course {course.course_id} ready in {course.root} with assignments: "
              f"{', '.join(course.source_assignments())}.")
        return 0
    if args.step == "coach-check":
        return _coach_check(args)
    if args.step == "project-check":
        return _project_check(args)
    course = open_course(args.course_dir)
    if args.step == "release":
        notes: list[str] = []
        out = steps.release(course, args.assignment, due=args.due, notes=notes)
        for note in notes:
            print(f"Exchange repaired: {note}", file=sys.stderr)
        print(f"Released {args.assignment} ({out}).")
    elif args.step == "collect":
        from .exchange import CollectReport
        got = CollectReport()
        who = steps.collect(course, args.assignment, report=got)
        for line in got.problems:
            print(f"Not collected: {line}", file=sys.stderr)
        for line in got.warnings:
            print(f"nbgrader warning: {line}", file=sys.stderr)
        print(f"Collected {len(who)} submission(s) of {args.assignment}"
              + (f"; {len(got.problems)} entry(ies) refused (above)." if got.problems else "."))
    elif args.step == "autograde":
        from .autograde import autograde
        report = autograde(course, args.assignment, student=args.student,
                           workers=args.workers, timeout=args.timeout,
                           unsafe_no_sandbox=args.unsafe_no_sandbox)
        if args.unsafe_no_sandbox:
            print("WARNING: graded WITHOUT the sandbox (--unsafe-no-sandbox): learners' code "
                  "ran as you.", file=sys.stderr)
        print(report.table())
        print(f"Graded {len(report.results)} in {report.seconds:.1f} s; gradebook backed up "
              f"to {report.backup}.")
        return 1 if any(r.status == "failed" for r in report.results) else 0
    elif args.step == "feedback":
        out = steps.feedback(course, args.assignment)
        print(f"Feedback written under {out}.")
    elif args.step == "export":
        out = steps.export(course, args.output)
        print(f"Grades exported to {out}.")
    elif args.step == "certify":
        from .certificates import certify
        report = certify(course, args.tier, evidence=args.evidence, on=args.date,
                         pdf=False if args.no_pdf else None)
        print(report.summary())
    elif args.step == "verify":
        from .certificates import verify
        verdict = verify(course, args.code_or_file)
        print(verdict.message)
        return 0 if verdict.valid else 1
    return 0


def _check_date(text: str | None):
    from datetime import date

    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise QIDataError(f"--date {text!r} is not YYYY-MM-DD.", field="date") from None


def _coach_check(args: argparse.Namespace) -> int:
    from .coach_evidence import add_to_evidence, check_coaches
    on = _check_date(args.date)
    checks = check_coaches(args.log, args.teams)
    out = add_to_evidence(checks, args.evidence, on=on)
    for c in checks:
        print(f"{c.coach}: " + "; ".join(
            f"{item} {'met' if met else 'NOT met'} ({c.notes[item]})"
            for item, met in c.met.items()))
    print(f"Added {2 * len(checks)} row(s) to {out}.")
    return 0


def _project_check(args: argparse.Namespace) -> int:
    from .project_evidence import add_to_evidence, check_projects
    on = _check_date(args.date)
    checks = check_projects(args.projects)
    out = add_to_evidence(checks, args.evidence, on=on)
    for c in checks:
        print(f"{c.learner} ({c.folder}):")
        print("  " + c.explain().replace("\n", "\n  "))
    print(f"Added {sum(len(c.met) for c in checks)} row(s) to {out}.")
    return 0

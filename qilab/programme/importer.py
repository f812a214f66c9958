"""Importing records from organisations' spreadsheets (CSV or Excel), all or nothing.

Each CSV file is one kind of record, named by its file name (``enrolments.csv``); an Excel
workbook holds one kind per sheet, named by the sheet. The kinds, in the order they are
imported, are :data:`KINDS`. Every row of every file is checked first; each problem is
reported with its file, row and column; and only if there is none are the rows written, all in
one transaction. A failed or killed import leaves the database exactly as it was.

People are identified by a ``learner`` id (the hub user name, as in the certificate
register), else an ``email``, else a ``name`` with their ``organisation``. None of these is
stored: each becomes a pseudonym (:mod:`qilab.programme.identity`).

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "organisations.csv").write_text("organisation,sector\\nTestshire NHS FT,NHS\\n")
>>> engine = open_database("sqlite:///" + str(folder / "p.sqlite"))
>>> import_files(engine, [folder / "organisations.csv"]).added
{'organisations': 1}
"""
from __future__ import annotations

import csv
import difflib
import io
import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import Connection, Engine, insert, select

from ..errors import QIDataError
from . import models as m
from . import values as v
from .db import pseudonym_key, writing
from .identity import normal_organisation, person_key, pseudonym
from .scenarios import SCENARIOS

KINDS = ("organisations", "enrolments", "certificates", "knowledge", "projects", "progress",
         "measures", "coaching", "events", "attendance")
MAX_LISTED = 40


@dataclass
class Table:
    """Rows of one kind from one file: ``(spreadsheet row number, {column: cell})``."""

    kind: str
    source: str
    columns: list[str]
    rows: list[tuple[int, dict[str, Any]]]


@dataclass
class ImportReport:
    """What an import added, and anything the trainer should know."""

    added: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"  {kind}: {n} added" for kind, n in self.added.items()]
        return "\n".join(["Imported:", *lines, *self.notes])


def _column_name(text: Any) -> str:
    return "_".join(str(text or "").strip().casefold().split())


def _tables_from_rows(kind: str, source: str, rows: Iterable[tuple]) -> Table:
    rows = iter(rows)
    header = [_column_name(h) for h in next(rows, ())]
    out = []
    for number, cells in enumerate(rows, start=2):
        record = {h: c for h, c in zip(header, cells) if h}
        if all(v.blank(c) for c in record.values()):
            continue
        out.append((number, record))
    return Table(kind, source, [h for h in header if h], out)


def _kind(name: str, source: str) -> str:
    kind = _column_name(name).replace("-", "_")
    if kind not in KINDS:
        raise QIDataError(f"{source}: {name!r} is not a kind of record this import knows. Name "
                          f"each CSV file or Excel sheet after one of: {', '.join(KINDS)}.",
                          field="kind")
    return kind


def read_tables(paths: Iterable[str | os.PathLike]) -> list[Table]:
    """Every table in ``paths`` (CSV files named by kind, or Excel workbooks)."""
    tables = []
    for path in map(Path, paths):
        if not path.exists():
            raise QIDataError(f"{path} does not exist.", field=str(path))
        if path.suffix.casefold() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                for sheet in book.worksheets:
                    source = f"{path.name}, sheet {sheet.title!r}"
                    tables.append(_tables_from_rows(_kind(sheet.title, source), source,
                                                    sheet.iter_rows(values_only=True)))
            finally:
                book.close()
        elif path.suffix.casefold() == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            tables.append(_tables_from_rows(_kind(path.stem, path.name), path.name,
                                            csv.reader(io.StringIO(text))))
        else:
            raise QIDataError(f"{path.name}: import reads .csv or .xlsx files.", field=str(path))
    return tables


class Problems(QIDataError):
    """Every problem found in an import; nothing was written."""

    def __init__(self, problems: list[tuple[str, int | None, str | None, str]]) -> None:
        self.problems = problems
        lines = [f"{src}, row {row}, column {col!r}: {msg}" if row and col else
                 f"{src}, row {row}: {msg}" if row else f"{src}: {msg}"
                 for src, row, col, msg in problems]
        more = len(lines) - MAX_LISTED
        shown = lines[:MAX_LISTED] + ([f"... and {more} more."] if more > 0 else [])
        super().__init__(f"Nothing was imported: {len(problems)} problem(s) to fix.\n"
                         + "\n".join(shown), row=problems[0][1], column=problems[0][2],
                         field=problems[0][2])


class _Import:
    """One import: the open transaction, what is known so far and the problems found."""

    def __init__(self, conn: Connection, today: date, secret: bytes | None) -> None:
        self.conn, self.today, self.secret = conn, today, secret
        self.problems: list[tuple[str, int | None, str | None, str]] = []
        self.key = pseudonym_key(conn)
        self.report = ImportReport()
        self.orgs: dict[str, int] = {}
        self.org_names: dict[int, str] = {}
        self.sectors: dict[int, str] = {}
        for oid, name, sector in conn.execute(select(m.Organisation.id, m.Organisation.name,
                                                     m.Organisation.sector)):
            self.orgs[normal_organisation(name)] = oid
            self.org_names[oid], self.sectors[oid] = name, sector
        for alias, oid in conn.execute(select(m.OrganisationAlias.alias,
                                              m.OrganisationAlias.organisation_id)):
            self.orgs[alias] = oid
        self.people = {pid: (org, role, pc, consent) for pid, org, role, pc, consent in
                       conn.execute(select(m.Person.id, m.Person.organisation_id, m.Person.role,
                                           m.Person.patient_or_carer,
                                           m.Person.consent_to_share))}
        self.projects = set(conn.execute(select(m.Project.id)).scalars())
        self.events = set(conn.execute(select(m.Event.id)).scalars())

    # -- reading cells -------------------------------------------------------------------
    def problem(self, t: Table, row: int | None, column: str | None, message: str) -> None:
        self.problems.append((t.source, row, column, message))

    def cell(self, t: Table, row: int, rec: dict, column: str, parse: Callable[[Any], Any],
             required: bool = True, default: Any = None) -> Any:
        value = rec.get(column)
        if v.blank(value):
            if required:
                self.problem(t, row, column, "is empty: fill it in")
            return default
        try:
            return parse(value)
        except ValueError as exc:
            self.problem(t, row, column, str(exc))
            return None

    def text(self, t: Table, row: int, rec: dict, column: str, required: bool = True
             ) -> str | None:
        return self.cell(t, row, rec, column, lambda x: " ".join(str(x).split()), required)

    def day(self, t: Table, row: int, rec: dict, column: str, required: bool = True
            ) -> date | None:
        value = self.cell(t, row, rec, column, v.parse_date, required)
        if value is not None and value > self.today:
            self.problem(t, row, column, f"{value:%d/%m/%Y} is in the future: check the date")
            return None
        return value

    def organisation(self, t: Table, row: int, rec: dict) -> int | None:
        name = self.text(t, row, rec, "organisation")
        if name is None:
            return None
        oid = self.orgs.get(normal_organisation(name))
        if oid is None:
            close = difflib.get_close_matches(normal_organisation(name),
                                              [normal_organisation(n) for n in
                                               self.org_names.values()], n=1, cutoff=0.6)
            hint = (f" Did you mean {self._org_by_normal(close[0])!r}?" if close else "")
            self.problem(t, row, "organisation", f"{name!r} is not a known organisation.{hint} "
                         "Add it (or this spelling as an alias) to organisations first.")
        return oid

    def _org_by_normal(self, normal: str) -> str:
        return next(n for n in self.org_names.values() if normal_organisation(n) == normal)

    def person(self, t: Table, row: int, rec: dict, *, column: str = "learner",
               org: int | None = None, must_exist: bool = True) -> str | None:
        org_text = self.org_names.get(org) if org is not None else None
        if org_text is None and not v.blank(rec.get("organisation")):
            oid = self.orgs.get(normal_organisation(str(rec["organisation"])))
            org_text = self.org_names.get(oid) if oid is not None else None
        identity = person_key(rec.get(column), rec.get("email") if column == "learner" else None,
                              rec.get("name") if column == "learner" else None, org_text)
        if identity is None:
            self.problem(t, row, column, "no person given: fill in the learner id (or an email, "
                         "or a name with an organisation)")
            return None
        pid = pseudonym(self.key, identity)
        if must_exist and pid not in self.people:
            self.problem(t, row, column, "this person has no enrolment in the programme: "
                         "import their enrolment first (same learner id, email or name)")
            return None
        return pid

    def insert(self, table: Any, rows: list[dict], kind: str) -> None:
        if rows and not self.problems:
            self.conn.execute(insert(table), rows)
        self.report.added[kind] = self.report.added.get(kind, 0) + len(rows)


def _keys(conn: Connection, *columns: Any) -> set[tuple]:
    """The existing values of ``columns`` as a set of tuples (to find duplicates)."""
    return {tuple(row) for row in conn.execute(select(*columns))}


def _organisations(imp: _Import, t: Table) -> None:
    new, aliases, seen = [], [], {}
    next_id = max(imp.org_names, default=0) + 1
    for row, rec in t.rows:
        name = imp.text(t, row, rec, "organisation")
        sector = imp.cell(t, row, rec, "sector",
                          lambda x: v.parse_choice(x, v.SECTOR_NAMES, "sector"))
        if name is None or sector is None:
            continue
        normal = normal_organisation(name)
        oid = imp.orgs.get(normal)
        if normal in seen:
            imp.problem(t, row, "organisation", f"{name!r} is also in row {seen[normal]}: "
                        "list each organisation once (put other spellings in 'aliases')")
            continue
        seen[normal] = row
        if oid is None:
            oid, next_id = next_id, next_id + 1
            new.append({"id": oid, "name": name, "sector": sector})
            imp.orgs[normal], imp.org_names[oid], imp.sectors[oid] = oid, name, sector
            aliases.append({"alias": normal, "organisation_id": oid})
        elif imp.sectors[oid] != sector:
            imp.problem(t, row, "sector", f"{imp.org_names[oid]!r} is already recorded in the "
                        f"{imp.sectors[oid]} sector, not {sector}")
            continue
        for alias in str(rec.get("aliases") or "").split(";"):
            alias = normal_organisation(alias)
            if not alias:
                continue
            if imp.orgs.get(alias, oid) != oid:
                imp.problem(t, row, "aliases", f"{alias!r} already names "
                            f"{imp.org_names[imp.orgs[alias]]!r}")
            elif alias not in imp.orgs:
                imp.orgs[alias] = oid
                aliases.append({"alias": alias, "organisation_id": oid})
    imp.insert(m.Organisation, new, "organisations")
    if aliases and not imp.problems:
        imp.conn.execute(insert(m.OrganisationAlias), aliases)


def _enrolments(imp: _Import, t: Table) -> None:
    existing = _keys(imp.conn, m.Enrolment.person_id, m.Enrolment.tier, m.Enrolment.cohort)
    first_seen: dict[str, int] = {}
    seen: dict[tuple, int] = {}
    people, rows = [], []
    for row, rec in t.rows:
        org = imp.organisation(t, row, rec)
        pid = imp.person(t, row, rec, org=org, must_exist=False) if org is not None else None
        role = imp.text(t, row, rec, "role")
        role = role.casefold() if role else role
        pc = imp.cell(t, row, rec, "patient_or_carer", v.parse_bool)
        consent = imp.cell(t, row, rec, "consent_to_share", v.parse_bool)
        tier = imp.cell(t, row, rec, "tier", lambda x: v.parse_choice(x, v.TIER_NAMES, "tier"))
        cohort = imp.text(t, row, rec, "cohort")
        started = imp.day(t, row, rec, "started")
        completed = imp.day(t, row, rec, "completed", required=False)
        rating = imp.cell(t, row, rec, "rating", lambda x: v.parse_int(x, 1, 5), required=False)
        if started and completed and completed < started:
            imp.problem(t, row, "completed", f"{completed:%d/%m/%Y} is before the start date "
                        f"{started:%d/%m/%Y}")
        if None in (pid, role, pc, consent, tier, cohort, started):
            continue
        details = (org, role, pc, consent)
        known = imp.people.get(pid)
        if known is not None and known != details:
            where = (f"row {first_seen[pid]}" if pid in first_seen else "the database")
            diff = [name for name, a, b in zip(("organisation", "role", "patient_or_carer",
                                                "consent_to_share"), known, details) if a != b]
            imp.problem(t, row, diff[0], f"duplicate person with different details: {where} "
                        f"gives this person a different {' and '.join(diff)}. One person has "
                        "one record: correct the rows so they agree")
            continue
        if known is None:
            imp.people[pid] = details
            first_seen[pid] = row
            people.append({"id": pid, "organisation_id": org, "role": role,
                           "patient_or_carer": pc, "consent_to_share": consent})
        key = (pid, tier, cohort)
        if key in existing:
            imp.problem(t, row, "cohort", f"this person's {tier} enrolment in cohort {cohort!r} "
                        "is already in the database (imported before?)")
        elif key in seen:
            imp.problem(t, row, "learner", f"duplicate of row {seen[key]} (same person, tier "
                        "and cohort): remove one")
        else:
            seen[key] = row
            rows.append({"person_id": pid, "tier": tier, "cohort": cohort, "started": started,
                         "completed": completed, "rating": rating})
    imp.insert(m.Person, people, "people")
    imp.insert(m.Enrolment, rows, "enrolments")


def _certificates(imp: _Import, t: Table) -> None:
    from ..cohort.certificates import CODE_RE, Record, verification_code

    existing = dict(imp.conn.execute(select(m.Certificate.code, m.Certificate.person_id)
                                     ).all())
    rows, already, seen = [], 0, {}
    for row, rec in t.rows:
        code = imp.cell(t, row, rec, "code", lambda x: str(x).strip().upper())
        pid = imp.person(t, row, rec)
        tier = imp.cell(t, row, rec, "tier", lambda x: v.parse_choice(x, v.TIER_NAMES, "tier"))
        awarded = imp.day(t, row, rec, "date")
        if None in (code, pid, tier, awarded):
            continue
        if not CODE_RE.match(code):
            imp.problem(t, row, "code", f"{code!r} is not a verification code (QI-XXXX-...)")
            continue
        verified = None
        if imp.secret is not None:
            record = Record(*(str(rec.get(c) or "") for c in ("name", "learner", "tier", "date",
                                                               "faculty", "course")))
            verified = verification_code(record, imp.secret) == code
            if not verified:
                imp.problem(t, row, "code", "does not verify with the faculty secret: the row "
                            "was altered or comes from another faculty")
                continue
        if code in seen:
            imp.problem(t, row, "code", f"duplicate of row {seen[code]}")
            continue
        seen[code] = row
        if code in existing:
            already += 1
            continue
        rows.append({"code": code, "person_id": pid, "tier": tier, "awarded": awarded,
                     "verified": verified})
    imp.insert(m.Certificate, rows, "certificates")
    if already:
        imp.report.notes.append(f"{already} certificate(s) were already in the database.")
    if imp.secret is None and rows:
        imp.report.notes.append("No faculty secret was available, so certificate codes were "
                                "not verified (they are marked unverified).")


def _knowledge(imp: _Import, t: Table) -> None:
    existing = _keys(imp.conn, m.KnowledgeScore.person_id, m.KnowledgeScore.phase,
                     m.KnowledgeScore.scenario, m.KnowledgeScore.rater)
    phases = {p: p for p in m.PHASES} | {"before": "pre", "after": "post"}
    scenarios = {s: s for s in SCENARIOS}
    rows, seen = [], {}
    for row, rec in t.rows:
        pid = imp.person(t, row, rec)
        phase = imp.cell(t, row, rec, "phase", lambda x: v.parse_choice(x, phases, "phase"))
        scenario = imp.cell(t, row, rec, "scenario",
                            lambda x: v.parse_choice(x, scenarios, "scenario"))
        rater = imp.text(t, row, rec, "rater")
        score = imp.cell(t, row, rec, "score", lambda x: v.parse_int(x, 0, 9))
        taken = imp.day(t, row, rec, "date")
        if None in (pid, phase, scenario, rater, score, taken):
            continue
        key = (pid, phase, scenario, rater)
        if key in existing or key in seen:
            where = f"row {seen[key]}" if key in seen else "the database"
            imp.problem(t, row, "rater", f"duplicate: {where} already has this rater's {phase} "
                        f"score for this person on {scenario!r}")
            continue
        seen[key] = row
        rows.append({"person_id": pid, "phase": phase, "scenario": scenario, "rater": rater,
                     "score": score, "taken": taken})
    imp.insert(m.KnowledgeScore, rows, "knowledge")


def _projects(imp: _Import, t: Table) -> None:
    from ..charts.spc import CHARTS, RULE_SETS

    directions = {d: d for d in m.DIRECTIONS} | {"up": "increase", "down": "decrease",
                                                   "higher": "increase", "lower": "decrease"}
    rows = []
    for row, rec in t.rows:
        pid = imp.text(t, row, rec, "project")
        org = imp.organisation(t, row, rec)
        lead = (imp.person(t, row, rec, column="lead", org=org)
                if not v.blank(rec.get("lead")) else None)
        chart = imp.cell(t, row, rec, "chart", lambda x: v.parse_choice(
            x, {c: c for c in CHARTS}, "chart type"), required=False, default="run")
        rules = imp.cell(t, row, rec, "rules", lambda x: v.parse_choice(
            x, {r: r for r in RULE_SETS}, "rule set"), required=False, default="anhoej")
        record = {
            "id": pid, "organisation_id": org, "lead_id": lead, "chart": chart, "rules": rules,
            "title": imp.text(t, row, rec, "title"),
            "priority": imp.text(t, row, rec, "priority"),
            "aim": imp.text(t, row, rec, "aim"),
            "measure": imp.text(t, row, rec, "measure"),
            "direction": imp.cell(t, row, rec, "direction", lambda x: v.parse_choice(
                x, directions, "direction")),
            "baseline_points": imp.cell(t, row, rec, "baseline_points",
                                        lambda x: v.parse_int(x, 2, 120), required=False,
                                        default=12),
            "registered": imp.day(t, row, rec, "registered"),
            "consent_to_share": imp.cell(t, row, rec, "consent_to_share", v.parse_bool)}
        if chart == "run" and rules in ("western_electric", "provost_murray", "mdc"):
            imp.problem(t, row, "rules", f"{rules} rules need a control chart: choose a chart "
                        "such as i, p or u, or the anhoej or ihi rules")
            continue
        if pid in imp.projects:
            imp.problem(t, row, "project", f"{pid!r} is already registered")
            continue
        if any(value is None for key, value in record.items() if key != "lead_id"):
            continue
        imp.projects.add(pid)
        rows.append(record)
    imp.insert(m.Project, rows, "projects")


def _per_project(imp: _Import, t: Table, kind: str, table: Any, when: str,
                 parse_when: Callable, fields: dict[str, tuple[Callable, bool]]) -> None:
    existing = _keys(imp.conn, table.project_id, getattr(table, when))
    rows, seen = [], {}
    for row, rec in t.rows:
        project = imp.text(t, row, rec, "project")
        if project is not None and project not in imp.projects:
            imp.problem(t, row, "project", f"{project!r} is not a registered project: import "
                        "it in projects first")
            project = None
        at = imp.cell(t, row, rec, when, parse_when)
        if at is not None and at > imp.today:
            imp.problem(t, row, when, f"{at:%d/%m/%Y} is in the future: check the date")
            at = None
        record = {name: imp.cell(t, row, rec, name, parse, required)
                  for name, (parse, required) in fields.items()}
        if project is None or at is None or any(
                record[n] is None for n, (_, req) in fields.items() if req):
            continue
        key = (project, at)
        if key in existing or key in seen:
            where = f"row {seen[key]}" if key in seen else "the database"
            imp.problem(t, row, when, f"duplicate: {where} already has {project!r} for "
                        f"{at:%m/%Y}" if kind == "progress" else
                        f"duplicate: {where} already has {project!r} for {at:%d/%m/%Y}")
            continue
        seen[key] = row
        rows.append({"project_id": project, when: at, **record})
    imp.insert(table, rows, kind)


def _progress(imp: _Import, t: Table) -> None:
    _per_project(imp, t, "progress", m.ProgressScore, "month", v.parse_month,
                 {"score": (v.parse_progress, True)})


def _measures(imp: _Import, t: Table) -> None:
    def positive(x: Any) -> float:
        n = v.parse_number(x)
        if n <= 0:
            raise ValueError(f"{x!r} is not a positive number")
        return n

    _per_project(imp, t, "measures", m.MeasureValue, "period", v.parse_date,
                 {"value": (v.parse_number, True), "n": (positive, False)})


def _coaching(imp: _Import, t: Table) -> None:
    rows, seen = [], {}
    existing = _keys(imp.conn, m.CoachingSession.project_id, m.CoachingSession.coach_id,
                     m.CoachingSession.held)
    for row, rec in t.rows:
        project = imp.text(t, row, rec, "project")
        if project is not None and project not in imp.projects:
            imp.problem(t, row, "project", f"{project!r} is not a registered project")
            project = None
        coach = imp.person(t, row, rec, column="coach")
        held = imp.day(t, row, rec, "date")
        if None in (project, coach, held):
            continue
        key = (project, coach, held)
        if key in existing or key in seen:
            imp.problem(t, row, "date", "duplicate coaching session (same project, coach and "
                        "date)")
            continue
        seen[key] = row
        rows.append({"project_id": project, "coach_id": coach, "held": held})
    imp.insert(m.CoachingSession, rows, "coaching")


def _events(imp: _Import, t: Table) -> None:
    rows = []
    for row, rec in t.rows:
        eid = imp.text(t, row, rec, "event")
        title = imp.text(t, row, rec, "title")
        held = imp.day(t, row, rec, "date")
        if None in (eid, title, held):
            continue
        if eid in imp.events:
            imp.problem(t, row, "event", f"{eid!r} is already recorded")
            continue
        imp.events.add(eid)
        rows.append({"id": eid, "title": title, "held": held})
    imp.insert(m.Event, rows, "events")


def _attendance(imp: _Import, t: Table) -> None:
    existing = _keys(imp.conn, m.Attendance.event_id, m.Attendance.person_id)
    rows, seen = [], {}
    for row, rec in t.rows:
        event = imp.text(t, row, rec, "event")
        if event is not None and event not in imp.events:
            imp.problem(t, row, "event", f"{event!r} is not a recorded event")
            event = None
        pid = imp.person(t, row, rec)
        attended = imp.cell(t, row, rec, "attended", v.parse_bool)
        if None in (event, pid, attended):
            continue
        if (event, pid) in existing or (event, pid) in seen:
            imp.problem(t, row, "learner", "duplicate: this person is already on this event's "
                        "list")
            continue
        seen[(event, pid)] = row
        rows.append({"event_id": event, "person_id": pid, "attended": attended})
    imp.insert(m.Attendance, rows, "attendance")


HANDLERS: dict[str, Callable[[_Import, Table], None]] = {
    "organisations": _organisations, "enrolments": _enrolments, "certificates": _certificates,
    "knowledge": _knowledge, "projects": _projects, "progress": _progress,
    "measures": _measures, "coaching": _coaching, "events": _events,
    "attendance": _attendance}
REQUIRED: dict[str, tuple[str, ...]] = {
    "organisations": ("organisation", "sector"),
    "enrolments": ("organisation", "role", "patient_or_carer", "consent_to_share", "tier",
                   "cohort", "started"),
    "certificates": ("code", "learner", "name", "tier", "date", "faculty", "course"),
    "knowledge": ("phase", "scenario", "rater", "score", "date"),
    "projects": ("project", "title", "organisation", "priority", "aim", "measure", "direction",
                 "registered", "consent_to_share"),
    "progress": ("project", "month", "score"),
    "measures": ("project", "period", "value"),
    "coaching": ("project", "coach", "date"),
    "events": ("event", "title", "date"),
    "attendance": ("event", "attended"),
}
_IDENTITY = ("learner", "email", "name")


def _faculty_secret() -> bytes | None:
    from ..cohort.secret import load_secret

    try:
        return load_secret()
    except QIDataError:
        return None


def import_tables(engine: Engine, tables: list[Table], *, today: date | None = None,
                  secret: bytes | None | bool = True, _after_write: Callable | None = None
                  ) -> ImportReport:
    """Check every row of ``tables`` and write them in one transaction, or raise
    :class:`Problems` (a :class:`QIDataError`) listing every problem and write nothing.

    ``secret=True`` verifies certificate codes with the faculty secret when one is configured;
    pass the secret's bytes, or ``None`` not to verify.
    """
    if secret is True:
        secret = _faculty_secret()
    today = today or date.today()
    with writing(engine) as conn:
        imp = _Import(conn, today, secret or None)
        for t in tables:
            missing = [c for c in REQUIRED[t.kind] if c not in t.columns]
            if t.kind in ("enrolments", "knowledge", "attendance") and not any(
                    c in t.columns for c in _IDENTITY):
                missing.append("learner (or email, or name)")
            if missing:
                imp.problem(t, None, None, f"has no column {', '.join(map(repr, missing))} "
                            f"(columns found: {', '.join(t.columns) or 'none'})")
        for kind in KINDS:
            for t in tables:
                if t.kind == kind and not any(p[0] == t.source and p[1] is None
                                              for p in imp.problems):
                    HANDLERS[kind](imp, t)
                    if _after_write is not None and not imp.problems:
                        _after_write(kind)
        if imp.problems:
            raise Problems(imp.problems)
        return imp.report


def import_files(engine: Engine, paths: Iterable[str | os.PathLike], *,
                 today: date | None = None, secret: bytes | None | bool = True) -> ImportReport:
    """Import CSV files and Excel workbooks (see the module docstring), all or nothing."""
    return import_tables(engine, read_tables(paths), today=today, secret=secret)


def import_register(engine: Engine, register: str | os.PathLike, *,
                    today: date | None = None, secret: bytes | None | bool = True
                    ) -> ImportReport:
    """Import ``qilab cohort``'s certificate register (rows already imported are skipped)."""
    from ..cohort.register import read_register

    rows = read_register(register)
    columns = list(rows[0]) if rows else list(REQUIRED["certificates"])
    table = Table("certificates", Path(register).name, columns,
                  [(i, r) for i, r in enumerate(rows, start=2)])
    return import_tables(engine, [table], today=today, secret=secret)

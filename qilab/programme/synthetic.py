"""A seeded, made-up programme: spreadsheets to import and the figures they must give.

Used by the tests (the import-to-report test asserts every figure against ``truth``), by the
benchmark (10,000 people over three years) and by trainers who want to try ``qilab programme``
before their own records are ready (``qilab programme demo``). Everything is invented: the
organisations, the people and the projects.

>>> s = synthetic_programme(people=40, seed=3)
>>> s.truth["reach"] == len({r["learner"].strip().casefold() for r in s.tables["enrolments"]
...                          if r["completed"]})
True
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ..storage import atomic_write_text

ORGANISATIONS = [
    # name, sector, aliases, spellings used in spreadsheets
    ("Testshire Hospitals NHS Foundation Trust", "NHS", "Testshire Hospitals",
     ["Testshire Hospitals NHS FT", "testshire hospitals nhs foundation trust"]),
    ("Testshire Community Health NHS Trust", "NHS", "", ["Testshire Community Health NHS Trust"]),
    ("Testshire County Council", "Council", "Testshire CC", ["Testshire CC", "TESTSHIRE COUNTY COUNCIL"]),
    ("St Anne's Care Homes Ltd", "Social care", "", ["Saint Annes Care Homes Limited",
                                                     "St Anne's Care Homes Ltd."]),
    ("Riverside Home Care", "Social care", "", ["Riverside Home Care"]),
    ("Testshire Carers' Network", "Voluntary", "", ["Testshire Carers Network"]),
    ("North Testshire Primary Care Network", "NHS", "North Testshire PCN",
     ["North Testshire PCN"]),
]
ROLES = {"NHS": ["nurse", "doctor", "allied health professional", "manager", "administrator"],
         "Council": ["social worker", "manager", "commissioner"],
         "Social care": ["care worker", "manager", "nurse"],
         "Voluntary": ["volunteer", "manager"]}
TIER_SHARE = {"aware": 0.55, "foundation": 0.30, "practitioner": 0.10, "coach": 0.02,
              "leaders": 0.03}
NEXT_TIER = {"aware": "foundation", "foundation": "practitioner"}
FACULTY, COURSE = "Testshire Improvement Academy", "qi-testshire"


@dataclass
class Synthetic:
    """Rows for each kind of record (as spreadsheets hold them) and the true figures."""

    tables: dict[str, list[dict[str, Any]]]
    register: list[dict[str, str]]
    truth: dict[str, Any]
    today: date

    def write_csvs(self, folder: str | Path) -> list[Path]:
        """One CSV per kind in ``folder`` (UK dates); returns the paths in import order."""
        folder = Path(folder)
        paths = []
        for kind, rows in self.tables.items():
            if rows:
                paths.append(_write_csv(folder / f"{kind}.csv", rows))
        return paths

    def write_register(self, path: str | Path) -> Path:
        """The certificate register, as ``qilab cohort certify`` writes it."""
        from ..cohort.register import COLUMNS

        return _write_csv(Path(path), self.register, list(COLUMNS))

    def write_workbook(self, path: str | Path) -> Path:
        """All kinds in one Excel workbook, a sheet each."""
        from openpyxl import Workbook

        book = Workbook()
        book.remove(book.active)
        for kind, rows in self.tables.items():
            if not rows:
                continue
            sheet = book.create_sheet(kind)
            sheet.append(list(rows[0]))
            for row in rows:
                sheet.append([row[c] for c in rows[0]])
        book.save(path)
        return Path(path)


def _write_csv(path: Path, rows: list[dict], columns: list[str] | None = None) -> Path:
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return atomic_write_text(path, out.getvalue())


def _uk(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _series(rng: np.random.Generator, kind: str, direction: str, months: int) -> list[float]:
    """A project's monthly measure: 'improve', 'flat' or 'worse' after a 12-month baseline."""
    # a steady process: small alternating variation, so only the designed change signals
    base = 50 + 1.5 * (-1.0) ** np.arange(months) + rng.normal(0, 0.3, months)
    step = {"improve": 9.0, "flat": 0.0, "worse": -9.0}[kind]
    sign = 1 if direction == "increase" else -1
    base[12:] += sign * step
    return [round(float(x), 1) for x in base]


#: Made-up project titles and measures for demonstrations (the book's gallery), in the order
#: of the generated projects: even ones aim to decrease their measure, odd ones to increase it.
DEMO_PROJECTS = (
    ("Quicker first assessment in a minor injuries unit",
     "median minutes from arrival to first assessment"),
    ("More discharges before noon on a medical ward", "discharges before noon (%)"),
    ("Shorter waits for a home care package", "days from referral to package start"),
    ("More medication reviews in care homes", "residents with a review this month (%)"),
    ("Fewer missed physiotherapy sessions", "missed sessions per month"),
    ("More patients screened for malnutrition", "patients screened within 24 hours (%)"),
    ("Quicker answers on the duty social work line", "median seconds to answer a call"),
    ("More carers offered a carer's assessment", "carers offered an assessment (%)"),
    ("Fewer repeat calls to a GP practice", "repeat calls per day"),
)


def synthetic_programme(people: int = 300, *, months: int = 24, projects: int = 9,
                        seed: int = 1, start: date = date(2024, 1, 1),
                        secret: bytes | None = None,
                        project_names: Sequence[tuple[str, str]] | None = None) -> Synthetic:
    """A made-up programme of ``people`` over ``months`` months from ``start``.

    Projects are called "Project 1", "Project 2" ... with "Measure 1" ..., unless
    ``project_names`` gives (title, measure) for each (such as :data:`DEMO_PROJECTS`)."""
    from ..cohort.certificates import Record, verification_code

    rng = np.random.default_rng(seed)
    today = _add_months(start, months) - timedelta(days=1)
    secret = secret or b"synthetic faculty secret, not a real one"
    organisations = [{"organisation": name, "sector": sector, "aliases": aliases}
                     for name, sector, aliases, _ in ORGANISATIONS]
    org_weights = np.array([0.34, 0.16, 0.14, 0.12, 0.08, 0.06, 0.10])
    enrolments, register, knowledge = [], [], []
    first_completion: dict[str, date] = {}
    completions: list[tuple[str, str]] = []
    person_info: dict[str, tuple[str, str, str, bool]] = {}
    tiers = list(TIER_SHARE)
    for k in range(people):
        learner = f"l{k:05d}"
        org_i = int(rng.choice(len(ORGANISATIONS), p=org_weights))
        name, sector, _, spellings = ORGANISATIONS[org_i]
        role = str(rng.choice(ROLES[sector]))
        patient = bool(rng.random() < 0.08)
        if patient:
            role = "patient or carer partner"
        consent = bool(rng.random() < 0.85)
        person_info[learner] = (name, sector, role, patient)
        tier = str(rng.choice(tiers, p=list(TIER_SHARE.values())))
        chain = [tier] + ([NEXT_TIER[tier]] if tier in NEXT_TIER and rng.random() < 0.15 else [])
        begin = start + timedelta(days=int(rng.integers(0, months * 30 - 45)))
        for tier in chain:
            started = begin
            done = started + timedelta(days=int(rng.integers(1, 60)))
            completed = done if rng.random() < 0.85 and done <= today else None
            spelled = spellings[int(rng.integers(len(spellings)))]
            learner_cell = learner.upper() if rng.random() < 0.1 else f" {learner}"
            enrolments.append({
                "learner": learner_cell, "organisation": spelled, "role": role.title(),
                "patient_or_carer": "yes" if patient else "no",
                "consent_to_share": "Y" if consent else "N", "tier": tier.title(),
                "cohort": f"{tier}-{started:%Y-%m}", "started": _uk(started),
                "completed": _uk(completed),
                "rating": str(int(rng.integers(3, 6))) if completed else ""})
            if completed:
                completions.append((learner, tier))
                first_completion[learner] = min(first_completion.get(learner, completed),
                                                completed)
                if tier in ("foundation", "practitioner", "coach"):
                    record = Record(f"Person {k}", learner, tier, completed.isoformat(),
                                    FACULTY, COURSE)
                    register.append({**record._asdict(), "code": verification_code(record,
                                                                                   secret),
                                     "issued_at": f"{completed.isoformat()}T12:00:00+00:00",
                                     "certificate": f"certificates/{learner}-{tier}.html"})
                if tier == "practitioner":
                    pre = int(rng.integers(1, 6))
                    post = int(min(9, pre + rng.integers(0, 5)))
                    for phase, score, day in (("pre", pre, started), ("post", post, completed)):
                        knowledge.append({"learner": learner, "phase": phase,
                                          "scenario": "discharge-letters", "rater": "r1",
                                          "score": str(score), "date": _uk(day)})
                        if k % 3 == 0:
                            other = int(np.clip(score + rng.choice([-1, 0, 0, 0, 1]), 0, 9))
                            knowledge.append({"learner": learner, "phase": phase,
                                              "scenario": "discharge-letters", "rater": "r2",
                                              "score": str(other), "date": _uk(day)})
    project_rows, progress, measures = [], [], []
    kinds = ["improve", "flat", "worse"]
    leads = [lr for lr, t in completions if t == "practitioner"]
    outcomes = {}
    for j in range(projects):
        pid = f"PRJ-{j + 1:02d}"
        kind = kinds[j % 3]
        direction = "decrease" if j % 2 == 0 else "increase"
        org_name, _, _, spellings = ORGANISATIONS[j % len(ORGANISATIONS)]
        lead = leads[j] if j < len(leads) else ""
        project_rows.append({
            "project": pid, "organisation": spellings[0],
            "title": project_names[j][0] if project_names else f"Project {j + 1}",
            "lead": lead, "priority": ["Falls", "Discharge", "Access"][j % 3],
            "aim": f"Move the measure of project {j + 1} by 15% by the end of the year",
            "measure": project_names[j][1] if project_names else f"Measure {j + 1}",
            "direction": direction,
            "chart": "i" if j % 2 else "run", "rules": "mdc" if j % 2 else "anhoej",
            "baseline_points": "12", "registered": _uk(start),
            "consent_to_share": "yes" if j % 4 else "no"})
        for i, value in enumerate(_series(rng, kind, direction, months)):
            measures.append({"project": pid, "period": _uk(_add_months(start, i)),
                             "value": str(value), "n": ""})
        scores = np.minimum(5, 0.5 + 0.5 * np.floor(np.arange(months) / (4 if kind ==
                                                                         "improve" else 8)))
        for i, score in enumerate(scores):
            progress.append({"project": pid, "month": f"{_add_months(start, i):%m/%Y}",
                             "score": f"{score:g}"})
        outcomes[pid] = {"improve": "improvement", "flat": "no signal yet",
                         "worse": "concern"}[kind]
    coaches = [lr for lr, t in completions if t == "coach"][:3]
    coaching = [{"project": project_rows[j]["project"], "coach": coaches[j % len(coaches)],
                 "date": _uk(start + timedelta(days=40 * (i + 1)))}
                for j in range(projects) for i in range(2)] if coaches else []
    events = [{"event": "EV-1", "title": "Spring sharing event",
               "date": _uk(start + timedelta(days=200))}]
    attendees = sorted(first_completion)[: max(1, people // 10)]
    attendance = [{"event": "EV-1", "learner": lr, "attended": "yes" if i % 4 else "no"}
                  for i, lr in enumerate(attendees)]
    by_month: dict[str, int] = {}
    for day in first_completion.values():
        by_month[f"{day:%Y-%m}"] = by_month.get(f"{day:%Y-%m}", 0) + 1
    truth: dict[str, Any] = {
        "people": people, "reach": len(first_completion),
        "reach_by_month": dict(sorted(by_month.items())),
        "completions_by_tier": {t: sum(1 for _, x in completions if x == t) for t in tiers},
        "reach_by_organisation": _split(first_completion, person_info, 0),
        "reach_by_sector": _split(first_completion, person_info, 1),
        "reach_by_role": _split(first_completion, person_info, 2),
        "enrolments": len(enrolments), "certificates": len(register),
        "outcomes": outcomes, "projects": projects,
        "progress_latest": {p["project"]: float(scores_last) for p, scores_last in zip(
            project_rows, [float(progress[(j + 1) * months - 1]["score"])
                           for j in range(projects)])},
        "coaching_sessions": len(coaching), "event_registered": len(attendance),
        "event_attended": sum(a["attended"] == "yes" for a in attendance),
        "ratings": [int(r["rating"]) for r in enrolments if r["rating"]],
    }
    tables = {"organisations": organisations, "enrolments": enrolments, "knowledge": knowledge,
              "projects": project_rows, "progress": progress, "measures": measures,
              "coaching": coaching, "events": events, "attendance": attendance}
    return Synthetic(tables, register, truth, today)


def _split(first: dict[str, date], info: dict[str, tuple], index: int
           ) -> dict[str, dict[str, int]]:
    """{category: {"staff": n, "patients and carers": n}} for people trained."""
    out: dict[str, dict[str, int]] = {}
    for learner in first:
        category = info[learner][index]
        if index == 1:
            category = category.casefold()
        cell = out.setdefault(category, {"staff": 0, "patients and carers": 0})
        cell["patients and carers" if info[learner][3] else "staff"] += 1
    return out


def _add_months(day: date, n: int) -> date:
    month = day.month - 1 + n
    return date(day.year + month // 12, month % 12 + 1, 1)

"""The impact report for the programme board and funders, in Kirkpatrick's four levels.

Level 1 *reaction* (how people rated the training), level 2 *learning* (knowledge gain and
certificates), level 3 *behaviour* (projects, progress scores, coaching, events) and level 4
*results* (whether projects' own measures improved). Every published count, of people and of
projects, goes through :mod:`qilab.programme.suppression`; no person is named or identified.

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"))
>>> empty = build_report(engine)
>>> empty.figures()["reach"], "Level 4: results" in empty.to_html()
(0, True)
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine

from .frames import Records, load
from .knowledge import Knowledge, knowledge
from .outcomes import STATUSES, Outcome, outcomes, progress_summary
from .reach import TARGET, Reach, reach
from .suppression import SMALL, TOTAL, SuppressedTable, suppress, suppress_nested

LEVELS = ("Reaction", "Learning", "Behaviour", "Results")


@dataclass(frozen=True)
class ProgrammeReport:
    """Every figure of the impact report (raw), and how to publish it."""

    read_on: date
    reach: Reach
    knowledge: Knowledge
    certificates: pd.DataFrame
    ratings: pd.Series
    outcomes: pd.DataFrame
    outcome_details: dict[str, Outcome]
    progress: pd.DataFrame
    coaching_sessions: int
    events: pd.DataFrame

    def figures(self) -> dict:
        """The headline figures, raw (not for publication: use :meth:`to_html`)."""
        status = self.outcomes["status"].value_counts()
        latest = self.progress["score"]
        return {
            "reach": self.reach.total, "target": self.reach.target,
            "reach_by_month": {f"{m:%Y-%m}": int(n) for m, n in
                               zip(self.reach.by_month["month"], self.reach.by_month["new"])},
            "rating_n": int(self.ratings.size),
            "rating_mean": float(self.ratings.mean()) if self.ratings.size else None,
            "rating_4_or_5": float((self.ratings >= 4).mean()) if self.ratings.size else None,
            "certificates": {t: int(n) for t, n in self.certificates["people"].items()},
            "knowledge_n": self.knowledge.gain.n, "knowledge_gain": self.knowledge.gain.mean,
            "knowledge_ci": (self.knowledge.gain.low, self.knowledge.gain.high),
            "kappa": self.knowledge.kappa, "double_rated": self.knowledge.double_rated,
            "projects": len(self.outcomes),
            "projects_scored": int(latest.notna().sum()),
            "projects_at_3_or_more": int((latest >= 3).sum()),
            "outcomes": {s: int(status.get(s, 0)) for s in STATUSES},
            "coaching_sessions": self.coaching_sessions,
            "event_registered": int(self.events["registered"].sum()) if len(self.events) else 0,
            "event_attended": int(self.events["attended"].sum()) if len(self.events) else 0,
        }

    def published_tables(self) -> dict[str, SuppressedTable]:
        """Every table of counts in the report, of people and of projects, suppressed (worked
        out once). The progress-score table and the count of projects at 3 or more are the
        same projects grouped two ways, so they are suppressed together."""
        if "_published" in self.__dict__:
            return self.__dict__["_published"]
        tables = {f"People trained by {name}": self.reach.published(name)
                  for name in ("tier", "sector", "organisation", "role")}
        tables["Certificates by tier"] = suppress(self.certificates)
        if len(self.events):
            tables["Knowledge-sharing events"] = suppress(
                self.events.set_index("title")[["attended", "did not attend"]])
        if len(self.outcomes):
            by_org = pd.crosstab(self.outcomes["organisation"], self.outcomes["status"])
            by_org = by_org.reindex(columns=list(STATUSES), fill_value=0)
            by_org.index.name, by_org.columns.name = None, None
            # its grand total is the number of projects, which the report states anyway
            tables["Projects by organisation"] = suppress(by_org, public_total=True)
        scores = self.progress["score"].dropna()
        if len(scores):
            dist = scores.value_counts().sort_index()
            dist = pd.DataFrame({"projects": dist.to_numpy()}, index=[f"{s:g}" for s in dist.index])
            fine, bands = suppress_nested(dist, {f"{s:g}": "3 or more" if s >= 3 else "below 3"
                                                 for s in scores.unique()}, public_total=True)
            tables["Projects by latest progress score"] = fine
            tables["Projects by progress score band"] = bands
        self.__dict__["_published"] = tables
        return tables

    def to_html(self, *, title: str = "Programme impact report") -> str:
        """The whole report as one accessible HTML page (charts embedded with alt text)."""
        return _html(self, title)


def build_report(engine: Engine, *, today: date | None = None, target: int = TARGET
                 ) -> ProgrammeReport:
    """Read the database once and compute every figure of the report."""
    return report_from_records(load(engine, today=today), target=target)


def report_from_records(records: Records, *, target: int = TARGET) -> ProgrammeReport:
    """The report's figures from records already read (see :func:`build_report`)."""
    certs = records.certificates.drop_duplicates(["person", "tier"])
    cert_table = certs.groupby("tier").size().rename("people").to_frame()
    order = [t for t in ("aware", "foundation", "practitioner", "coach", "leaders")
             if t in cert_table.index]
    cert_table = cert_table.loc[order]
    cert_table.index = [t.capitalize() for t in order]
    table, details = outcomes(records)
    attendance = records.attendance.merge(records.events, on="event")
    events = (attendance.groupby("title")["attended"].agg(["size", "sum"])
              .rename(columns={"size": "registered", "sum": "attended"})).astype("int64")
    events["did not attend"] = events["registered"] - events["attended"]
    events = events.reset_index()
    ratings = records.enrolments["rating"].dropna().astype("int64")
    return ProgrammeReport(records.read_on, reach(records, target), knowledge(records),
                           cert_table, ratings, table, details, progress_summary(records),
                           len(records.coaching), events)


# -- HTML -------------------------------------------------------------------------------------
_CSS = """
body{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#212b32;line-height:1.5}
h1,h2,h3{line-height:1.25} table{border-collapse:collapse;margin:1rem 0}
th,td{border:1px solid #768692;padding:.3rem .6rem;text-align:right}
th[scope=row],caption{text-align:left} caption{font-weight:bold;padding:.3rem 0}
.note{color:#425563} img{max-width:100%;height:auto}
@media print{body{margin:0;max-width:none} h2{break-before:page}}
"""


def _table(t: SuppressedTable, caption: str) -> str:
    shown = t.display()
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in shown.columns)
    rows = "".join(
        f'<tr><th scope="row">{html.escape(str(i))}</th>'
        + "".join(f"<td>{html.escape(v)}</td>" for v in r) + "</tr>"
        for i, r in zip(shown.index, shown.to_numpy()))
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>"
            f'<th scope="col">{html.escape(caption.split(" by ")[-1].capitalize())}</th>'
            f"{head}</tr></thead><tbody>{rows}</tbody></table>")


def _plain_table(frame: pd.DataFrame, caption: str) -> str:
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    rows = "".join("<tr>" + "".join(
        (f'<th scope="row">{html.escape(str(v))}</th>' if k == 0 else
         f"<td>{html.escape(str(v))}</td>") for k, v in enumerate(r)) + "</tr>"
        for r in frame.itertuples(index=False))
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table>")


def _figure(result) -> str:
    from ..display import show

    return show(result.plot(), alt=result.alt_text())._repr_html_()


def _cell(table: SuppressedTable | None, row: str, column: str) -> str:
    """One cell of a published table as published ("0" when there is no table); a table of
    one row has no Total row, so its Total is that row."""
    if table is None:
        return "0"
    shown = table.display()
    if row == TOTAL and row not in shown.index:
        row = shown.index[0]
    if column == TOTAL and column not in shown.columns:
        column = shown.columns[0]
    return shown.loc[row, column] if row in shown.index else "0"


def _count(n: int) -> str:
    return SMALL if 0 < n < 5 else f"{n:,}"


def _html(r: ProgrammeReport, title: str) -> str:
    f = r.figures()
    e = html.escape
    parts = [f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{e(title)}'
             f"</title><style>{_CSS}</style></head><body><main><h1>{e(title)}</h1>",
             f'<p class="note">Figures as at {r.read_on:%d %B %Y}. Counts of people or projects '
             f'from 1 to 4 show as "{SMALL}"; other cells marked "withheld" are hidden so that '
             "small counts cannot be worked out from the totals, or from another table of the "
             "same people or projects. No person is named.</p>",
             "<h2>Reach</h2>", f"<p>{e(r.reach.explain())}</p>"]
    if len(r.reach.by_month) >= 2:
        parts.append(_figure(r.reach.chart()))
    for name, table in r.published_tables().items():
        if name.startswith("People trained"):
            parts.append(_table(table, name))
    parts += [f"<h2>Level 1: {LEVELS[0].lower()}</h2>"]
    if f["rating_n"]:
        parts.append(f"<p>{_count(f['rating_n'])} people rated their training: a mean of "
                     f"{f['rating_mean']:.1f} out of 5, and {f['rating_4_or_5']:.0%} gave 4 or "
                     "5.</p>" if f["rating_n"] >= 5 else
                     f"<p>{SMALL} people have rated their training so far.</p>")
    else:
        parts.append("<p>No ratings recorded yet.</p>")
    parts += [f"<h2>Level 2: {LEVELS[1].lower()}</h2>",
              f"<p>{e(r.knowledge.explain()) if r.knowledge.gain.n >= 5 else e(SMALL.capitalize() + ' people have both a pre and a post knowledge score so far.')}</p>",
              _table(r.published_tables()["Certificates by tier"], "Certificates by tier")]
    published = r.published_tables()
    projects = _cell(published.get("Projects by organisation"), TOTAL, TOTAL)
    scored = _cell(published.get("Projects by latest progress score"), TOTAL, "projects")
    at_3 = _cell(published.get("Projects by progress score band"), "3 or more", "projects")
    parts += [f"<h2>Level 3: {LEVELS[2].lower()}</h2>",
              f"<p>Projects registered: {projects}. Projects with a progress score: {scored}; "
              f"at 3 (modest improvement) or above on the 0.5 to 5 scale: {at_3}. Coaches held "
              f"{f['coaching_sessions']} coaching sessions.</p>"]
    if "Projects by latest progress score" in published:
        parts.append(_table(published["Projects by latest progress score"],
                            "Projects by latest progress score"))
    if "Knowledge-sharing events" in r.published_tables():
        parts.append(_table(r.published_tables()["Knowledge-sharing events"],
                            "Knowledge-sharing events by event"))
    parts += [f"<h2>Level 4: {LEVELS[3].lower()}</h2>",
              "<p>Each project's own measure, charted with the rules the project chose: "
              + "; ".join(f"{_cell(published.get('Projects by organisation'), TOTAL, s)} {s}"
                          for s in STATUSES) + ".</p>"]
    if "Projects by organisation" in published:
        parts.append(_table(published["Projects by organisation"], "Projects by organisation"))
    shared = r.outcomes[r.outcomes["consent_to_share"].astype(bool)]
    if len(shared):
        parts.append(_plain_table(shared[["project", "title", "measure", "status", "reason"]]
                                  .rename(columns=str.capitalize),
                                  "Projects whose leads agreed to share them"))
    if len(shared) < len(r.outcomes):
        parts.append(f"<p>{len(r.outcomes) - len(shared)} other projects are counted above "
                     "but not listed, as their leads have not agreed to share them.</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_report(report: ProgrammeReport, folder: str | os.PathLike, *, pdf: bool | None = None
                 ) -> list[Path]:
    """Write ``report.html`` (and ``report.pdf`` when a PDF tool is installed) atomically."""
    from ..cohort.certificates import find_pdf_tool, write_pdf
    from ..storage import atomic_write_text

    folder = Path(folder).resolve()
    html_path = atomic_write_text(folder / "report.html", report.to_html())
    written = [html_path]
    if pdf is not False:
        tool = find_pdf_tool()
        made = write_pdf(html_path, tool) if tool else None
        if made is not None:
            written.append(made)
    return written

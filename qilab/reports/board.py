"""A Making Data Count board report: one call turns a BI extract into HTML and PDF.

:func:`board_report` reads a business intelligence (BI) extract of many indicators (any file
or table :func:`qilab.read_measures` reads), runs :func:`qilab.mdc` on each indicator with its
own improvement direction and target, and writes the report a trust board reads:

* a front page with the data's dates and source, a key to the icons, and a summary table:
  one row per indicator and organisation, grouped by board section, with the latest value,
  mean, process limits, target, and the variation and assurance icons;
* one page per section: for each indicator and organisation its chart (with alt text), its
  icons and one plain-English line taken from :meth:`qilab.MDCResult.explain`.

The icons are the ones :mod:`qilab.charts.mdc` draws on its charts (a letter in a ring: H or
L for special cause high or low, ``~`` for common cause, P, F or ? for assurance), each
shown with its meaning in words, so colour is never the only signal. The PDF is printed by
the browser that prints certificates (:func:`qilab.cohort.certificates.find_pdf_tool`).
"""
from __future__ import annotations

import html
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from ..charts.mdc import (
    _ASSURANCE_ICON,
    Direction,
    MDCResult,
    _explain_one,
    _fmt,
    _variation_icon,
    mdc,
)
from ..data.measures import read_measures
from ..errors import QIDataError
from ..storage import atomic_write_text

__all__ = ["BoardIndicator", "BoardReport", "board_report"]


@dataclass(frozen=True)
class BoardIndicator:
    """How the board reads one indicator: its section, which way is better, its target.

    ``target`` is a number for every organisation, a mapping ``{organisation: number}``, or
    ``None`` (no assurance icon). ``target_note`` says where the target comes from; it is
    printed under the summary table.

    >>> BoardIndicator("A&E 4-hour performance", "Responsive", "increase", 95).section
    'Responsive'
    """

    indicator: str
    section: str
    improvement_direction: Direction
    target: float | Mapping[str, float] | None = None
    target_note: str = ""


@dataclass
class BoardReport:
    """The report: one row per indicator and organisation, the analyses, the HTML and PDF.

    ``rows`` columns: ``section``, ``indicator``, ``organisation``, ``improvement_direction``, ``start``, ``end``,
    ``latest``, ``mean``, ``lpl``, ``upl``, ``target``, ``variation``, ``assurance`` (as in
    :attr:`qilab.MDCResult.summary`), ``variation_icon``, ``assurance_icon`` (the letters
    drawn) and ``statement`` (the plain-English line). ``results`` maps each indicator to its
    :class:`qilab.MDCResult` (facets are organisations).
    """

    title: str
    source: str
    rows: pd.DataFrame
    results: dict[str, MDCResult]
    html: str
    html_path: Path | None = None
    pdf_path: Path | None = None
    notes: list[str] = field(default_factory=list)

    def _repr_html_(self) -> str:
        return (f"<div class='qilab-board' role='region' tabindex='0' style='overflow-x:auto; "
                f"font-size:0.85em; color:#212B32; background:#FFFFFF' aria-label='{html.escape(self.title, quote=True)}: "
                f"summary'>{_summary_html(self.rows, self.title)}</div>")

    def chart(self, indicator: str, organisation: Any):
        """One indicator's chart for one organisation, with its alt text (a ShownFigure)."""
        from ..display import show

        if indicator not in self.results:
            raise QIDataError(f"Indicator {indicator!r} is not in this report. Its indicators "
                              f"are: {', '.join(self.results)}.", field="indicator")
        res = self.results[indicator]
        return show(res.plot(facet=organisation), alt=res.alt_text(organisation))

    def rag(self, amber_within: float = 0.10) -> pd.DataFrame:
        """The same month as a red, amber, green (RAG) table, for comparison.

        A RAG rating looks only at the latest value against the target: green when it meets
        the target, amber when it misses by no more than ``amber_within`` (a share of the
        target), red otherwise; indicators without a target are "no target". ``change`` is
        the latest value minus the month before: the two-point comparison RAG reports show.

        >>> import pandas as pd
        >>> data = pd.DataFrame({"indicator": "Falls", "organisation": "Ward 7",
        ...     "period": pd.date_range("2024-01-01", periods=15, freq="MS"),
        ...     "value": [5, 6, 5, 7, 6, 5, 6, 5, 7, 6, 5, 6, 5, 7, 6]})
        >>> rep = board_report(data, [BoardIndicator("Falls", "Safe", "decrease", 5.5)],
        ...                    title="Ward board", source="Made-up data")
        >>> rep.rag()[["latest", "previous", "change", "rating"]].values.tolist()
        [[6.0, 7.0, -1.0, 'amber']]
        """
        if not 0 <= amber_within < 1:
            raise QIDataError(f"amber_within is a share of the target between 0 and 1 (0.1 "
                              f"is 10%), not {amber_within!r}.", field="amber_within")
        out = []
        for _, r in self.rows.iterrows():
            pts = self.results[r["indicator"]]._facet_points(r["organisation"])
            values = pts["y"].dropna().to_numpy()
            previous = float(values[-2]) if values.size > 1 else float("nan")
            out.append({"section": r["section"], "indicator": r["indicator"],
                        "organisation": r["organisation"], "month": r["end"],
                        "latest": r["latest"], "previous": previous,
                        "change": r["latest"] - previous, "target": r["target"],
                        "rating": _rating(r["latest"], r["target"],
                                          r["improvement_direction"], amber_within)})
        return pd.DataFrame(out)


def _rating(latest: float, target: float, direction: str, amber_within: float) -> str:
    if pd.isna(target) or direction == "neutral":
        return "no target"
    gap = (latest - target) if direction == "decrease" else (target - latest)
    if gap <= 0:
        return "green"
    return "amber" if gap <= amber_within * abs(target) else "red"


# ---------------------------------------------------------------------------------------------
# Analysis


def _check_indicators(tidy: pd.DataFrame, indicators: Sequence[BoardIndicator]) -> None:
    if not indicators:
        raise QIDataError("Give at least one BoardIndicator: the report needs to know each "
                          "indicator's section and which way is better.", field="indicators")
    names = [i.indicator for i in indicators]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise QIDataError(f"Indicator {repeated[0]!r} is listed more than once: list each "
                          "indicator once.", field="indicators")
    in_data = list(pd.unique(tidy["indicator"]))
    absent = [n for n in names if n not in in_data]
    if absent:
        raise QIDataError(f"Indicator {absent[0]!r} is not in the data. The data's indicators "
                          f"are: {', '.join(map(str, in_data))}.", field="indicators")
    unlisted = [n for n in in_data if n not in names]
    if unlisted:
        raise QIDataError(f"The data has indicator(s) {', '.join(map(repr, unlisted))} that are "
                          "not in the report's list: add a BoardIndicator for each (its "
                          "section and direction), or remove their rows from the data.",
                          column="indicator")


def _statement(res: MDCResult, organisation: Any) -> str:
    """The board line: explain()'s sentences on the latest point and on the target."""
    return " ".join(s for s in _explain_one(res, organisation)
                    if s.startswith(("The latest point", "The target")))


def _analyse(tidy: pd.DataFrame, spec: BoardIndicator) -> MDCResult:
    sub = tidy[tidy["indicator"] == spec.indicator]
    frame = pd.DataFrame({spec.indicator: sub["value"].to_numpy(),
                          "period": sub["period"].to_numpy(),
                          "organisation": sub["organisation"].to_numpy()})
    return mdc(frame, spec.indicator, "period", facet="organisation",
               improvement_direction=spec.improvement_direction, target=spec.target)


def _rows(specs: Sequence[BoardIndicator], results: dict[str, MDCResult]) -> pd.DataFrame:
    out = []
    for spec in specs:
        res = results[spec.indicator]
        latest = res.summary.groupby("facet", sort=False).tail(1)
        for _, row in latest.iterrows():
            org = row["facet"]
            has = res._facet_points(org)["point_type"]
            letter = _variation_icon(str(row["variation"]), res.improvement_direction)[0]
            assurance = row["assurance"]
            out.append({
                "section": spec.section, "indicator": spec.indicator, "organisation": org,
                "improvement_direction": spec.improvement_direction,
                "start": row["start"], "end": row["end"], "latest": row["latest"],
                "mean": row["mean"], "lpl": row["lpl"], "upl": row["upl"],
                "target": row["target"], "variation": row["variation"],
                "assurance": assurance, "variation_icon": letter,
                "assurance_icon": (None if pd.isna(assurance)
                                   else _ASSURANCE_ICON[str(assurance)][0]),
                "special_points": int((has != "common_cause").sum()),
                "statement": _statement(res, org)})
    return pd.DataFrame(out)


# ---------------------------------------------------------------------------------------------
# HTML

_CSS = """
@page { size: A4; margin: 14mm 14mm 16mm 14mm; }
body { font-family: "Liberation Sans", Arial, sans-serif; color: #212B32; margin: 0 auto;
       max-width: 60rem; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0.6rem 0 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 3px solid #005EB8; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin: 0.4rem 0; }
.meta { margin: 0.2rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
caption { text-align: left; font-weight: bold; padding: 0.3rem 0; }
th, td { border: 1px solid #AEB7BD; padding: 0.25rem 0.4rem; text-align: left;
         vertical-align: middle; }
thead th { background: #005EB8; color: #FFFFFF; }
th.group { background: #E8EDEE; color: #212B32; }
td.num { text-align: right; white-space: nowrap; }
.icon { display: inline-flex; align-items: center; gap: 0.3rem; }
.icon svg { flex: none; }
.key { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr));
       gap: 0.2rem 1rem; list-style: none; padding: 0; font-size: 0.85rem; }
section.indicators { break-before: page; }
article { break-inside: avoid; margin-bottom: 1rem; }
.icons { display: flex; gap: 1.5rem; flex-wrap: wrap; font-size: 0.9rem; }
.statement { margin: 0.3rem 0; }
figure { margin: 0.3rem 0; }
figure img { max-width: 100%; height: auto; }
@media print { figure img { max-height: 82mm; width: auto; } }
.notes { font-size: 0.85rem; }
"""


def _icon_svg(letter: str, colour: str, meaning: str) -> str:
    """One icon: the letter in a ring, as :mod:`qilab.charts.mdc` draws it on the chart."""
    label = html.escape(meaning, quote=True)
    return (f'<svg role="img" aria-label="{label}" width="34" height="34" '
            f'viewBox="0 0 34 34"><title>{label}</title>'
            f'<circle cx="17" cy="17" r="14.5" fill="#FFFFFF" stroke="{colour}" '
            f'stroke-width="4"/><text x="17" y="23" text-anchor="middle" font-size="17" '
            f'font-weight="bold" font-family="Liberation Sans, Arial, sans-serif" '
            f'fill="{colour}">{html.escape(letter)}</text></svg>')


def _variation_badge(variation: str, direction: str) -> str:
    letter, colour, meaning = _variation_icon(variation, direction)
    words = meaning[0].upper() + meaning[1:]
    return (f'<span class="icon" style="display:inline-flex; align-items:center; gap:0.3rem">{_icon_svg(letter, colour, "Variation: " + meaning)}'
            f'<span>{html.escape(words)}</span></span>')


def _assurance_badge(assurance: Any) -> str:
    if assurance is None or pd.isna(assurance):
        return '<span class="icon" style="display:inline-flex; align-items:center; gap:0.3rem"><span>No target: no assurance icon</span></span>'
    letter, colour, meaning = _ASSURANCE_ICON[str(assurance)]
    words = meaning[0].upper() + meaning[1:]
    return (f'<span class="icon" style="display:inline-flex; align-items:center; gap:0.3rem">{_icon_svg(letter, colour, "Assurance: " + meaning)}'
            f'<span>{html.escape(words)}</span></span>')


def _key_html() -> str:
    items = [_variation_badge("special_cause_improvement", "increase"),
             _variation_badge("special_cause_improvement", "decrease"),
             _variation_badge("special_cause_concern", "decrease"),
             _variation_badge("special_cause_concern", "increase"),
             _variation_badge("common_cause", "increase"),
             _variation_badge("special_cause_neutral_high", "neutral"),
             _variation_badge("special_cause_neutral_low", "neutral"),
             *(_assurance_badge(a) for a in _ASSURANCE_ICON)]
    return ('<ul class="key" aria-label="Key to the icons">'
            + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


def _month(d: Any) -> str:
    return f"{pd.Timestamp(d):%B %Y}" if isinstance(d, (pd.Timestamp, date)) or hasattr(
        d, "astype") else str(d)


def _summary_html(rows: pd.DataFrame, title: str) -> str:
    head = ("<thead><tr><th scope='col'>Indicator</th><th scope='col'>Organisation</th>"
            "<th scope='col'>Latest month</th><th scope='col'>Latest</th>"
            "<th scope='col'>Mean</th><th scope='col'>Process limits</th>"
            "<th scope='col'>Target</th><th scope='col'>Variation</th>"
            "<th scope='col'>Assurance</th></tr></thead>")
    body = []
    for section, group in rows.groupby("section", sort=False):
        body.append(f"<tr><th class='group' colspan='9' scope='colgroup'>"
                    f"{html.escape(str(section))}</th></tr>")
        for _, r in group.iterrows():
            direction = r["improvement_direction"]
            limits = ("none" if pd.isna(r["lpl"])
                      else f"{_fmt(r['lpl'])} to {_fmt(r['upl'])}")
            target = "" if pd.isna(r["target"]) else _fmt(r["target"])
            body.append(
                f"<tr><th scope='row'>{html.escape(str(r['indicator']))}</th>"
                f"<td>{html.escape(str(r['organisation']))}</td>"
                f"<td>{_month(r['end'])}</td><td class='num'>{_fmt(r['latest'])}</td>"
                f"<td class='num'>{_fmt(r['mean'])}</td><td class='num'>{limits}</td>"
                f"<td class='num'>{target}</td>"
                f"<td>{_variation_badge(str(r['variation']), direction)}</td>"
                f"<td>{_assurance_badge(r['assurance'])}</td></tr>")
    return (f"<table class='summary'><caption style='color:#212B32'>{html.escape(title)}: "
            f"summary, one row per "
            f"indicator and organisation</caption>{head}<tbody>{''.join(body)}</tbody></table>")


def _indicator_html(spec: BoardIndicator, report: BoardReport) -> str:
    rows = report.rows
    out = []
    for _, r in rows[rows["indicator"] == spec.indicator].iterrows():
        org = r["organisation"]
        shown = report.chart(spec.indicator, org)
        better = {"increase": "Higher is better.", "decrease": "Lower is better.",
                  "neutral": "Neither higher nor lower is better."}[spec.improvement_direction]
        out.append(
            f"<article><h3>{html.escape(spec.indicator)}: {html.escape(str(org))}</h3>"
            f"<div class='icons'>"
            f"{_variation_badge(str(r['variation']), spec.improvement_direction)}"
            f"{_assurance_badge(r['assurance'])}</div>"
            f"<p class='statement'>{html.escape(r['statement'])} {better}</p>"
            f"{shown._repr_html_()}</article>")
    return "".join(out)


def _page(report: BoardReport, specs: Sequence[BoardIndicator], on: date) -> str:
    title, source, rows, notes = report.title, report.source, report.rows, report.notes
    first = _month(rows["start"].min())
    last = _month(rows["end"].max())
    sections = []
    for section in pd.unique(pd.Series([s.section for s in specs])):
        inner = "".join(_indicator_html(s, report)
                        for s in specs if s.section == section)
        sections.append(f"<section class='indicators'><h2>{html.escape(section)}</h2>"
                        f"{inner}</section>")
    note_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title><style>{_CSS}</style></head>
<body><main>
<header><h1>{html.escape(title)}</h1>
<p class="meta"><strong>Data:</strong> {first} to {last} (latest month: {last}).</p>
<p class="meta"><strong>Source:</strong> {html.escape(source)}</p>
<p class="meta"><strong>Report produced:</strong> {on.day} {on:%B %Y}, with qilab's Making Data
Count analysis (XmR charts, process limits at the mean plus or minus 2.66 times the mean moving
range).</p></header>
<section aria-labelledby="key"><h2 id="key">How to read the icons</h2>
<p>The variation icon says what the latest month shows: common cause variation (only the
usual ups and downs), or special cause variation that is an improvement or a concern, high (H)
or low (L). The assurance icon says whether the process, as it runs now, will meet its target:
every month (P), never without change (F), or sometimes (?).</p>{_key_html()}</section>
<section aria-labelledby="summary"><h2 id="summary">Summary</h2>
{_summary_html(rows, title)}
<ul class="notes">{note_html}</ul></section>
{''.join(sections)}
</main></body></html>
"""


# ---------------------------------------------------------------------------------------------
# The call


def board_report(measures: str | os.PathLike | pd.DataFrame,
                 indicators: Sequence[BoardIndicator], *, title: str, source: str,
                 out: str | os.PathLike | None = None, pdf: bool | None = None,
                 on: date | None = None, **read_options: Any) -> BoardReport:
    """Make a Making Data Count board report of every indicator in a BI extract.

    ``measures`` is anything :func:`qilab.read_measures` reads (``read_options`` are passed
    to it). ``indicators`` lists every indicator in the data, in the order of the board pack:
    sections appear in the order they are first named, indicators in list order, and
    organisations alphabetically. ``source`` names where the data came from (printed on the
    front page). With ``out`` (a ``.html`` path) the report is written there, and beside it a
    PDF when ``pdf`` is not False (``pdf=True`` raises if no browser can print it).

    >>> import pandas as pd
    >>> data = pd.DataFrame({"indicator": "Falls", "organisation": "Ward 7",
    ...     "period": pd.date_range("2024-01-01", periods=15, freq="MS"),
    ...     "value": [5, 6, 5, 7, 6, 5, 6, 5, 7, 6, 5, 6, 5, 7, 15]})
    >>> rep = board_report(data, [BoardIndicator("Falls", "Safe", "decrease")],
    ...                    title="Ward board", source="Made-up data")
    >>> rep.rows[["variation", "variation_icon"]].values.tolist()
    [['special_cause_concern', 'H']]
    """
    tidy = read_measures(measures, **read_options)
    _check_indicators(tidy, indicators)
    results = {spec.indicator: _analyse(tidy, spec) for spec in indicators}
    rows = _rows(indicators, results)
    notes = [f"Target for {s.indicator}: {s.target_note}" for s in indicators
             if s.target is not None and s.target_note]
    report = BoardReport(title, source, rows, results, "", notes=notes)
    report.html = page = _page(report, indicators, on or date.today())
    if out is None:
        return report
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise QIDataError(f"out must be an .html file path, not {str(out)!r}.", field="out")
    report.html_path = atomic_write_text(out, page)
    if pdf is not False:
        from ..cohort.certificates import find_pdf_tool, write_pdf

        tool = find_pdf_tool()
        if tool is None and pdf:
            raise QIDataError("No browser to print the PDF with: install chromium "
                              "(apt-get install chromium), or pass pdf=False.", field="pdf")
        report.pdf_path = write_pdf(out.absolute(), tool) if tool else None
        if report.pdf_path is None and pdf:
            raise QIDataError("The browser could not print the report to PDF; the HTML "
                              f"report is at {out}.", field="pdf")
    return report

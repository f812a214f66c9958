"""A project's storyboard and evidence pack: one call turns a project folder into both.

:func:`write_storyboard` reads a project folder (:mod:`qilab.reports.project`) and writes a
one-page storyboard: the aim and charter, the driver diagram in brief, the annotated chart of
the main measure with its plain-English reading, the PDSA ramps with each cycle's prediction
and decision, and the run chart of the monthly progress scores. It writes HTML and, beside
it, an A4 PDF printed by the browser that prints certificates and board reports
(:func:`qilab.cohort.certificates.write_pdf`). It takes only a folder and an output path, so
other parts of qilab (such as a programme's project gallery) can call it as it is.

:func:`evidence_pack` does the same and also checks the folder against the Practitioner
certificate's items (:func:`qilab.cohort.project_evidence.check_project`), item by item.

Every chart has alt text from the result's own ``.explain()``; decisions and signals are told
apart by words and marker shapes, so colour is never the only signal.
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import QIDataError
from ..storage import atomic_write_text
from .project import Project, read_project

__all__ = ["EvidencePack", "Storyboard", "evidence_pack", "write_storyboard"]

#: The most PDSA cycles listed in the table (the latest are shown; the ramp chart has all).
MAX_CYCLES_LISTED = 6

_CSS = """
@page { size: A4; margin: 9mm; }
body { font-family: Arial, Helvetica, sans-serif; color: #212B32; background: #FFFFFF;
  margin: 0; font-size: 8.3pt; line-height: 1.25; }
main { max-width: 192mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 1mm; color: #003087; }
h2 { font-size: 10pt; margin: 2mm 0 1mm; color: #003087; }
p { margin: 0 0 1mm; }
.aim { font-size: 10pt; border-left: 3px solid #005EB8; padding-left: 2mm; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 4mm; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: 0.5mm 1mm;
  border-bottom: 1px solid #D8DDE0; }
caption { text-align: left; font-weight: 700; padding-bottom: 0.5mm; }
figure { margin: 0; }
figure img { display: block; max-width: 100%; height: auto; }
.chart img { max-height: 54mm; margin: 0 auto; }
.small img { max-height: 42mm; margin: 0 auto; }
figcaption { font-size: 8pt; color: #425563; }
footer { margin-top: 2mm; font-size: 7.5pt; color: #425563; }
@media print { figure, tr { break-inside: avoid; } }
"""


@dataclass
class Storyboard:
    """A written storyboard: its HTML and where the HTML and PDF went (``None``: no PDF)."""

    title: str
    html: str
    html_path: Path
    pdf_path: Path | None


@dataclass
class EvidencePack:
    """A project's evidence pack: the project read from its folder, the storyboard, and the
    Practitioner certificate's automatic checks (:class:`~qilab.cohort.project_evidence.
    ProjectCheck`)."""

    project: Project
    storyboard: Storyboard
    check: Any

    def explain(self) -> str:
        """The checks, item by item, in plain English."""
        return (f"Evidence pack for '{self.project.title}' (storyboard: "
                f"{self.storyboard.html_path}).\n" + self.check.explain())


def _uk(day: Any) -> str:
    return f"{day.day} {day:%B %Y}" if day else ""


def _short(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _figure(ax: Any, alt: str, caption: str, css: str) -> str:
    from ..display import show

    shown = show(ax, alt=alt, dpi=130)
    return shown._repr_html_().replace('<figure class="qilab-figure">',
                                       f'<figure class="qilab-figure {css}">').replace(
        "</figure>", f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _about(project: Project) -> str:
    c = project.charter
    rows = [("Team", "; ".join(c.team)), ("Patient and carer voice", c.patient_voice),
            ("Sponsor", c.sponsor), ("In scope", c.scope_in), ("Out of scope", c.scope_out),
            ("System priority", c.system_priority),
            ("Timeline", " to ".join(x for x in (_uk(c.start), _uk(c.review)) if x)
             + (f" (milestones: {'; '.join(c.milestones)})" if c.milestones else ""))]
    body = "".join(f"<tr><th scope='row'>{k}</th><td>{html.escape(v) or '—'}</td></tr>"
                   for k, v in rows)
    return f"<table><caption>The project</caption><tbody>{body}</tbody></table>"


def _drivers_and_measures(project: Project) -> str:
    d, plan = project.driver_diagram, project.measurement_plan
    changes = ", ".join(ch.name for ch in d.changes)
    measures = "".join(f"<li><strong>{html.escape(m.kind.capitalize())}:</strong> "
                       f"{html.escape(m.name)}</li>" for m in plan.measures)
    return (f"<p><strong>Primary drivers:</strong> {html.escape('; '.join(d.primary))}.</p>"
            f"<p><strong>Change ideas:</strong> {html.escape(changes)}.</p>"
            f"<p><strong>Measures</strong></p><ul>{measures}</ul>")


def _cycles_table(project: Project) -> str:
    cycles = project.pdsa_log.cycles
    shown = cycles[-MAX_CYCLES_LISTED:]
    rows = "".join(
        f"<tr><td>{html.escape(c.id)}{' after ' + html.escape(c.follows) if c.follows else ''}"
        f"</td><td>{html.escape(_short(c.title, 50))}</td>"
        f"<td>{html.escape(_short(c.prediction, 90)) or '—'}</td>"
        f"<td>{html.escape(c.act_decision or c.stage.capitalize() + ' stage')}</td></tr>"
        for c in shown)
    more = (f"<p>{len(cycles) - len(shown)} earlier cycle(s) are in the PDSA log and the ramp "
            "chart.</p>" if len(cycles) > len(shown) else "")
    return ("<table><caption>Each test and what the team predicted before it</caption><thead>"
            "<tr><th scope='col'>Cycle</th><th scope='col'>Test</th><th scope='col'>Prediction"
            "</th><th scope='col'>Decision</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>{more}")


def _storyboard_html(project: Project, on: date, chart: str) -> str:
    c = project.charter
    result = project.chart(chart)
    measure = project.outcome_measure()
    ax = result.plot()
    ax.figure.set_size_inches(9, 3.4)
    chart_fig = _figure(ax, result.alt_text(),
                        f"{measure.name if measure else 'Main measure'}: "
                        "each note marks a change tested.", "chart")
    log = project.pdsa_log
    ramp_fig = _figure(log.plot_ramp(), log.alt_text(), "Each ramp climbs one step per cycle; "
                       "the word under each cycle is its decision.", "small")
    tracker = project.progress_scores
    ax = tracker.plot()
    ax.set_title("Progress score each month", loc="left")
    ax.figure.set_size_inches(6, 3.6)
    latest = tracker.latest.iloc[0]
    from ..tools.progress_score import describe

    first = tracker.records.iloc[0]
    story = (f"Latest progress score {latest['progress_score']:g} "
             f"({describe(latest['progress_score'])}) on {_uk(latest['date'])}, from "
             f"{first['progress_score']:g} on {_uk(first['date'])}: "
             f"{len(tracker.records)} monthly scores.")
    progress_fig = _figure(ax, "Run chart of the project's monthly progress score, on the "
                           "scale 0.5 to 5. " + story,
                           f"Latest: {latest['progress_score']:g}, "
                           f"{describe(latest['progress_score'])}.", "small")
    return f"""<!DOCTYPE html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(c.title)}: storyboard</title><style>{_CSS}</style></head>
<body><main>
<header><h1>{html.escape(c.title)}</h1>
<p class="aim"><strong>Aim:</strong> {html.escape(c.aim)}</p></header>
<div class="cols">
<section aria-labelledby="who"><h2 id="who">Who and why</h2>{_about(project)}</section>
<section aria-labelledby="theory"><h2 id="theory">What we think will help</h2>
{_drivers_and_measures(project)}</section>
</div>
<section aria-labelledby="results"><h2 id="results">What happened</h2>
<p>{html.escape(result.explain())}</p>{chart_fig}</section>
<div class="cols">
<section aria-labelledby="tests"><h2 id="tests">What we tested</h2>{ramp_fig}</section>
<section aria-labelledby="progress"><h2 id="progress">How far we have come</h2>{progress_fig}
<p>{html.escape(story)}</p></section>
</div>
{_cycles_table(project)}
<footer>Storyboard made on {_uk(on)} with qilab from the project's own files: charter, driver
diagram, measurement plan, PDSA log, measure data and progress scores.</footer>
</main></body></html>
"""


def write_storyboard(folder: str | os.PathLike | Project, out: str | os.PathLike, *,
                     pdf: bool | None = None, chart: str = "run",
                     on: date | None = None) -> Storyboard:
    """Write the storyboard of the project in ``folder`` (or already read from it) to ``out`` (an ``.html`` path) and,
    unless ``pdf`` is False, a one-page A4 PDF beside it (``pdf=True``: an error if no browser
    can print it). ``chart`` is the chart type for the measure data (see :func:`qilab.spc`).

    A missing or bad part of the folder is a :class:`qilab.QIDataError` naming the file and
    the field; nothing is written then.
    """
    out = Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise QIDataError(f"out must be an .html file path, not {str(out)!r}.", field="out")
    project = folder if isinstance(folder, Project) else read_project(folder)
    page = _storyboard_html(project, on or date.today(), chart)
    html_path = atomic_write_text(out, page)
    pdf_path = None
    if pdf is not False:
        from ..cohort.certificates import find_pdf_tool, write_pdf

        tool = find_pdf_tool()
        if tool is None and pdf:
            raise QIDataError("No browser to print the PDF with: install chromium "
                              "(apt-get install chromium), or pass pdf=False.", field="pdf")
        pdf_path = write_pdf(out.absolute(), tool) if tool else None
        if pdf_path is None and pdf:
            raise QIDataError("The browser could not print the storyboard to PDF; the HTML "
                              f"is at {out}.", field="pdf")
    return Storyboard(project.title, page, html_path, pdf_path)


def evidence_pack(folder: str | os.PathLike, out: str | os.PathLike | None = None, *,
                  pdf: bool | None = None, chart: str = "run",
                  on: date | None = None) -> EvidencePack:
    """Turn a project folder into its evidence pack: the storyboard (``out``, by default
    ``storyboard.html`` in the folder, and its PDF) and the Practitioner checks.

    >>> import tempfile
    >>> evidence_pack(tempfile.mkdtemp())                      # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: The project folder is not complete: There is no charter file ...
    """
    from ..cohort.project_evidence import check_project

    project = read_project(folder)
    story = write_storyboard(project, out if out is not None else
                             project.folder / "storyboard.html", pdf=pdf, chart=chart, on=on)
    return EvidencePack(project, story, check_project(project))

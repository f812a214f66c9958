"""The project gallery: every project whose lead agreed to share it, with its chart and the
honest verdict on its measure, failures as well as successes.

Only projects whose leads consented are read into an entry at all, so nothing about the others
(not a title, not a chart's alt text) can reach a page or a search index. Each entry has a slot
for a link to the project's storyboard (from the Practitioner evidence pack).

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"))
>>> "No project" in gallery_html(engine)
True
>>> demo = demo_gallery(people=40)
>>> [e.project for e in demo.entries][:2], demo.entries[0].label
(['PRJ-04', 'PRJ-07'], 'Signal of improvement')
"""
from __future__ import annotations

import html
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from sqlalchemy import Engine

from .frames import Records, load
from .outcomes import STATUSES, outcomes, project_chart

if TYPE_CHECKING:
    from ..charts.spc import SPCResult

INTRO = ("Projects from across the programme whose leads agreed to share them. Each shows its "
         "own measure, charted with the rules the project chose, and what the chart says so "
         "far: a signal of improvement, no signal yet, or a signal of concern. Projects that "
         "have not improved yet are here too: they teach as much as those that have.")
DEMO_NOTE = ("This is a demonstration. Every project, organisation and number in it is made "
             "up, by a seeded generator, to show what a faculty's gallery looks like.")
#: What each verdict is called in the gallery: words and a symbol, so colour is never the only
#: signal.
LABELS = {"improvement": ("Signal of improvement", "▲"), "no signal yet": ("No signal yet", "●"),
          "concern": ("Signal of concern", "▼")}
# headings take the text colour around them, so they meet contrast in a dark-mode book too
_CSS = (".qilab-gallery-entry{border-left:.4rem solid #768692;padding-left:1rem;margin:1.5rem 0}"
        ".qilab-gallery-entry h2,.qilab-gallery-entry h3{color:inherit}")


@dataclass(frozen=True)
class GalleryEntry:
    """One shared project: its verdict, why, its chart and (when there is one) its storyboard.

    ``storyboard`` is a link (a URL or a path relative to the page) to the project's storyboard
    from the Practitioner evidence pack, or None.
    """

    project: str
    title: str
    organisation: str
    measure: str
    status: str
    reason: str
    chart: "SPCResult | None" = field(default=None, repr=False)
    storyboard: str | None = None

    @property
    def label(self) -> str:
        return LABELS[self.status][0]

    def to_html(self, level: int = 2) -> str:
        """This entry as an HTML section with a heading at ``level``."""
        from ..display import show

        e = html.escape
        label, symbol = LABELS[self.status]
        parts = [f'<section class="qilab-gallery-entry"><h{level}>{e(self.title)}</h{level}>',
                 f'<p><span aria-hidden="true">{symbol} </span><strong>{e(label)}</strong>: '
                 f"{e(self.reason)}. Organisation: {e(self.organisation)}. "
                 f"Measure: {e(self.measure)}.</p>"]
        if self.chart is not None:
            parts.append(show(self.chart.plot(), alt=self.chart.alt_text())._repr_html_())
        if self.storyboard:
            parts.append(f'<p><a href="{e(self.storyboard, quote=True)}">Storyboard for '
                         f"{e(self.title)}</a></p>")
        parts.append("</section>")
        return "\n".join(parts)


@dataclass(frozen=True)
class Gallery:
    """The shared projects, improvement first, then no signal yet, then concern."""

    entries: tuple[GalleryEntry, ...]
    demonstration: bool = False

    def counts(self) -> dict[str, int]:
        """How many shared projects have each verdict."""
        return {s: sum(e.status == s for e in self.entries) for s in STATUSES}

    def body_html(self, level: int = 2) -> str:
        """The entries (or a sentence saying there are none), headings at ``level``."""
        parts = [f"<style>{_CSS}</style>"]
        if self.demonstration:
            parts.append(f'<p class="admonition note"><strong>{html.escape(DEMO_NOTE)}'
                         "</strong></p>")
        if not self.entries:
            parts.append("<p>No project has been shared yet.</p>")
        parts += [entry.to_html(level) for entry in self.entries]
        return "\n".join(parts)

    def _repr_html_(self) -> str:
        return self.body_html(level=3)


def gallery_from_records(records: Records, storyboards: Mapping[str, str] | None = None, *,
                         demonstration: bool = False) -> Gallery:
    """The gallery of the projects in ``records`` whose leads consented; ``storyboards`` maps
    a project id to its storyboard's link."""
    table, _ = outcomes(records)
    shared = table[table["consent_to_share"].astype(bool)]
    storyboards = storyboards or {}
    entries = []
    for status in STATUSES:
        for p in shared[shared["status"] == status].itertuples(index=False):
            chart = (project_chart(records, p.project)
                     if (records.measures["project"] == p.project).sum() >= 2 else None)
            entries.append(GalleryEntry(p.project, p.title, p.organisation, p.measure, status,
                                        p.reason, chart, storyboards.get(p.project)))
    return Gallery(tuple(entries), demonstration)


def gallery(engine: Engine, storyboards: Mapping[str, str] | None = None) -> Gallery:
    """The gallery from the programme's database (see :func:`gallery_from_records`)."""
    return gallery_from_records(load(engine), storyboards)


def demo_gallery(*, people: int = 120, seed: int = 1) -> Gallery:
    """A demonstration gallery from a seeded, made-up programme (see
    :mod:`qilab.programme.synthetic`), imported into a throwaway SQLite database exactly as a
    faculty's spreadsheets would be. The book's gallery page shows this."""
    import tempfile

    from .db import open_database
    from .importer import import_files
    from .synthetic import DEMO_PROJECTS, synthetic_programme

    made_up = synthetic_programme(people=people, seed=seed, project_names=DEMO_PROJECTS)
    with tempfile.TemporaryDirectory(prefix="qilab-gallery-") as folder:
        engine = open_database("sqlite:///" + str(Path(folder) / "demo.sqlite"))
        try:
            import_files(engine, made_up.write_csvs(Path(folder)), today=made_up.today)
            records = load(engine, today=made_up.today)
        finally:
            engine.dispose()
    return gallery_from_records(records, demonstration=True)


def gallery_html(engine: Engine, *, title: str = "Project gallery",
                 storyboards: Mapping[str, str] | None = None) -> str:
    """The gallery as one accessible HTML page (charts embedded with alt text)."""
    from .report import _CSS as PAGE_CSS

    e = html.escape
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{e(title)}'
            f"</title><style>{PAGE_CSS}</style></head><body><main><h1>{e(title)}</h1>"
            f"<p>{e(INTRO)}</p>\n{gallery(engine, storyboards).body_html(level=2)}\n"
            "</main></body></html>")


def write_gallery(engine: Engine, folder: str | os.PathLike,
                  storyboards: Mapping[str, str] | None = None) -> Path:
    """Write ``gallery.html`` in ``folder`` atomically and return its path."""
    from ..storage import atomic_write_text

    return atomic_write_text(Path(folder).resolve() / "gallery.html",
                             gallery_html(engine, storyboards=storyboards))

"""The project gallery: every project whose lead agreed to share it, with its chart and the
honest verdict on its measure, failures as well as successes.

Only projects whose leads consented are read into an entry at all, so nothing about the others
(not a title, not a chart's alt text) can reach a page or a search index. Each entry has a slot
for a link to the project's storyboard (from the Practitioner evidence pack):
:func:`write_gallery` with ``projects`` writes them from the projects' folders
(:mod:`qilab.reports.project`), one folder per project named by its id in the programme's
records (``PRJ-02/``), and only for shared projects.

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

import dataclasses
import html
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from sqlalchemy import Engine

from ..errors import QIDataError
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
#: The folder beside ``gallery.html`` that holds the shared projects' storyboards.
STORYBOARDS = "storyboards"
#: Where the book's build writes the example project's storyboard (from the output's root),
#: linked from the demonstration gallery (see :func:`write_example_storyboard`).
DEMO_STORYBOARD = "_static/storyboards/example-project.html"
#: The demonstration project whose entry links to that storyboard.
DEMO_STORYBOARD_PROJECT = "PRJ-04"
#: What each verdict is called in the gallery: words and a symbol, so colour is never the only
#: signal.
LABELS = {"improvement": ("Signal of improvement", "▲"), "no signal yet": ("No signal yet", "●"),
          "concern": ("Signal of concern", "▼")}
# headings and links take the text colour around them (links stay underlined), so they meet
# contrast in a dark-mode book too
_CSS = (".qilab-gallery-entry{border-left:.4rem solid #768692;padding-left:1rem;margin:1.5rem 0}"
        ".qilab-gallery-entry h2,.qilab-gallery-entry h3{color:inherit}"
        ".qilab-gallery-entry a{color:inherit;text-decoration:underline}")


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

    def with_storyboards(self, storyboards: Mapping[str, str]) -> "Gallery":
        """This gallery with ``storyboards`` (project id to link) added to its entries."""
        return dataclasses.replace(self, entries=tuple(
            dataclasses.replace(e, storyboard=storyboards.get(e.project, e.storyboard))
            for e in self.entries))


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


def demo_gallery(*, people: int = 120, seed: int = 1,
                 storyboards: Mapping[str, str] | None = None) -> Gallery:
    """A demonstration gallery from a seeded, made-up programme (see
    :mod:`qilab.programme.synthetic`), imported into a throwaway SQLite database exactly as a
    faculty's spreadsheets would be. The book's gallery page shows this."""
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
    return gallery_from_records(records, storyboards, demonstration=True)


def write_example_storyboard(out: str | os.PathLike) -> Path:
    """Write the storyboard of the made-up example project
    (:func:`qilab.reports.project.example_project`) to ``out`` (HTML only). The book's build
    writes it at :data:`DEMO_STORYBOARD`, where the demonstration gallery links to it."""
    from ..reports.project import example_project
    from ..reports.storyboard import write_storyboard

    with tempfile.TemporaryDirectory(prefix="qilab-example-") as folder:
        return write_storyboard(example_project(folder), out, pdf=False).html_path


def write_storyboards(shared: Gallery, projects: str | os.PathLike,
                      folder: str | os.PathLike) -> dict[str, str]:
    """Write the storyboard of each project in ``shared`` that has a folder in ``projects``
    (named by its project id) to ``folder/storyboards/ID.html``; return the links (project id
    to a path from ``folder``).

    Only shared projects' folders are read. Every folder is read before anything is written,
    and the storyboards are made aside and then moved in, so a bad folder (a
    :class:`qilab.QIDataError` naming the folder and file) leaves ``folder`` as it was.
    ``folder/storyboards`` belongs to the gallery: any page in it that is not a shared
    project's storyboard (one left from an earlier run by a lead who has since withdrawn
    consent) is removed.
    """
    from ..reports.project import read_project
    from ..reports.storyboard import write_storyboard

    projects = Path(projects)
    if not projects.is_dir():
        raise QIDataError(f"There is no folder of project folders at {projects}: make one with "
                          "a folder for each project, named by its project id (such as "
                          "PRJ-02).", field="projects")
    read = {}
    for entry in shared.entries:
        path = projects / entry.project
        if path.is_dir():
            try:
                read[entry.project] = read_project(path)
            except QIDataError as exc:
                raise QIDataError(f"Project {entry.project}'s folder {path}: {exc}",
                                  row=exc.row, column=exc.column, field=exc.field) from None
    out = Path(folder).resolve() / STORYBOARDS
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".qilab-storyboards-", dir=out) as aside:
        made = {pid: write_storyboard(project, Path(aside) / f"{pid}.html", pdf=False).html_path
                for pid, project in read.items()}
        for pid, path in made.items():
            os.replace(path, out / f"{pid}.html")
    ids = {entry.project for entry in shared.entries}
    for old in out.glob("*.html"):
        if old.stem not in ids:
            old.unlink()
    return {pid: f"{STORYBOARDS}/{pid}.html" for pid in made}


def gallery_html(engine: Engine, *, title: str = "Project gallery",
                 storyboards: Mapping[str, str] | None = None) -> str:
    """The gallery as one accessible HTML page (charts embedded with alt text)."""
    return _page(gallery(engine, storyboards), title)


def _page(shown: Gallery, title: str = "Project gallery") -> str:
    from .report import _CSS as PAGE_CSS

    e = html.escape
    return (f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{e(title)}'
            f"</title><style>{PAGE_CSS}</style></head><body><main><h1>{e(title)}</h1>"
            f"<p>{e(INTRO)}</p>\n{shown.body_html(level=2)}\n</main></body></html>")


def write_gallery(engine: Engine, folder: str | os.PathLike,
                  storyboards: Mapping[str, str] | None = None, *,
                  projects: str | os.PathLike | None = None) -> Path:
    """Write ``gallery.html`` in ``folder`` atomically and return its path.

    With ``projects`` (a folder holding a folder for each project, named by its project id),
    each shared project's storyboard is written beside it and linked (see
    :func:`write_storyboards`); a link in ``storyboards`` for the same project wins.
    """
    from ..storage import atomic_write_text

    shown = gallery(engine, storyboards)
    if projects is not None:
        links = write_storyboards(shown, projects, folder)
        shown = shown.with_storyboards({**links, **(storyboards or {})})
    return atomic_write_text(Path(folder).resolve() / "gallery.html", _page(shown))

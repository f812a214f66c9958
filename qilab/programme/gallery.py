"""The project gallery: every project whose lead agreed to share it, with its chart and the
honest verdict on its measure, failures as well as successes.

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"))
>>> "No project" in gallery_html(engine)
True
"""
from __future__ import annotations

import html
import os
from pathlib import Path

from sqlalchemy import Engine

from .frames import load
from .outcomes import STATUSES, outcomes, project_chart

_INTRO = ("Projects from across the programme whose leads agreed to share them. Each shows its "
          "own measure, charted with the rules the project chose, and what the chart says so "
          "far: improvement, no signal yet, or a signal of concern. Projects that have not "
          "improved yet are here too: they teach as much as those that have.")


def gallery_html(engine: Engine, *, title: str = "Project gallery") -> str:
    """The gallery as one accessible HTML page (charts embedded with alt text)."""
    from ..display import show
    from .report import _CSS

    records = load(engine)
    table, _ = outcomes(records)
    shared = table[table["consent_to_share"].astype(bool)]
    e = html.escape
    parts = [f'<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8"><title>{e(title)}'
             f"</title><style>{_CSS}</style></head><body><main><h1>{e(title)}</h1>"
             f"<p>{e(_INTRO)}</p>"]
    if shared.empty:
        parts.append("<p>No project has been shared yet.</p>")
    for status in STATUSES:
        for p in shared[shared["status"] == status].itertuples(index=False):
            parts.append(f"<section><h2>{e(p.title)}</h2><p><strong>{e(status.capitalize())}"
                         f"</strong>: {e(p.reason)}. Organisation: {e(p.organisation)}. "
                         f"Measure: {e(p.measure)}.</p>")
            if (records.measures["project"] == p.project).sum() >= 2:
                chart = project_chart(records, p.project)
                parts.append(show(chart.plot(), alt=chart.alt_text())._repr_html_())
            parts.append("</section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def write_gallery(engine: Engine, folder: str | os.PathLike) -> Path:
    """Write ``gallery.html`` in ``folder`` atomically and return its path."""
    from ..storage import atomic_write_text

    return atomic_write_text(Path(folder).resolve() / "gallery.html", gallery_html(engine))

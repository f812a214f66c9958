"""The faculty's programme dashboard (Voila): reach, knowledge and outcomes at a glance.

The notebook beside this module (``programme.ipynb``) only shows :class:`ProgrammeDashboard`;
``qilab programme dashboard`` serves it with Voila on 127.0.0.1, never on the workshop
dashboards' server, because it shows the programme's records. Counts of people are suppressed
as in the report.

>>> import tempfile, pathlib
>>> from qilab.programme.db import open_database
>>> engine = open_database("sqlite:///" + str(pathlib.Path(tempfile.mkdtemp()) / "p.sqlite"))
>>> board = ProgrammeDashboard(engine)
>>> board.view.value = "Outcomes"
>>> "No projects" in board.body.value
True
"""
from __future__ import annotations

import html
from pathlib import Path

from sqlalchemy import Engine

NOTEBOOK = Path(__file__).resolve().parent / "programme.ipynb"
VIEWS = ("Reach", "Knowledge", "Outcomes")


class ProgrammeDashboard:
    """A view chooser and the chosen view, as HTML (charts embedded with alt text)."""

    def __init__(self, engine: Engine | None = None) -> None:
        import ipywidgets as widgets

        from ...widgets.forms import button, dropdown_field
        from ..db import open_database

        self.engine = engine or open_database()
        self.view = dropdown_field("Show", list(VIEWS))
        self.refresh = button("Read the records again")
        self.body = widgets.HTML()
        self.view.observe(lambda _: self._draw(), names="value")
        self.refresh.on_click(lambda _: self._load())
        self.widget = widgets.VBox([widgets.HBox([self.view, self.refresh]), self.body])
        self._load()

    def _load(self) -> None:
        from ..report import build_report

        self.report = build_report(self.engine)
        self._draw()

    def _draw(self) -> None:
        from ..report import _figure, _table

        r, e = self.report, html.escape
        if self.view.value == "Reach":
            parts = [f"<p>{e(r.reach.explain())}</p>"]
            if len(r.reach.by_month) >= 2:
                parts.append(_figure(r.reach.chart()))
            parts += [_table(t, name) for name, t in r.published_tables().items()
                      if name.startswith("People trained")]
        elif self.view.value == "Knowledge":
            parts = [f"<p>{e(r.knowledge.explain())}</p>"]
        else:
            if r.outcomes.empty:
                parts = ["<p>No projects registered yet.</p>"]
            else:
                counts = r.outcomes["status"].value_counts()
                parts = ["<p>" + "; ".join(f"{int(n)} {e(s)}" for s, n in counts.items())
                         + ".</p><ul>"]
                parts += [f"<li><strong>{e(p.project)}</strong> {e(p.title)}: {e(p.status)} "
                          f"({e(p.reason)})</li>" for p in r.outcomes.itertuples(index=False)]
                parts.append("</ul>")
        self.body.value = "\n".join(parts)


TEMPLATES = Path(__file__).resolve().parents[3] / "dashboards" / "share" / "jupyter"


def voila_command(port: int) -> list[str]:
    """The command that serves the dashboard on 127.0.0.1:``port`` with its code hidden, with
    the workshop dashboards' offline template (nothing loaded from other websites)."""
    import shutil
    import sys

    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    return [voila, str(NOTEBOOK), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
            "--strip_sources=True", "--template=qilab", "--show_tracebacks=False",
            "--VoilaConfiguration.extension_allowlist=['@voila-dashboards/widgets-manager8', "
            "'@jupyter-widgets/jupyterlab-manager']"]


def voila_env(url: str) -> dict[str, str]:
    """The environment for :func:`voila_command`: the database and the offline template."""
    import os

    return dict(os.environ, QILAB_PROGRAMME_DB=url, MPLBACKEND="Agg",
                JUPYTER_PATH=str(TEMPLATES) + (os.pathsep + os.environ["JUPYTER_PATH"]
                                               if os.environ.get("JUPYTER_PATH") else ""))

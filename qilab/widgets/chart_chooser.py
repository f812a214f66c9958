"""A guided chart chooser: answer a few questions, get the chart to use and why.

A thin front end over :func:`qilab.tools.chart_chooser.choose_chart`. Only the questions that
matter for the kind of data are shown. The recommendation updates as soon as an answer
changes. ``.value`` is the :class:`~qilab.tools.chart_chooser.ChartChoice` as a plain dict
(with the answers under ``"inputs"``), so an exercise can grade it.

>>> from qilab.widgets.chart_chooser import ChartChooser
>>> w = ChartChooser()
>>> w.data_type.value = "count"
>>> w.equal_opportunity.value = "no"
>>> w.value["chart"]
'u'
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..errors import QIDataError
from ..tools.chart_chooser import DATA_TYPES, ChartChoice, choose_chart
from .forms import LABEL_STYLE, MessageArea, dropdown_field, form, paragraph
from .static import StaticPreview

__all__ = ["ChartChooser"]

_YES_NO = [("Yes", "yes"), ("No", "no"), ("Not sure", "not sure")]
_AS_BOOL = {"yes": True, "no": False, "not sure": None}
_POINTS = [("Fewer than 12", 0), ("12 to 19", 12), ("20 or more", 20)]


def _radio(description: str, options: list[tuple[str, Any]], value: Any) -> widgets.RadioButtons:
    return widgets.RadioButtons(options=options, value=value, description=description,
                                style=LABEL_STYLE, layout=widgets.Layout(width="auto"))


class ChartChooser(StaticPreview, widgets.VBox):
    """Guided questions → a recommended chart for :func:`qilab.spc`, the reason and a link."""

    def __init__(self, book_root: str = "") -> None:
        self.book_root = book_root
        self.data_type = _radio("What kind of data do you have?",
                                [(text, key) for key, text in DATA_TYPES.items()], "count")
        self.n_points = dropdown_field("How many time periods (points) do you have?", _POINTS,
                                       value=20)
        self.learning = widgets.Checkbox(value=False, indent=False, style=LABEL_STYLE,
                                         description="I am still learning about this measure")
        self.subgroup_size = widgets.BoundedIntText(
            value=1, min=1, max=10_000, step=1, style=LABEL_STYLE,
            description="How many measurements in each time period?",
            layout=widgets.Layout(width="auto"))
        self.equal_opportunity = _radio(
            "Is the area of opportunity (patients, bed days, hours) the same each period?",
            _YES_NO, "not sure")
        self.rare_events = _radio("Are the events rare (most periods have none)?", _YES_NO,
                                  "not sure")
        self.messages = MessageArea()
        self.result = widgets.HTML()
        self.choice: ChartChoice | None = None
        controls = [self.data_type, self.n_points, self.learning, self.subgroup_size,
                    self.equal_opportunity, self.rare_events]
        for control in controls:
            control.observe(self._update, names="value")
        super().__init__([form(paragraph("Answer the questions; the recommendation below "
                                         "changes as you go."), *controls,
                               label="Choose a chart"),
                          self.messages, self.result])
        self._update()

    def answers(self) -> dict[str, Any]:
        """The current answers as arguments for :func:`choose_chart`."""
        kind = self.data_type.value
        return {"data_type": kind,
                "subgroup_size": int(self.subgroup_size.value) if kind == "measurement" else None,
                "equal_opportunity": (_AS_BOOL[self.equal_opportunity.value]
                                      if kind == "count" else None),
                "rare_events": (_AS_BOOL[self.rare_events.value]
                                if kind in ("count", "classification") else None),
                "n_points": self.n_points.value, "learning": bool(self.learning.value)}

    def _show_relevant(self) -> None:
        kind = self.data_type.value
        for control, kinds in ((self.subgroup_size, {"measurement"}),
                               (self.equal_opportunity, {"count"}),
                               (self.rare_events, {"count", "classification"})):
            control.layout.display = None if kind in kinds else "none"

    def _update(self, _: Any = None) -> None:
        self._show_relevant()
        try:
            choice = choose_chart(**self.answers())
        except QIDataError as exc:  # e.g. a subgroup size typed as 0
            self.messages.error(str(exc))
            return
        self.messages.clear()
        self.choice = choice
        href = f"{self.book_root}{choice.book_page}.html" if self.book_root is not None else ""
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in choice.notes)
        extra = f"<ul>{notes}</ul>" if notes else ""
        companion = (f" with an {choice.companion.upper()} chart beneath it"
                     if choice.companion else "")
        code = f"qilab.spc(..., chart=\"{choice.chart}\")"
        self.result.value = (
            '<div role="status" aria-live="polite" class="qilab-chart-choice">'
            f"<p><strong>Recommended:</strong> {html.escape(choice.name)}{companion} "
            f"(<code>{html.escape(code)}</code>)</p>"
            f"<p><strong>Why:</strong> {html.escape(choice.reason)}</p>{extra}"
            f'<p><a href="{html.escape(href, quote=True)}">Read more: choosing a chart</a> '
            f"({html.escape(choice.book_page)})</p></div>")

    @property
    def value(self) -> dict[str, Any] | None:
        """The recommendation as a plain dict (see :meth:`ChartChoice.to_dict`)."""
        return self.choice.to_dict() if self.choice else None

"""What a qilab widget shows, as plain HTML, for places with no live kernel (the static book).

A widget needs a running Python kernel to respond. In the published book there is none, so a
live-looking form would accept typing and do nothing. Each qilab widget therefore also offers an
HTML *preview* of its current state: its headings and instructions, each field's label and what
is in it (the page's own example, or "empty"), choices as text, and any chart already drawn. No
button or input is rendered, so nothing in the preview looks as if it could be used.

JupyterLab, Voila and the hub still show the live widget (they prefer the widget view); the book
is configured to prefer this HTML (``nb_mime_priority_overrides`` in ``_config.yml``), and the
book's extension adds a "Do this exercise" box after it, at the marker :data:`BOX_MARKER`.

>>> import ipywidgets as widgets
>>> from qilab.widgets.forms import text_field
>>> box = widgets.VBox([text_field("Change idea", value="Text reminders"), widgets.Button(
...     description="Save")])
>>> html = static_html(box)
>>> "Change idea" in html and "Text reminders" in html, "Save" in html
(True, False)
"""
from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

#: The class of a preview, and the marker after it where the book's extension puts the
#: "Do this exercise" box.
PREVIEW_CLASS = "qi-exercise-preview"
BOX_MARKER = "<!--qi-do-exercise-->"


def _escape(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _field(label: str, value: Any, *, multiline: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    shown = (_escape(text).replace("\n", "<br>") if text
             else '<span class="qi-preview-empty">(empty)</span>')
    kind = "qi-preview-value-long" if multiline else "qi-preview-value"
    return (f'<div class="qi-preview-field"><span class="qi-preview-label">{_escape(label)}'
            f'</span> <span class="{kind}">{shown}</span></div>')


def _choice_label(widget: widgets.Widget) -> str:
    value = widget.value
    for option in getattr(widget, "options", ()):
        if isinstance(option, tuple) and len(option) == 2 and option[1] == value:
            return str(option[0])
    return "" if value is None else str(value)


def _output_html(output: widgets.Output) -> str:
    parts = []
    for item in output.outputs:
        data = item.get("data", {}) if isinstance(item, dict) else {}
        if "text/html" in data:
            parts.append(str(data["text/html"]))
        elif item.get("output_type") == "stream":
            parts.append(f"<p>{_escape(item.get('text', ''))}</p>")
    return "".join(parts)


def static_html(widget: widgets.Widget) -> str:
    """The HTML a widget tree shows now, without any control that would need a kernel."""
    if isinstance(widget, (widgets.Button, widgets.FileUpload)):
        return ""  # actions need a kernel: described in the "Do this exercise" box instead
    if isinstance(widget, widgets.Output):
        return _output_html(widget)
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath)):
        return str(widget.value or "")
    if isinstance(widget, widgets.Label):
        return f"<p>{_escape(widget.value)}</p>" if widget.value else ""
    if isinstance(widget, widgets.Textarea):
        return _field(widget.description, widget.value, multiline=True)
    if isinstance(widget, widgets.Checkbox):
        mark = "Yes" if widget.value else "No"
        return _field(widget.description, mark)
    if isinstance(widget, (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons,
                           widgets.Select)):
        return _field(widget.description, _choice_label(widget))
    if isinstance(widget, (widgets.Tab, widgets.Accordion)):
        parts = []
        for index, child in enumerate(widget.children):
            title = widget.get_title(index) if hasattr(widget, "get_title") else ""
            if title:
                parts.append(f"<h4>{_escape(title)}</h4>")
            parts.append(static_html(child))
        return "".join(parts)
    if isinstance(widget, widgets.Box):
        inner = "".join(static_html(child) for child in widget.children)
        return f'<div class="qi-preview-group">{inner}</div>' if inner else ""
    if isinstance(widget, widgets.ValueWidget) and hasattr(widget, "description"):
        return _field(widget.description, widget.value)
    return ""


class StaticPreview:
    """Mixin for qilab widgets: adds the static HTML preview to the widget's display.

    Put it before the ipywidgets base class. Live front ends (JupyterLab, Voila) still render the
    widget; a static renderer that prefers HTML shows :func:`static_html` instead, marked with
    :data:`PREVIEW_CLASS` and the widget's class name.
    """

    def static_preview(self) -> str:
        """The preview: what this widget shows now, with no controls."""
        name = type(self).__name__
        return (f'<div class="{PREVIEW_CLASS}" data-qi-widget="{_escape(name)}">'
                '<p class="qi-preview-note"><strong>Preview.</strong> This is a picture of the '
                'exercise, not the exercise itself: see "Do this exercise" below to use it.</p>'
                f"{static_html(self)}{self._preview_extra()}</div>"  # type: ignore[arg-type]
                f"{BOX_MARKER}")

    def _preview_extra(self) -> str:
        """More to show after the fields (a subclass may add the chart its example draws)."""
        return ""

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = super()._repr_mimebundle_(**kwargs)  # type: ignore[misc]
        bundle = dict(bundle or {})
        bundle["text/html"] = self.static_preview()
        return bundle


__all__ = ["BOX_MARKER", "PREVIEW_CLASS", "StaticPreview", "static_html"]

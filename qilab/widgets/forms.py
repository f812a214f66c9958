"""Small shared building blocks for qilab's form-style widgets.

Every control a learner types into must have a visible label that assistive technology reads
as its name, work by keyboard, and look the same in JupyterLab and Voila. In ipywidgets 8 a
control's ``description`` is rendered as a real ``<label>`` tied to the input, so these helpers
always set one, and widen the label area so long labels are never cut off.

The helpers are deliberately thin: the logic of a form lives in the plain data model
(``qilab.pdsa``, ``qilab.tools``); a widget only collects text and shows messages.

>>> from qilab.widgets.forms import text_field, MessageArea, read_text
>>> who = text_field("Who will do it", placeholder="e.g. the night staff on Ward 7")
>>> who.value = "  Ward 7 night team "
>>> read_text(who)
'Ward 7 night team'
>>> messages = MessageArea()
>>> messages.error("Please add a prediction.")
>>> messages.kind, messages.text
('error', 'Please add a prediction.')
"""
from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as widgets

#: Style that lets a description (label) take the width it needs instead of being cut off.
LABEL_STYLE: dict[str, str] = {"description_width": "initial"}

#: Default layout for a full-width field.
FIELD_WIDTH = "min(100%, 46em)"


def _layout(width: str | None, height: str | None = None) -> widgets.Layout:
    kwargs: dict[str, str] = {"width": width or FIELD_WIDTH}
    if height:
        kwargs["height"] = height
    return widgets.Layout(**kwargs)


def text_field(description: str, *, value: str = "", placeholder: str = "",
               multiline: bool = False, rows: int = 3, tooltip: str | None = None,
               width: str | None = None) -> widgets.Text | widgets.Textarea:
    """A labelled single-line (``Text``) or multi-line (``Textarea``) field.

    ``description`` becomes the visible ``<label>`` and the accessible name; ``tooltip`` (if
    given) is extra help shown on hover. ``continuous_update`` is on so ``.value`` always holds
    what the learner has typed, even before they leave the field.

    >>> field = text_field("Change idea", multiline=True)
    >>> type(field).__name__, field.description
    ('Textarea', 'Change idea')
    """
    if not description or not description.strip():
        raise ValueError("Every field needs a visible label (description).")
    cls = widgets.Textarea if multiline else widgets.Text
    kwargs: dict[str, Any] = dict(value=value, placeholder=placeholder, description=description,
                                  style=LABEL_STYLE, layout=_layout(width),
                                  continuous_update=True)
    if multiline:
        kwargs["rows"] = rows
    if tooltip:
        kwargs["tooltip"] = tooltip
    return cls(**kwargs)


def date_field(description: str, *, value: str = "", tooltip: str | None = None,
               width: str = "22em") -> widgets.Text:
    """A labelled text field for a date, typed as ``14/03/2027`` or ``2027-03-14``.

    A text field (rather than a date picker) lets the learner type any date by keyboard, and
    lets the model explain a date that does not exist (such as 31/02/2027) instead of the
    browser silently dropping it.

    >>> date_field("When").placeholder
    'e.g. 14/03/2027'
    """
    return text_field(description, value=value, placeholder="e.g. 14/03/2027",
                      tooltip=tooltip or "Day/month/year, for example 14/03/2027",
                      width=width)


def dropdown_field(description: str, options: Sequence[Any], *, value: Any = None,
                   tooltip: str | None = None, width: str | None = None) -> widgets.Dropdown:
    """A labelled drop-down list (a native ``<select>``: keyboard and screen-reader friendly).

    ``options`` is a list of values or of ``(label, value)`` pairs, as for ``ipywidgets``.

    >>> d = dropdown_field("Decision", [("Choose one", ""), ("Adopt", "adopt")])
    >>> d.value
    ''
    """
    kwargs: dict[str, Any] = dict(options=list(options), description=description,
                                  style=LABEL_STYLE, layout=_layout(width))
    if value is not None:
        kwargs["value"] = value
    if tooltip:
        kwargs["tooltip"] = tooltip
    return widgets.Dropdown(**kwargs)


def button(description: str, *, primary: bool = False, tooltip: str | None = None,
           icon: str = "") -> widgets.Button:
    """A button whose visible text is its accessible name.

    >>> button("Check my aim", primary=True).button_style
    'primary'
    """
    return widgets.Button(description=description, button_style="primary" if primary else "",
                          tooltip=tooltip or description, icon=icon,
                          layout=widgets.Layout(width="auto"))


def read_text(field: widgets.Widget) -> str:
    """The text in a field with surrounding spaces removed (``''`` for ``None``).

    >>> f = text_field("Owner"); f.value = "  Sister Jones  "; read_text(f)
    'Sister Jones'
    """
    value = getattr(field, "value", "")
    return "" if value is None else str(value).strip()


def read_lines(field: widgets.Widget) -> list[str]:
    """Non-empty lines of a (multi-line) field, stripped.

    >>> f = text_field("Questions", multiline=True); f.value = "Will it work?\\n\\n Is it quick? "
    >>> read_lines(f)
    ['Will it work?', 'Is it quick?']
    """
    return [line.strip() for line in read_text(field).splitlines() if line.strip()]


def heading(text: str, level: int = 3) -> widgets.HTML:
    """A real HTML heading (so screen-reader users can jump between form sections).

    >>> heading("Plan").value
    '<h3>Plan</h3>'
    """
    level = min(max(int(level), 2), 6)
    return widgets.HTML(f"<h{level}>{html.escape(text)}</h{level}>")


def paragraph(text: str) -> widgets.HTML:
    """A paragraph of escaped plain text, for instructions next to a form.

    >>> paragraph("Say what you expect & why.").value
    '<p>Say what you expect &amp; why.</p>'
    """
    return widgets.HTML(f"<p>{html.escape(text)}</p>")


class MessageArea(widgets.HTML):
    """A live region for feedback: success, information or problems, in words and icons.

    Messages are announced by screen readers (``role="status"``, or ``role="alert"`` for
    errors), and their kind is said in words ("Saved", "Please check") as well as shown by
    colour, so colour is never the only cue. ``.text`` and ``.kind`` hold the last message as
    plain values that tests and exercises can read.

    >>> m = MessageArea()
    >>> m.show("error", "The date 31/02/2027 does not exist.", details=["Use 28/02/2027."])
    >>> m.kind, "31/02/2027" in m.value, m.lines
    ('error', True, ['The date 31/02/2027 does not exist.', 'Use 28/02/2027.'])
    >>> m.clear(); m.kind is None
    True
    """

    _PREFIX = {"success": "Done:", "info": "Note:", "warning": "Please check:",
               "error": "Please check:"}
    _COLOUR = {"success": "#007f3b", "info": "#005eb8", "warning": "#8a5300",
               "error": "#d5281b"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(value="", **kwargs)
        self.kind: str | None = None
        self.lines: list[str] = []

    @property
    def text(self) -> str:
        """The last message as plain text (all lines joined by spaces)."""
        return " ".join(self.lines)

    def show(self, kind: str, message: str, details: Iterable[str] = ()) -> None:
        """Show a message of ``kind`` ('success', 'info', 'warning' or 'error')."""
        if kind not in self._PREFIX:
            raise ValueError(f"Unknown message kind {kind!r}; use one of {sorted(self._PREFIX)}.")
        details = [str(d) for d in details if str(d).strip()]
        self.kind = kind
        self.lines = [str(message), *details]
        role = "alert" if kind == "error" else "status"
        colour = self._COLOUR[kind]
        items = "".join(f"<li>{html.escape(d)}</li>" for d in details)
        listing = f"<ul>{items}</ul>" if items else ""
        self.value = (
            f'<div role="{role}" aria-live="polite" class="qilab-message qilab-message-{kind}" '
            f'style="border-left:0.35em solid {colour};padding:0.3em 0.7em;margin:0.4em 0">'
            f"<strong>{self._PREFIX[kind]}</strong> {html.escape(str(message))}{listing}</div>")

    def success(self, message: str, details: Iterable[str] = ()) -> None:
        """Show a success message."""
        self.show("success", message, details)

    def info(self, message: str, details: Iterable[str] = ()) -> None:
        """Show an information message."""
        self.show("info", message, details)

    def warning(self, message: str, details: Iterable[str] = ()) -> None:
        """Show a warning."""
        self.show("warning", message, details)

    def error(self, message: str, details: Iterable[str] = ()) -> None:
        """Show a problem the learner needs to fix."""
        self.show("error", message, details)

    def clear(self) -> None:
        """Remove the message."""
        self.kind = None
        self.lines = []
        self.value = ""


def form(*children: widgets.Widget, label: str | None = None) -> widgets.VBox:
    """Stack controls vertically; ``label`` (if given) is shown as a heading above them.

    >>> len(form(text_field("Name"), label="About the measure").children)
    2
    """
    items = [heading(label)] if label else []
    items.extend(children)
    return widgets.VBox(items, layout=widgets.Layout(width="100%"))


__all__ = ["LABEL_STYLE", "FIELD_WIDTH", "text_field", "date_field", "dropdown_field", "button",
           "read_text", "read_lines", "heading", "paragraph", "MessageArea", "form"]


SAFE_FILE_NAME = re.compile(r"^[\w][\w .-]*$")
"""A file name a learner may type: letters, numbers, spaces, dots, dashes, underscores."""


def save_to_folder(messages: MessageArea, folder: widgets.Widget, file_name: widgets.Widget,
                   kind: str, write: Callable[[Path], Path], *, example: str,
                   root: Path | None = None) -> Path | None:
    """Save with ``write(path)`` to ``<folder>/<file name>.<kind>`` and report it in ``messages``.

    A bad file name or a folder that cannot be written gets a message saying what to do, and
    returns None; nothing the learner typed is cleared. ``example`` is a file name to suggest.
    With ``root``, a relative folder is taken inside ``root`` and the file must end up inside
    it once ``..`` and symbolic links are followed: anything else is refused.
    """
    stem = read_text(file_name)
    if not stem or not SAFE_FILE_NAME.match(stem):
        messages.error("File name: use letters, numbers, spaces, dots, dashes or underscores "
                       f"(no slashes), for example '{example}'.")
        return None
    path = Path(read_text(folder) or ".").expanduser() / f"{stem}.{kind}"
    if root is not None:
        top = Path(root).expanduser().resolve()
        path = (top / path).resolve()  # an absolute folder replaces top; checked below
        if not path.is_relative_to(top):
            messages.error(f"Save in folder: choose a folder inside {top} (for example "
                           "'charts'); files cannot be saved anywhere else from here.")
            return None
    try:
        saved = write(path)
    except OSError as exc:
        messages.error(f"Could not save to {path}: {exc.strerror or exc}. Check the folder name "
                       "and that you can write there.")
        return None
    messages.success(f"Saved {saved}.")
    return saved

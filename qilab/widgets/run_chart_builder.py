"""Run chart builder: paste or upload your data and watch the run chart as you change it.

A thin front end over :func:`qilab.spc` (``chart="run"``). The learner pastes values (one a
line, or ``date, value``) or uploads a CSV or Excel file, picks the columns, and sets the
baseline (points used for the median), the rule set (Anhøj or IHI), a goal line and notes on
the points where changes were made. The chart and its plain-English explanation redraw after
every change; the picture carries the explanation as alt text. The chart (PNG, SVG) and the
data with the chart's lines and signals (CSV) are saved atomically to a folder.

``.value`` is a plain dict of the data and settings (``None`` until there is a chart), so an
exercise can keep or grade it.

>>> from qilab.widgets.run_chart_builder import RunChartBuilder
>>> w = RunChartBuilder()
>>> w.paste.value = "\\n".join(str(v) for v in [5, 7, 6, 8, 7, 9, 8, 7, 6, 8, 9, 7])
>>> w.value["y"][:3], w.result.chart
([5.0, 7.0, 6.0], 'run')
"""
from __future__ import annotations

import base64
import html
import io
import re
import time
import warnings
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..errors import QIDataError, QIWarning
from .forms import (
    LABEL_STYLE,
    MessageArea,
    button,
    dropdown_field,
    form,
    paragraph,
    read_text,
    save_to_folder,
    text_field,
)
from .games._common import readable
from .static import StaticPreview

__all__ = ["RunChartBuilder", "parse_pasted", "read_upload", "numeric_columns", "number_cells",
           "csv_safe", "MAX_POINTS", "MAX_UPLOAD_BYTES", "MAX_PASTE_CHARS", "MAX_ABS_VALUE"]

NO_X = "(none: number the points 1, 2, 3 ...)"
_SPLIT = re.compile(r"\s*[,;\t]\s*")

#: The most points (lines pasted, or rows of a file) a run chart here takes: more is refused
#: with a message before the data is read in full, so every chart comes within about 2 s.
MAX_POINTS = 2_000
#: The largest file (bytes) the upload takes; the workshop template refuses bigger files in
#: the browser before they are sent, and the kernel checks again.
MAX_UPLOAD_BYTES = 2_000_000
#: The most characters of pasted text read.
MAX_PASTE_CHARS = 100_000
#: Values beyond this size cannot be drawn sensibly (a typing slip such as 1e308).
MAX_ABS_VALUE = 1e12
#: Most axis labels shown for text dates (one label per point would be unreadable, and slow).


def parse_pasted(text: str) -> pd.DataFrame:
    """Read pasted values: one number a line, or ``label, value`` (comma, semicolon or tab).

    A first line whose value is not a number is taken as column names. Any other line whose
    value is not a number raises :class:`qilab.QIDataError` naming the line.

    >>> parse_pasted("month, falls\\nJan, 4\\nFeb, 6").to_dict("list")
    {'month': ['Jan', 'Feb'], 'falls': [4.0, 6.0]}
    >>> parse_pasted("4\\n6\\n5")["value"].tolist()
    [4.0, 6.0, 5.0]
    """
    text = str(text)
    if len(text) > MAX_PASTE_CHARS:
        raise QIDataError(f"That is {len(text):,} characters; paste at most "
                          f"{MAX_PASTE_CHARS:,} (about {MAX_POINTS:,} values). For a longer "
                          "series, chart a summary, such as weekly or monthly totals.",
                          field="paste")
    rows = [(i, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
    if not rows:
        raise QIDataError("There is no data yet: paste some values, one a line.", field="paste")
    if len(rows) > MAX_POINTS + 1:
        raise QIDataError(f"That is {len(rows):,} lines; a run chart here takes at most "
                          f"{MAX_POINTS:,} points. Chart a summary, such as weekly or monthly "
                          "totals.", field="paste")
    split = [(i, _SPLIT.split(line)) for i, line in rows]
    widths = {len(parts) for _, parts in split}
    if len(widths) != 1 or widths.pop() > 2:
        bad = next(i for i, parts in split if len(parts) != len(split[0][1]) or len(parts) > 2)
        raise QIDataError(f"Line {bad} ('{rows[[r[0] for r in rows].index(bad)][1]}'): every "
                          "line needs the same shape, either one value or 'label, value'.",
                          row=bad, field="paste")
    two = len(split[0][1]) == 2
    names = ["date", "value"] if two else ["value"]
    if _number(split[0][1][-1]) is None:
        names = [p.strip() or n for p, n in zip(split[0][1], names)]
        if len(set(names)) != len(names):
            names = ["date", "value"] if two else ["value"]
        split = split[1:]
        if not split:
            raise QIDataError("There are column names but no values below them.", field="paste")
    labels, values = [], []
    for i, parts in split:
        number = _number(parts[-1])
        if number is None:
            raise QIDataError(f"Line {i}: {parts[-1]!r} is not a number. Type a number such as "
                              "12 or 4.5 (leave the line out if there is no value).", row=i,
                              field="paste")
        if abs(number) > MAX_ABS_VALUE:
            raise QIDataError(f"Line {i}: {parts[-1]} is too large to chart; values must be "
                              f"between -{MAX_ABS_VALUE:g} and {MAX_ABS_VALUE:g}.", row=i,
                              field="paste")
        values.append(number)
        if two:
            labels.append(parts[0])
    data = {names[0]: labels, names[1]: values} if two else {names[0]: values}
    return pd.DataFrame(data)


def _number(text: str) -> float | None:
    try:
        value = float(str(text).replace(",", "").strip())
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def read_upload(name: str, content: bytes) -> pd.DataFrame:
    """Read an uploaded CSV or Excel file into a table (errors name the file).

    Files over :data:`MAX_UPLOAD_BYTES`, or with more than :data:`MAX_POINTS` rows, are
    refused before they are read in full (rows are counted from the line breaks of a CSV file
    and from the sheet's stated size in an Excel file).

    >>> read_upload("d.csv", b"week,waits\\n1,30\\n2,28").shape
    (2, 2)
    >>> read_upload("d.csv", b"")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    qilab.errors.QIDataError: 'd.csv' is empty...
    """
    suffix = Path(name).suffix.lower()
    if len(content) > MAX_UPLOAD_BYTES:
        raise QIDataError(f"{name!r} is {len(content) / 1e6:.1f} MB; upload at most "
                          f"{MAX_UPLOAD_BYTES / 1e6:g} MB and {MAX_POINTS:,} rows. For a longer "
                          "series, chart a summary, such as weekly or monthly totals.",
                          field="upload")
    if not content.strip():
        raise QIDataError(f"{name!r} is empty: it has no rows or columns. Check you saved the "
                          "file with your data in it.", field="upload")
    try:
        if suffix in (".csv", ".txt"):
            _check_rows(name, content.count(b"\n") + (not content.endswith(b"\n")) - 1)
            return pd.read_csv(io.BytesIO(content), sep=None, engine="python",
                               keep_default_na=False, na_values=[""])  # "n/a" is named
        if suffix in (".xlsx", ".xlsm"):
            _check_rows(name, _excel_rows(content) - 1)
            return pd.read_excel(io.BytesIO(content), engine="openpyxl",
                                 nrows=MAX_POINTS + 1, keep_default_na=False, na_values=[""])
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError, KeyError, OSError) as exc:
        raise QIDataError(f"Could not read {name!r}: {exc}. Check it is a CSV or Excel (.xlsx) "
                          "file.", field="upload") from exc
    except Exception as exc:  # openpyxl raises its own errors for damaged files
        raise QIDataError(f"Could not read {name!r} as a spreadsheet ({type(exc).__name__}). "
                          "Save it again as .xlsx or .csv.", field="upload") from exc
    raise QIDataError(f"{name!r} is not a CSV or Excel (.xlsx) file: save it as one of those.",
                      field="upload")


def _check_rows(name: str, rows: int) -> None:
    if rows > MAX_POINTS:
        raise QIDataError(f"{name!r} has about {rows:,} rows; a run chart here takes at most "
                          f"{MAX_POINTS:,}. Chart a summary, such as weekly or monthly totals, "
                          "or the most recent rows.", field="upload")


def _excel_rows(content: bytes) -> int:
    """Rows in the first sheet, from its stated size (the sheet itself is not read)."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        return int(book.worksheets[0].max_row or 0)
    finally:
        book.close()


def number_cells(series: pd.Series) -> pd.Series:
    """Each filled cell as a number (NaN where a filled cell is text; blanks stay NaN).

    >>> number_cells(pd.Series(["4", "five", None, "1,200"])).tolist()
    [4.0, nan, nan, 1200.0]
    """
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.astype(float)
    text = series.astype("string").str.strip().str.replace(",", "", regex=False)
    return pd.to_numeric(text, errors="coerce").astype(float)


def _text_in_numbers(df: pd.DataFrame, column: str) -> None:
    """Refuse a column of numbers with text in it, naming the rows (file rows: header is 1)."""
    series = df[column]
    numbers = number_cells(series)
    bad = series.notna() & series.astype("string").str.strip().ne("") & numbers.isna()
    if bad.any():
        rows = [(i + 2, series.iloc[i]) for i in np.flatnonzero(bad.to_numpy())]
        shown = ", ".join(f"row {r} ({str(v)!r})" for r, v in rows[:8])
        more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
        raise QIDataError(f"Column {column!r} should hold numbers but has text in {shown}{more} "
                          "(the first row, with the column names, is row 1). Type a number in "
                          "each of those cells, or leave it empty when there is no value, and "
                          "upload the file again.", row=rows[0][0], field=column)
    big = numbers.abs() > MAX_ABS_VALUE
    if big.any():
        i = int(np.flatnonzero(big.to_numpy())[0])
        raise QIDataError(f"Column {column!r}, row {i + 2}: {series.iloc[i]} is too large to "
                          f"chart; values must be between -{MAX_ABS_VALUE:g} and "
                          f"{MAX_ABS_VALUE:g}.", row=i + 2, field=column)


def csv_safe(df: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells cannot run as spreadsheet formulas when the CSV is opened.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    apostrophe (OWASP's advice on CSV injection); numbers are left as numbers.

    >>> csv_safe(pd.DataFrame({"x": ["=1+1", "@SUM(A1)", "Week 1"], "y": [-1, 2, 3]})
    ...          ).values.tolist()
    [["'=1+1", -1], ["'@SUM(A1)", 2], ['Week 1', 3]]
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t",
                                                                      "\r") else v)
    out.columns = [("'" + c) if isinstance(c, str) and c[:1] in ("=", "+", "-", "@", "\t", "\r")
                   else c for c in out.columns]
    return out


def numeric_columns(df: pd.DataFrame) -> list[str]:
    """Columns where at least half the filled-in cells are numbers (these can be charted;
    charting one with text in it gives a message naming the rows).

    >>> numeric_columns(pd.DataFrame({"ward": ["A", "B"], "falls": ["3", "4"]}))
    ['falls']
    """
    out = []
    for col in df.columns:
        series = df[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_datetime64_any_dtype(series):
            continue
        filled = series.dropna()
        if filled.empty:
            continue
        numbers = pd.to_numeric(filled.astype(str).str.replace(",", "", regex=False),
                                errors="coerce")
        if numbers.notna().mean() >= 0.5:  # text among them is named when it is charted
            out.append(str(col))
    return out


def _parse_notes(text: str, k: int) -> dict[int, str]:
    notes: dict[int, str] = {}
    for i, line in enumerate(str(text).splitlines(), 1):
        if not line.strip():
            continue
        pos, sep, note = line.partition(":")
        if not sep or not pos.strip().isdigit() or not note.strip():
            raise QIDataError(f"Notes, line {i} ('{line.strip()}'): write the point number, a "
                              "colon and the note, for example '12: PDSA 1 started'.", row=i,
                              field="notes")
        p = int(pos)
        if not 1 <= p <= k:
            raise QIDataError(f"Notes, line {i}: there is no point {p}; the chart has points 1 "
                              f"to {k}.", row=i, field="notes")
        notes[p] = note.strip()
    return notes


class RunChartBuilder(StaticPreview, widgets.VBox):
    """Build a run chart from pasted or uploaded data, updating as you go.

    ``folder`` is where the Save buttons write (it can be changed in the widget); with
    ``root`` (as in the workshop dashboards) nothing is ever saved outside that folder.
    """

    def __init__(self, folder: str = ".", dpi: int = 80,
                 root: str | Path | None = None) -> None:
        self.dpi = dpi
        self.root = None if root is None else Path(root)
        self.table: pd.DataFrame | None = None  # the uploaded file, if any
        self.result = None  # the last SPCResult
        self.last_render_ms: float | None = None
        self.last_saved: Path | None = None
        self._busy = False

        self.paste = text_field("Paste your data (one value a line, or 'date, value')",
                                multiline=True, rows=8, placeholder="Jan 2025, 14\nFeb 2025, 11")
        self.upload = widgets.FileUpload(accept=".csv,.xlsx,.xlsm,.txt", multiple=False,
                                         description="Upload CSV or Excel")
        self.source = widgets.RadioButtons(options=[("Pasted values", "paste"),
                                                    ("Uploaded file", "file")], value="paste",
                                           description="Use data from", style=LABEL_STYLE)
        self.x_column = dropdown_field("Dates or labels (x axis)", [NO_X], value=NO_X)
        self.y_column = dropdown_field("Values to chart (y axis)", ["value"], value="value")
        self.freeze = widgets.BoundedIntText(
            value=0, min=0, max=100_000, description="Baseline: points used for the median "
            "(0 = all)", style=LABEL_STYLE, layout=widgets.Layout(width="auto"))
        self.rules = dropdown_field("Rules", [("Anhøj rules (qicharts2)", "anhoej"),
                                              ("IHI run chart rules", "ihi")], value="anhoej")
        self.target = text_field("Goal line (blank for none)", width="24em",
                                 placeholder="e.g. 90")
        self.chart_title = text_field("Chart title", value="Run chart")
        self.notes = text_field("Notes on points (point number: note)", multiline=True, rows=3,
                                placeholder="12: PDSA 1 started")
        self.messages = MessageArea()
        self.picture = widgets.HTML()
        self.explanation = widgets.HTML()
        self.folder = text_field("Save in folder", value=str(folder))
        self.file_name = text_field("File name (no extension)", value="run-chart", width="24em")
        self.save_png_button = button("Save chart (PNG)")
        self.save_svg_button = button("Save chart (SVG)")
        self.save_csv_button = button("Save data (CSV)")
        self.save_png_button.on_click(lambda _: self.save("png"))
        self.save_svg_button.on_click(lambda _: self.save("svg"))
        self.save_csv_button.on_click(lambda _: self.save("csv"))

        self._figure = Figure(figsize=(9, 4.5), dpi=dpi)
        FigureCanvasAgg(self._figure)

        self.upload.observe(self._on_upload, names="value")
        for control in (self.paste, self.source, self.x_column, self.y_column, self.freeze,
                        self.rules, self.target, self.chart_title, self.notes):
            control.observe(self.update, names="value")
        super().__init__([
            form(paragraph("Paste values or upload a file; the chart redraws as you change "
                           "anything."), self.paste, self.upload, self.source, self.x_column,
                 self.y_column, label="Your data"),
            form(self.freeze, self.rules, self.target, self.chart_title, self.notes,
                 label="Chart settings"),
            self.messages, self.picture, self.explanation,
            form(self.folder, self.file_name,
                 widgets.HBox([self.save_png_button, self.save_svg_button,
                               self.save_csv_button]), label="Save"),
        ])

    # ---- data ---------------------------------------------------------------------------------
    def _on_upload(self, change: dict[str, Any]) -> None:
        files = change["new"]
        if not files:
            return
        item = files[0]
        name = item.get("name", "upload")
        content = item.get("content", b"")
        try:
            if int(item.get("size") or 0) > MAX_UPLOAD_BYTES:
                raise QIDataError(f"{name!r} is {int(item['size']) / 1e6:.1f} MB; upload at "
                                  f"most {MAX_UPLOAD_BYTES / 1e6:g} MB and {MAX_POINTS:,} rows.",
                                  field="upload")
            content = content.tobytes() if isinstance(content, memoryview) else bytes(content)
            table = read_upload(name, content)
            numeric = numeric_columns(table)
            if table.empty:
                raise QIDataError(f"{name!r} has no rows of data.", field="upload")
            if not numeric:
                raise QIDataError(f"{name!r} has no column of numbers to chart (its columns are "
                                  f"{', '.join(map(str, table.columns))}). Check the file has "
                                  "a column of values.", field="upload")
        except QIDataError as exc:
            self.messages.error(str(exc))
            return
        self.table = table.rename(columns=str)
        # x: a column with a different value in every row (dates, weeks), text first
        unique = [c for c in self.table.columns if self.table[c].notna().all()
                  and self.table[c].is_unique]
        x_default = next((c for c in unique if c not in numeric),
                         next((c for c in unique if c != numeric[-1]), NO_X))
        y_default = next((c for c in reversed(numeric) if c != x_default), numeric[0])
        self._busy = True  # fill the dropdowns without redrawing each time
        try:
            self.x_column.options = [NO_X, *self.table.columns]
            self.x_column.value = x_default
            self.y_column.options = numeric
            self.y_column.value = y_default
            self.source.value = "file"
        finally:
            self._busy = False
        self.messages.info(f"Read {name!r}: {len(self.table)} rows; columns of numbers: "
                           f"{', '.join(numeric)}.")
        self.update()

    def _data(self) -> tuple[pd.DataFrame, str | None, str]:
        if self.source.value == "file":
            if self.table is None:
                raise QIDataError("No file has been uploaded yet: upload a CSV or Excel file, "
                                  "or choose 'Pasted values'.", field="upload")
            df = self.table
            y = self.y_column.value
            x = None if self.x_column.value in (None, NO_X) else self.x_column.value
            if y not in df.columns:
                raise QIDataError("Pick the column of values to chart.", field="y")
            if x == y:
                raise QIDataError("The x axis and the values are the same column: pick a "
                                  "different column for one of them.", field="x")
            _text_in_numbers(df, y)
            return df.assign(**{y: number_cells(df[y])}), x, y
        df = parse_pasted(self.paste.value)
        y = df.columns[-1]
        x = df.columns[0] if df.shape[1] == 2 else None
        return df, x, y

    def _target(self) -> float | None:
        text = read_text(self.target)
        if not text:
            return None
        value = _number(text)
        if value is None:
            raise QIDataError(f"Goal line: {text!r} is not a number. Type a number or leave it "
                              "blank.", field="target")
        return value

    def _compute(self):
        from .. import spc

        df, x, y = self._data()
        k = len(df)
        freeze = int(self.freeze.value) or None
        if freeze is not None and freeze > k:
            raise QIDataError(f"Baseline: {freeze} points asked for, but there are only {k}. "
                              "Use a smaller number or 0 for all points.", field="freeze")
        return spc(df, y=y, x=x, chart="run", freeze=freeze, rules=self.rules.value,
                   target=self._target(), title=read_text(self.chart_title) or None,
                   notes=_parse_notes(self.notes.value, k) or None), df, x, y

    # ---- drawing ------------------------------------------------------------------------------
    def update(self, _: Any = None) -> bool:
        """Recompute and redraw; on bad input show a message and keep everything entered."""
        if self._busy:
            return False
        start = time.perf_counter()
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", QIWarning)
                result, df, x, y = self._compute()
        except QIDataError as exc:  # say why, with any notes that explain it
            self.messages.error(str(exc), [str(w.message) for w in caught
                                           if issubclass(w.category, QIWarning)])
            return False
        fig = self._figure
        fig.clear()
        ax = fig.add_subplot()
        try:
            result.plot(ax=ax)
            fig.subplots_adjust(left=0.08, right=0.72, bottom=0.2, top=0.9)
            readable(fig)
            png = self._preview_png()
        except (ValueError, OverflowError, RuntimeError) as exc:
            fig.clear()
            self.messages.error(f"The chart could not be drawn ({exc}). Check the values, the "
                                "title and the notes.")
            return False
        alt = result.alt_text()
        data = base64.b64encode(png).decode("ascii")
        self.picture.value = (f'<figure class="qilab-figure qilab-chart" '
                              f'data-width-in="{fig.get_figwidth():g}" '
                              f'data-min-text-pt="{readable(fig):.2f}">'
                              f'<img src="data:image/png;base64,{data}" '
                              f'alt="{html.escape(alt, quote=True)}" '
                              'style="max-width:100%;height:auto" /></figure>')
        self.explanation.value = f"<p>{html.escape(result.explain())}</p>"
        self.result = result
        self._settings = {"x_name": x, "y_name": y}
        notices = [str(w.message) for w in caught if issubclass(w.category, QIWarning)]
        if notices:
            self.messages.warning(notices[0], notices[1:])
        elif self.messages.kind in ("error", "warning"):
            self.messages.clear()
        self.last_render_ms = (time.perf_counter() - start) * 1000
        return True

    def _preview_png(self) -> bytes:
        """Draw once and encode quickly (the on-screen picture; saved files use savefig)."""
        from PIL import Image

        canvas = self._figure.canvas
        canvas.draw()
        image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _render(self, fmt: str) -> bytes:
        buffer = io.BytesIO()
        self._figure.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else None,
                             bbox_inches="tight",
                             metadata={"Date": None} if fmt == "svg" else None)
        return buffer.getvalue()

    @property
    def value(self) -> dict[str, Any] | None:
        """The data and settings of the current chart as plain values (None if no chart)."""
        if self.result is None:
            return None
        pts = self.result.points
        xs = [v.isoformat() if hasattr(v, "isoformat") else (v.item() if hasattr(v, "item")
                                                              else v) for v in pts["x"]]
        return {"chart": "run", "rules": self.result.rules,
                "x_name": self._settings["x_name"], "y_name": self._settings["y_name"],
                "x": xs, "y": [float(v) for v in pts["y"]],
                "freeze": int(self.freeze.value) or None, "target": self.result.target,
                "title": self.result.title, "notes": {int(k): v for k, v in
                                                      self.result.notes.items()}}

    # ---- saving -------------------------------------------------------------------------------
    def save(self, kind: str) -> Path | None:
        """Save the chart ('png', 'svg') or its data ('csv') to the folder; returns the path."""
        from ..storage import atomic_write_bytes, atomic_write_text

        if self.result is None:
            self.messages.error("There is no chart to save yet: add some data first.")
            return None
        def write(path: Path) -> Path:
            if kind == "csv":
                return atomic_write_text(path, csv_safe(self.result.points).to_csv(index=False))
            return atomic_write_bytes(path, self._render(kind))

        saved = save_to_folder(self.messages, self.folder, self.file_name, kind, write,
                               example="falls-run-chart", root=self.root)
        if saved is not None:
            self.last_saved = saved
        return saved

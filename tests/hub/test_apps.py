"""The apps (apps/*.ipynb): every widget exercise of the book has one, and each only shows its
widget.

The hub opens an app with Voila, with no code, from the "Do this exercise" box
(book/_ext/qi_pages.py). These tests keep the apps in step with the book without building it:

- every widget a page of the book shows (a qilab widget with a static preview, called in a code
  cell of a page in _toc.yml) is shown by an app;
- an app holds a heading and imports and widget calls only: the logic stays in qilab;
- run as Voila runs it (its own folder as the working directory), each app shows the widgets
  it names and nothing raises.

The real app in a real browser on the hub is in test_hub_end_to_end.py.
"""
from __future__ import annotations

import ast
import contextlib
import json
import os
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from qi_pages import APPS, CODE_CELL, app_index, app_widgets, toc_tiers  # noqa: E402

APP_FILES = sorted(APPS.glob("*.ipynb"))


def exercise_widgets() -> dict[str, type]:
    """Every qilab widget class that has a static preview in the book, by name."""
    import qilab.widgets
    from qilab.widgets.static import StaticPreview

    for name in qilab.widgets.__all__:
        getattr(qilab.widgets, name)  # load each module, so its classes are known
    found: dict[str, type] = {}
    todo = list(StaticPreview.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__name__.startswith("_"):
            found[cls.__name__] = cls
    return found


def code_cells(text: str) -> list[str]:
    """The code of each ``{code-cell}`` of a MyST page."""
    cells, inside, lines = [], False, []
    for line in text.splitlines():
        if CODE_CELL.match(line):
            inside, lines = True, []
        elif inside and re.match(r"^(`{3,}|:{3,})\s*$", line):
            inside = False
            cells.append("\n".join(lines))
        elif inside:
            lines.append(line)
    return cells


def widgets_on_pages() -> dict[str, set[str]]:
    """widget class name -> the book pages whose code cells show it."""
    names = exercise_widgets()
    shown: dict[str, set[str]] = {}
    for page in toc_tiers(ROOT / "_toc.yml"):
        path = ROOT / f"{page}.md"
        if not path.is_file():
            continue
        for cell in code_cells(path.read_text(encoding="utf8")):
            for name in names:
                if re.search(rf"\b{name}\(", cell):
                    shown.setdefault(name, set()).add(page)
    return shown


def test_every_widget_page_has_an_app():
    shown = widgets_on_pages()
    # aim, measures, run chart, chart chooser, PDSA form and ramp, the five M2 builders
    assert len(shown) >= 11, shown
    apps = app_index()
    missing = {name: sorted(pages) for name, pages in shown.items() if name not in apps}
    assert not missing, (f"these widgets are shown in the book but no app in apps/ shows them "
                         f"(add one, see apps/README.md): {missing}")


def test_every_app_shows_a_widget_of_the_book():
    shown = widgets_on_pages()
    assert APP_FILES
    for app in APP_FILES:
        names = app_widgets(app)
        assert names, f"{app.name} shows no qilab widget"
        for name in names:
            assert name in shown, f"{app.name} shows {name}, which no page of the book shows"


@pytest.mark.parametrize("app", APP_FILES, ids=lambda p: p.stem)
def test_an_app_is_a_heading_and_widget_calls_only(app):
    """No logic in an app: imports, and calls of what they import; one heading first."""
    nb = json.loads(app.read_text(encoding="utf8"))
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown" and "".join(first["source"]).startswith("# "), (
        f"{app.name}: start with a markdown cell with the app's heading")
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{app.name}: outputs are committed"
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        imported = {a.asname or a.name for node in tree.body if isinstance(node, ast.ImportFrom)
                    for a in node.names}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom):
                assert (node.module or "").startswith("qilab"), (app.name, node.module)
                continue
            assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Call), (
                f"{app.name}: only imports and widget calls, not {ast.unparse(node)!r}")
            call = node.value
            assert isinstance(call.func, ast.Name) and call.func.id in imported, (
                f"{app.name}: {ast.unparse(call)} is not a call of an imported widget")
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                assert isinstance(arg, ast.Constant), (
                    f"{app.name}: widget arguments are plain values, not {ast.unparse(arg)}")


@contextlib.contextmanager
def _working_directory(path: Path):
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@pytest.mark.parametrize("app", APP_FILES, ids=lambda p: p.stem)
def test_an_app_shows_its_widgets(app, tmp_path):
    """Each code cell's last expression (what Voila displays) is the widget it names, built
    in the app's folder as Voila does (a copy here, so files the widget makes land in tmp)."""
    copy = tmp_path / app.name
    copy.write_text(app.read_text(encoding="utf8"), encoding="utf8")
    classes = exercise_widgets()
    shown = []
    with _working_directory(tmp_path):
        for cell in json.loads(copy.read_text(encoding="utf8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            tree = ast.parse("".join(cell["source"]))
            namespace: dict = {}
            exec(compile(ast.Module(tree.body[:-1], []), app.name, "exec"), namespace)
            shown.append(eval(compile(ast.Expression(tree.body[-1].value), app.name, "eval"),
                              namespace))
    assert [type(w).__name__ for w in shown] == app_widgets(app)
    for widget in shown:
        assert isinstance(widget, classes[type(widget).__name__])
        assert "application/vnd.jupyter.widget-view+json" in widget._repr_mimebundle_()

"""Helpers for building learners' submissions in the cohort tests."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import nbformat

HERE = Path(__file__).resolve().parent
FIXTURE_EXERCISES = HERE / "fixtures" / "exercises"


def edit_notebook(path: Path, edit: Callable[[nbformat.NotebookNode], None]) -> None:
    """Apply ``edit`` to the notebook at ``path`` and save it."""
    nb = nbformat.read(path, as_version=4)
    edit(nb)
    nbformat.write(nb, path)


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    """The cell whose nbgrader grade id is ``grade_id``."""
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(grade_id)


def make_submission(released: Path, dest: Path,
                    edit: Callable[[nbformat.NotebookNode], None] | None = None,
                    notebook: str | None = None) -> Path:
    """Copy the released assignment to ``dest`` and apply ``edit`` to its notebook."""
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(released, dest)
    if edit is not None:
        nb_path = dest / (notebook or next(p.name for p in dest.glob("*.ipynb")))
        edit_notebook(nb_path, edit)
    return dest

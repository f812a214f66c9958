"""Every module written to the page template (CONTRIBUTING.md) keeps to it, and every page of
the book is in the table of contents exactly once. (M1's template is checked in test_style.)"""
from __future__ import annotations

import re

import pytest

from ._pages import (
    ALL_PAGES,
    M0,
    M2,
    M3,
    M4,
    M5,
    M6,
    M7,
    M8,
    M9,
    M10,
    M11,
    M12,
    M13,
    M14,
    ROOT,
    code_cells,
    headings,
    read,
)

CLOSING_SECTIONS = ["Practice", "Check your understanding", "Apply it to your project",
                    "Further reading"]
MODULES = [M0, M2, M3, M4, M5, M6, M7, M8, M9, M10, M11, M12, M13, M14]


@pytest.mark.parametrize("folder", MODULES, ids=lambda f: f.name)
def test_module_follows_the_page_template(folder):
    body = read(folder / "overview.md").split("\n## ", 1)[0]
    positions = [body.find(label) for label in
                 ("**What you'll learn**", "**Who this is for**", "**Time**")]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    practice = read(folder / "practice.md")
    assert [h for h in headings(practice) if h in CLOSING_SECTIONS] == CLOSING_SECTIONS
    assert practice.count(":::{admonition} Solution\n:class: dropdown") >= 4
    assert practice.count(":::{admonition} Answer\n:class: dropdown") >= 6
    for page in folder.glob("*.md"):
        head = read(page).split("---")[1]
        for key in ("format_name: myst", "extension: .md", "name: python3"):
            assert key in head, f"{page.name}: jupytext header lacks {key!r}"


@pytest.mark.parametrize("folder", [m for m in MODULES if m != M9], ids=lambda f: f.name)
def test_code_solutions_are_tagged_and_collapsed(folder):
    solutions = [tags for tags, _ in code_cells(folder / "practice.md") if "solution" in tags]
    assert solutions, "the practice page has code solutions"
    assert all("hide-cell" in tags for tags in solutions)


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_page_is_in_the_table_of_contents_once(page):
    doc = page.relative_to(ROOT).with_suffix("").as_posix()
    toc = read(ROOT / "_toc.yml")
    assert len(re.findall(rf"file: {re.escape(doc)}\s*$", toc, re.M)) == 1, doc

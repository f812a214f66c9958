"""Shared helpers for the content tests: which pages this part of the book owns, and how to
strip MyST markup before checking prose."""
from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
M1 = ROOT / "modules" / "m1-model-for-improvement"
M0 = ROOT / "modules" / "m0-why-improve"
M2 = ROOT / "modules" / "m2-understanding-the-system"
M4 = ROOT / "modules" / "m4-measurement"
M5 = ROOT / "modules" / "m5-variation-and-run-charts"
M3 = ROOT / "modules" / "m3-driver-diagrams-and-evidence"
M6 = ROOT / "modules" / "m6-spc"
M7 = ROOT / "modules" / "m7-testing-changes-pdsa"
M8 = ROOT / "modules" / "m8-human-side-of-change"
M9 = ROOT / "modules" / "m9-co-production"
M12 = ROOT / "modules" / "m12-leading-and-sponsoring"
M13 = ROOT / "modules" / "m13-coaching-improvement-teams"
M10 = ROOT / "modules" / "m10-sustain-and-spread"
M11 = ROOT / "modules" / "m11-system-level-data"
M14 = ROOT / "modules" / "m14-telling-the-story"
COMMUNITY = ROOT / "book" / "community"

PATHWAYS = sorted((ROOT / "book" / "pathways").glob("*.md"))
RESOURCES = sorted((ROOT / "book" / "resources").glob("*.md"))
TRAINERS = sorted((ROOT / "book" / "trainers").glob("*.md"))
M1_PAGES = sorted(M1.glob("*.md"))
M0_PAGES = sorted(M0.glob("*.md"))
M2_PAGES = sorted(M2.glob("*.md"))
M4_PAGES = sorted(M4.glob("*.md"))
M5_PAGES = sorted(M5.glob("*.md"))
M3_PAGES = sorted(M3.glob("*.md"))
M6_PAGES = sorted(M6.glob("*.md"))
M7_PAGES = sorted(M7.glob("*.md"))
M8_PAGES = sorted(M8.glob("*.md"))
M9_PAGES = sorted(M9.glob("*.md"))
M12_PAGES = sorted(M12.glob("*.md"))
M13_PAGES = sorted(M13.glob("*.md"))
M10_PAGES = sorted(M10.glob("*.md"))
M11_PAGES = sorted(M11.glob("*.md"))
M14_PAGES = sorted(M14.glob("*.md"))
COMMUNITY_PAGES = sorted(COMMUNITY.glob("*.md"))
ALL_PAGES = (PATHWAYS + RESOURCES + TRAINERS + M1_PAGES + M0_PAGES + M2_PAGES + M4_PAGES
             + M5_PAGES + M6_PAGES + M7_PAGES + M9_PAGES + M12_PAGES + M13_PAGES
             + COMMUNITY_PAGES + M3_PAGES + M8_PAGES + M10_PAGES + M11_PAGES + M14_PAGES)

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_FENCE = re.compile(r"^(`{3,}|:{3,})\s*\{(code-cell|bibliography)\}.*?^\1\s*$", re.S | re.M)
_DIRECTIVE_LINE = re.compile(r"^\s*(`{3,}|:{3,}).*$", re.M)
_OPTION_LINE = re.compile(r"^\s*:[a-z-]+:.*$", re.M)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<https?://[^>]+>")
_ROLE = re.compile(r"\{[a-z:]+\}`[^`]*`")
_CODE = re.compile(r"`[^`]*`")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def prose(text: str) -> str:
    """The reader-facing words of a MyST page: no front matter, code cells, directive fences,
    citations, URLs or inline code. Headings and list items become sentences."""
    text = _FRONT_MATTER.sub("", text)
    text = _FENCE.sub("", text)
    text = _DIRECTIVE_LINE.sub("", text)
    text = _OPTION_LINE.sub("", text)
    text = _ROLE.sub("", text)
    text = _AUTOLINK.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub("", text)
    text = re.sub(r"^\|[-| ]+\|\s*$", "", text, flags=re.M)          # table rules
    text = re.sub(r"^#+\s*(.*)$", r"\1.", text, flags=re.M)          # headings
    text = re.sub(r"^\s*(?:[-*]|\d+\.)\s+(.*)$", r"\1.", text, flags=re.M)  # list items
    text = text.replace("|", " ").replace("**", "")
    text = re.sub(r"\.(\s*\.)+", ".", text)
    return text


def headings(text: str) -> list[str]:
    """Markdown headings outside code cells."""
    text = _FRONT_MATTER.sub("", text)
    text = _FENCE.sub("", text)
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6}\s+(.*)$", text, re.M)]


def code_cells(path: Path) -> list[tuple[list[str], str]]:
    """(tags, source) of each code cell of a MyST notebook, in order."""
    import jupytext

    nb = jupytext.read(path)
    return [(list(c.metadata.get("tags", [])), c.source) for c in nb.cells if c.cell_type == "code"]


def run_page(folder: Path, name: str) -> dict:
    """Run every code cell of a page in one namespace, in the page's folder, with warnings as
    errors (pages must run with no warnings); return the namespace the page leaves behind."""
    namespace: dict = {"__name__": "__page__"}
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            for _tags, source in code_cells(folder / name):
                exec(compile(source, name, "exec"), namespace)
    finally:
        os.chdir(cwd)
    return namespace

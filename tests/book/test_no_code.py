"""The built book asks no reader to read code, and no exercise looks live without being live.

Checks on the built HTML (no browser): code by tier, exercise previews and their "Do this
exercise" boxes, self-marking quizzes, explanations as prose, author-year citations, and the
how-to-use page's instructions. The browser side (the quizzes mark answers, buttons work, the
menu opens) is in tests/browser/test_devices.py.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from qi_pages import (  # noqa: E402 - the book's extension, found above
    WORKBOOK_TIERS,
    is_prose,
    retag,
    split_choices,
    tag_code_cells,
    toc_tiers,
)

pytestmark = pytest.mark.book

TIERS = toc_tiers(ROOT / "_toc.yml")
CONTROLS = re.compile(r"<(input|button|select|textarea)\b", re.I)
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def built(built_book: Path, name: str) -> str:
    return (built_book / f"{name}.html").read_text(encoding="utf8")


def article(html: str) -> str:
    match = re.search(r'<article class="bd-article"[^>]*>(.*?)</article>', html, re.S)
    return match.group(1) if match else ""


# --- the rules themselves ------------------------------------------------------------------

def test_code_cells_are_tagged_by_tier():
    assert retag([], aware=True) == ["remove-input"]
    assert retag(["hide-cell", "solution"], aware=True) == ["solution", "hide-output",
                                                            "remove-input"]
    assert retag([], aware=False) == ["hide-input"]
    assert retag(["hide-cell"], aware=False) == ["hide-cell"]
    page = "---\njupytext: {}\n---\n```{code-cell} ipython3\n:tags: [solution]\nx = 1\n```\n"
    assert ":tags: [solution, remove-input]" in tag_code_cells(page, aware=True)
    shown = "---\nqi_code: shown\n---\n```{code-cell} ipython3\nx = 1\n```\n"
    assert tag_code_cells(shown, aware=False) == shown


def test_quiz_choices_and_prose_are_recognised():
    assert split_choices("a) Cheap b) Timely c) Popular") == [
        ("a", "Cheap"), ("b", "Timely"), ("c", "Popular")]
    assert split_choices("The median of the data (or of the baseline points).") is None
    assert is_prose("This aim meets 1 of the 3 aim checks.\n- Focused on the system: yes.\n"
                    "Say how much you want to improve, as a number: for example 50%.")
    assert not is_prose(" rank worker  total_red\n    1  Ellie   34\n    2  Femi  41\n" * 3)


# --- the built book ------------------------------------------------------------------------

def test_aware_pages_show_no_code(built_book):
    aware = [name for name, tier in TIERS.items() if tier == "Aware"]
    assert len(aware) >= 8
    for name in aware:
        body = article(built(built_book, name))
        assert "cell_input" not in body, f"{name} (Aware) shows a code input"


def test_aware_tables_read_as_words(built_book):
    """Tables on Aware pages have no row-number column and no code names as headings."""
    tables = 0
    for name, tier in TIERS.items():
        if tier != "Aware":
            continue
        for table in re.findall(r"<table[\s\S]*?</table>", article(built(built_book, name))):
            tables += 1
            assert 'class="dataframe' not in table, f"{name}: a raw pandas table"
            for head in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S):
                text = re.sub(r"<[^>]+>", "", head).strip()
                assert text and "_" not in text, f"{name}: table heading {text!r}"
    assert tables >= 2


def test_other_pages_collapse_their_code(built_book):
    checked = 0
    for name, tier in TIERS.items():
        if tier == "Aware":
            continue
        body = article(built(built_book, name))
        # every code input is inside a closed <details> ("Show the code")
        for cell in re.findall(r'<div class="cell\b[^"]*"[^>]*>(.*?)<div class="cell_output',
                               body, re.S):
            if "cell_input" in cell:
                checked += 1
                assert re.search(r"<details[^>]*>\s*<summary>[\s\S]*?Show the code", cell), (
                    f"{name}: a code input is shown open")
    assert checked >= 30


def test_no_page_has_a_live_looking_widget(built_book):
    """Widgets are replaced by their previews; each preview has a "Do this exercise" box with
    the ways to do it, and no control that would need a kernel."""
    previews = 0
    for name in TIERS:
        body = article(built(built_book, name))
        assert WIDGET_VIEW not in body, f"{name} embeds a live widget view"
        found = re.findall(r'<div class="qi-exercise-preview"[\s\S]*?'
                           r'(?=<aside class="qi-do-exercise")(<aside[\s\S]*?</aside>)', body)
        assert body.count('class="qi-exercise-preview"') == len(found), (
            f"{name}: a preview without its Do this exercise box")
        for box in found:
            previews += 1
            assert "On your own computer" in box and "how-to-use.html#on-your-own-computer" in box
            if TIERS[name] in WORKBOOK_TIERS:
                assert re.search(r'href="[./]*_static/workbooks/\w+-workbook\.pdf"', box)
            else:  # a resource page, printed on its own (the coaching log)
                assert "print this page" in box
            assert "git-pull" not in box, "hub link shown although no hub is configured"
        for preview in re.findall(r'<div class="qi-exercise-preview"[\s\S]*?<aside', body):
            assert not CONTROLS.search(preview), f"{name}: a control in a static preview"
    # aim, 5 diagram builders, measures, run chart, chart chooser, PDSA form and ramps,
    # coaching log
    assert previews >= 9


def test_exercise_box_offers_the_hub_only_when_configured():
    from qi_pages import exercise_box

    hub = "https://hub.example.org/hub/user-redirect/git-pull?repo=x&urlpath=lab/tree/x/p.md"
    with_hub = exercise_box("modules/m1/aim-builder", "Foundation", hub, "Testshire")
    assert 'href="https://hub.example.org/hub/user-redirect/git-pull?repo=x&amp;' in with_hub
    assert "Testshire" in with_hub
    without = exercise_box("modules/m1/aim-builder", "Foundation", "", "Testshire")
    assert "hub" not in without.lower()
    assert 'href="../../_static/workbooks/foundation-workbook.pdf"' in without


def test_fixture_book_exercise_links_to_its_hub(fixture_book):
    """With a hub configured (the rebranded test book), the box carries an nbgitpuller link
    that opens the widget's app (apps/aim-builder.ipynb) in Voila on that hub."""
    page = (fixture_book / "tests/fixtures/book/widgets.html").read_text(encoding="utf8")
    assert "Reduce falls" in page, "the aim builder's preview shows the page's own example"
    box = re.search(r'<aside class="qi-do-exercise"[\s\S]*?</aside>', page).group(0)
    assert re.search(r'href="https://hub\.example\.org/hub/user-redirect/git-pull\?', box)
    assert "urlpath=voila%2Frender%2Fqi-exercises%2Fapps%2Faim-builder.ipynb" in box


def test_multiple_choice_questions_mark_themselves(built_book):
    """Every module's quiz question with choices is a jupyterquiz question; none is left as
    self-marked text; the answer stays below it."""
    quizzes = 0
    for name in TIERS:
        if not name.startswith("modules/"):
            continue
        body = article(built(built_book, name))
        # an answer opens with its letter in bold ("**b)** Why ..."): that is not a choice
        answers = re.sub(r"<strong>[a-e]\)</strong>", " ", body)
        text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", answers,
                                              flags=re.S))
        left = re.findall(r"\ba\) [^<]{1,120}? b\) ", text)
        assert not left, f"{name}: choices left as text: {left[:2]}"
        count = len(re.findall(r'<div class="qi-quiz">', body))
        quizzes += count
        assert len(re.findall(r"var questionsqiquiz\w+=", body)) == count
    assert quizzes >= 15


def test_explanations_read_as_prose(built_book):
    body = article(built(built_book, "modules/m0-why-improve/red-beads"))
    assert 'class="qi-prose-output' in body
    assert "management_says" not in body and "total_red" not in body


def test_citations_are_author_year(built_book):
    body = article(built(built_book, "modules/m0-why-improve/practice"))
    assert "InstituteoMedicine" not in body
    assert re.search(r">Deming, 1986<", body)
    refs = article(built(built_book, "book/resources/references"))
    assert "Deming 1986" in re.sub(r"<[^>]+>", "", refs)


def test_how_to_use_instructions_exist(built_book):
    """What how-to-use tells a reader to do is there: `make lab`, the workbooks it links (made
    by `make print`), and no launch button promised when there is none."""
    html = built(built_book, "book/how-to-use")
    text = " ".join(re.sub(r"<[^>]+>", "", article(html)).split())
    makefile = (ROOT / "Makefile").read_text(encoding="utf8")
    assert "make lab" in text and re.search(r"^lab:", makefile, re.M)
    for tier in ("aware", "foundation", "practitioner", "coach", "leaders"):
        assert f'href="../_static/workbooks/{tier}-workbook.pdf"' in html
    assert "Jupytext Notebook" in text and "Run All Cells" in text
    assert "{{" not in text and "Get the course files from the" in text

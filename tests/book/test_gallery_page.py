"""The book's project gallery is built with the book from the made-up programme: it shows the
projects whose leads consented, says it is a demonstration, and nothing of the other projects
reaches the page or the search index."""
from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from qilab.programme.synthetic import DEMO_PROJECTS

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.book

SHARED = (2, 3, 4, 6, 7, 8)  # the made-up leads of projects 1, 5 and 9 did not consent


def search_terms(built_book, docname: str) -> set[str]:
    """The (stemmed) words the book's search index holds for one page."""
    import json

    text = (built_book / "searchindex.js").read_text("utf8")
    index = json.loads(text[text.index("(") + 1:text.rindex(")")])
    doc = index["docnames"].index(docname)
    found = set()
    for term, docs in {**index["terms"], **index["titleterms"]}.items():
        docs = docs if isinstance(docs, list) else [docs]
        if doc in docs:
            found.add(term)
    return found


def stems(text: str) -> set[str]:
    from sphinx.search.en import SearchEnglish

    stemmer = SearchEnglish({})
    return {stemmer.stem(w) for w in re.findall(r"[a-z]{4,}", text.lower())}


def test_gallery_page_shows_consenting_projects_only(built_book):
    page = html.unescape((built_book / "book/community/project-gallery.html").read_text("utf8"))
    assert "This gallery is a demonstration." in page
    assert len(re.findall(r'<img src="data:image/png;base64,[^"]+" alt="This ', page)) == 6
    for number, (title, measure) in enumerate(DEMO_PROJECTS, start=1):
        shown = number in SHARED
        assert (f"<h3>{title}</h3>" in page) == shown, title
        assert (f"{title}: {measure}" in page) == shown, title  # the chart's alt text
        if not shown:
            assert title not in page and measure not in page and f"PRJ-{number:02d}" not in page
    for label in ("Signal of improvement", "No signal yet", "Signal of concern"):
        assert f"<strong>{label}</strong>" in page


def test_unshared_projects_are_not_in_the_search_index(built_book):
    terms = search_terms(built_book, "book/community/project-gallery")
    shared = set().union(*(stems(" ".join(DEMO_PROJECTS[k - 1])) for k in SHARED))
    unshared = set().union(*(stems(" ".join(DEMO_PROJECTS[k - 1])) for k in (1, 5, 9)))
    written = (ROOT / "book/community/project-gallery.md").read_text("utf8")
    only_unshared = unshared - shared - stems(written)  # words the page's own text uses
    assert {"physiotherapi", "injuri"} <= only_unshared
    assert not only_unshared & terms, sorted(only_unshared & terms)
    # the shared projects' words are indexed, so the test above could fail
    assert {"malnutrit", "noon"} <= terms


def test_a_storyboard_link_opens_the_example_storyboard_in_the_built_book(built_book, tmp_path):
    from qilab.programme.gallery import DEMO_STORYBOARD_PROJECT
    from qilab.reports.project import example_project, read_project

    page_path = built_book / "book/community/project-gallery.html"
    page = page_path.read_text("utf8")
    links = re.findall(r'<a href="([^"]+)">Storyboard for ([^<]+)</a>', page)
    title = DEMO_PROJECTS[int(DEMO_STORYBOARD_PROJECT.removeprefix("PRJ-")) - 1][0]
    assert [html.unescape(name) for _, name in links] == [title]
    assert page.index("<h3>") == page.index(f"<h3>{title}</h3>")  # the first entry, as it says
    target = (page_path.parent / links[0][0]).resolve()
    assert target.is_relative_to(built_book.resolve()) and target.is_file()
    story = target.read_text("utf8")
    alt = read_project(example_project(tmp_path / "oak")).chart().alt_text()
    assert html.escape(alt, quote=True) in story and "<h1>Fewer falls at Oak House</h1>" in story

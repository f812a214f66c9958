"""House style for the pathway, M1, resources and trainers pages (see CONTRIBUTING.md):
sentence-case headings, British spelling, acronyms spelled out on first use, working links,
and the module page template."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from ._pages import ALL_PAGES, M1, M1_PAGES, PATHWAYS, ROOT, headings, prose, read

# Words that keep their capital letter inside a sentence-case heading: acronyms, the tier names
# (proper nouns in this curriculum), and names of places and bodies.
PROPER_WORDS = {
    "QI", "PDSA", "PDSA:", "NHS", "IHI", "HRA", "QIKAT-R", "SPC", "GP", "RAG", "XmR",
    "Aware", "Foundation", "Practitioner", "Coach", "Leaders",
    "England", "Ward", "Oak", "House", "I", "Pareto", "A3", "A3s",
    "Anhøj", "Millbrook", "Surgery", "Mr", "Potato", "Head", "Arnstein's", "NIHR",
    # control chart names (M6) and the people they are named after
    "P", "U", "G", "T", "P′", "U′", "Laney's",
    # months (M13's monthly progress reviews)
    "April", "May", "June", "July", "August", "September", "October",
    # M3: the PICO question
    "PICO",
    # M11: business intelligence (BI) extracts
    "BI",
}
# Multi-word proper names, removed before the word check.
PROPER_PHRASES = ("Model for Improvement", "Making Data Count", "Sustainability Model")

# US spellings to reject; "program" is allowed only as "computer program".
US_SPELLINGS = re.compile(
    r"\b(colou?r(?<!colour)s?|colored|organizations?|organize[sd]?|organizing|behaviors?|"
    r"centers?|centered|analyze[sd]?|analyzing|optimize[sd]?|optimizing|prioritize[sd]?|"
    r"recognize[sd]?|minimize[sd]?|summarize[sd]?|standardize[sd]?|favorite|labor|catalog|"
    r"pediatric|hematology|anemia|anesthesia|gynecology|fetus|esophagus|tumor|"
    r"(?<!computer )programs?)\b", re.I)

ACRONYMS = {
    "QI": "quality improvement",
    "PDSA": "plan, do, study, act",
    "SPC": "statistical process control",
    "HRA": "Health Research Authority",
    "IHI": "Institute for Healthcare Improvement",
    "QIKAT-R": "Quality Improvement Knowledge Application Tool Revised",
    "RAG": "red, amber",
}

CLOSING_SECTIONS = ["Practice", "Check your understanding", "Apply it to your project",
                    "Further reading"]


def _ids(pages):
    return [str(p.relative_to(ROOT)) for p in pages]


def test_pages_found():
    assert len(PATHWAYS) == 5
    assert len(M1_PAGES) >= 8


@pytest.mark.parametrize("page", ALL_PAGES, ids=_ids(ALL_PAGES))
def test_headings_are_sentence_case(page: Path):
    for heading in headings(read(page)):
        text = heading
        for phrase in PROPER_PHRASES:
            text = text.replace(phrase, "")
        words = re.sub(r"^\d+\.\s*", "", text).split()
        for i, word in enumerate(words):
            bare = word.strip("()\"'“”‘’,.:;?!")
            if i == 0 or not bare or not bare[0].isupper() or bare in PROPER_WORDS:
                continue
            # a capital straight after a colon or a question mark starts a new clause
            if words[i - 1].endswith((":", "?")) and i > 0:
                continue
            if bare.isdigit():
                continue
            pytest.fail(f"{page.name}: heading {heading!r} is not in sentence case ({bare!r})")


@pytest.mark.parametrize("page", ALL_PAGES, ids=_ids(ALL_PAGES))
def test_british_spelling(page: Path):
    found = sorted({m.group(0) for m in US_SPELLINGS.finditer(prose(read(page)))
                    if m.group(0).lower() != "colour" and m.group(0).lower() != "colours"})
    assert not found, f"{page.name}: US spellings {found}; use British spelling"


def test_spelling_checker_catches_us_spellings():
    text = "The organization will analyze color. The program runs. A computer program is fine."
    assert {m.group(0) for m in US_SPELLINGS.finditer(text)} == {"organization", "analyze",
                                                                 "color", "program"}
    assert not US_SPELLINGS.search("The colour of the organisation's centre programme.")


@pytest.mark.parametrize("page", [p for p in ALL_PAGES if p.name not in ("glossary.md", "references.md")],
                         ids=_ids([p for p in ALL_PAGES if p.name not in ("glossary.md", "references.md")]))
def test_acronyms_spelled_out_on_first_use(page: Path):
    text = prose(read(page))
    body = "\n".join(line for line in text.splitlines())
    for acronym, expansion in ACRONYMS.items():
        first = re.search(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", body)
        if not first:
            continue
        before = body[max(0, first.start() - 120):first.start()]
        assert before.endswith("(") and expansion.lower() in before.lower(), (
            f"{page.name}: first use of {acronym} is not spelled out as "
            f"'{expansion} ({acronym})'")


# Control limits are 3 sigma, with sigma from the moving ranges (or subgroups), never "three
# standard deviations" of all the data: the misconception Making Data Count warns against. A page
# may name the mistake to correct it ("not 3 standard deviations", or in quotes), never state it.
STANDARD_DEVIATIONS = re.compile(r"\b(?:three|3)\s+(?:standard\s+deviations?|SDs?)\b", re.I)


def misuses_of_standard_deviations(text: str) -> list[str]:
    """Each "three standard deviations" in the text that is not a quoted or negated mention."""
    found = []
    for m in STANDARD_DEVIATIONS.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        quoted = before.endswith(("\"", "“", "'", "‘"))
        negated = re.search(r"\b(not|never|rather than|instead of)\b[^.]*$", before, re.I)
        if not (quoted or negated):
            found.append(text[max(0, m.start() - 60):m.end() + 20].replace("\n", " "))
    return found


BOOK_PAGES = sorted(set(ALL_PAGES) | {p for p in (ROOT / "book").rglob("*.md")
                                        if "vendor" not in p.parts}
                    | set((ROOT / "modules").rglob("*.md")))


@pytest.mark.parametrize("page", BOOK_PAGES, ids=_ids(BOOK_PAGES))
def test_control_limits_are_not_defined_as_standard_deviations(page: Path):
    assert not misuses_of_standard_deviations(prose(read(page))), (
        f"{page.name}: control limits are 3 sigma, with sigma estimated from the moving ranges "
        "or subgroups, not 3 standard deviations of all the data")


def test_standard_deviation_check_catches_the_definition():
    assert misuses_of_standard_deviations(
        "Lines on a control chart, usually three standard deviations either side of the centre.")
    assert misuses_of_standard_deviations("Limits sit 3 SD from the mean.")
    assert not misuses_of_standard_deviations(
        "Control limits are not three standard deviations of all the data.")
    assert not misuses_of_standard_deviations('People often say "3 standard deviations".')
    assert not misuses_of_standard_deviations("Limits are 3 sigma from the centre line.")


_LINK = re.compile(r"\]\(([^)#]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", ALL_PAGES, ids=_ids(ALL_PAGES))
def test_relative_links_resolve(page: Path):
    for target in _LINK.findall(read(page)):
        if re.match(r"[a-z]+:", target):
            continue
        assert (page.parent / target).resolve().exists(), f"{page.name}: broken link {target}"


@pytest.mark.parametrize("page", PATHWAYS, ids=_ids(PATHWAYS))
def test_pathway_pages_have_their_sections(page: Path):
    found = [h.lower() for h in headings(read(page))]
    for section in ("who this is for", "time", "what you will be able to do", "the modules",
                    "how it is certified", "how to start"):
        assert section in found, f"{page.name} has no '{section}' section"
    assert "coming soon" not in read(page).lower()


def test_m1_overview_opens_with_the_template():
    text = read(M1 / "overview.md")
    body = text.split("\n## ", 1)[0]
    positions = [body.find(label) for label in
                 ("**What you'll learn**", "**Who this is for**", "**Time**")]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)
    for tier in ("Aware", "Foundation", "Practitioner"):
        assert tier in body


def test_m1_ends_with_the_template_sections():
    # the closing sections are on the module's last page, in the template's order
    found = headings(read(M1 / "practice.md"))
    top = [h for h in found if h in CLOSING_SECTIONS]
    assert top == CLOSING_SECTIONS


def test_m1_practice_solutions_are_collapsed():
    text = read(M1 / "practice.md")
    solutions = re.findall(r":::\{admonition\} (Solution|Answer)\n:class: dropdown", text)
    assert text.count(":::{admonition} Solution") == len([s for s in solutions if s == "Solution"]) >= 5
    assert text.count(":::{admonition} Answer") == len([s for s in solutions if s == "Answer"]) >= 6


def test_m1_pages_are_myst_notebooks():
    for page in M1_PAGES:
        head = read(page).split("---")[1]
        for key in ("format_name: myst", "extension: .md", "name: python3",
                    "display_name: Python 3", "language: python"):
            assert key in head, f"{page.name}: jupytext header lacks {key!r}"


def test_further_reading_cites_known_keys():
    bib = read(ROOT / "book" / "references.bib")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    for page in ALL_PAGES:
        for group in re.findall(r"\{cite:p\}`([^`]+)`", read(page)):
            for key in group.split(","):
                assert key.strip() in keys, f"{page.name}: unknown citation key {key}"


def test_only_one_bibliography_directive():
    pages = [p for p in ALL_PAGES if "{bibliography}" in read(p)]
    assert [p.name for p in pages] == ["references.md"]

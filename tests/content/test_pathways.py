"""Each pathway's time is the sum of the times of the pages it asks for, stated the same on the
pathway page, the home page and the trainers' cohort guide; each module's time is the sum of its
pages; the order a pathway gives agrees with the book's navigation; and the rule for moving
between tiers is stated once."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from ._pages import PATHWAYS, ROOT, read

BOOK = ROOT / "book"
INDEX = BOOK / "index.md"
COHORT = BOOK / "trainers" / "running-a-cohort.md"
TOC = yaml.safe_load(read(ROOT / "_toc.yml"))
TIERS = ["aware", "foundation", "practitioner", "coach", "leaders"]
# Time spent on things that are not pages, which a pathway counts in its total
QUIZ_MINUTES = {"aware": 10}


def duration(words: str) -> int:
    """Minutes in '1 hour 20 minutes', '6 hours', '45 minutes'."""
    m = re.fullmatch(r"(?:(\d+) hours?)?\s*(?:(\d+) minutes)?", words.strip())
    assert m and any(m.groups()), f"not a duration: {words!r}"
    return int(m.group(1) or 0) * 60 + int(m.group(2) or 0)


def words(minutes: int) -> str:
    """The way the pages write a duration: '1 hour 20 minutes'."""
    hours, mins = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    return " ".join(parts + ([f"{mins} minutes"] if mins else []))


def toc_files() -> list[str]:
    """Every file of the book in navigation (Next button) order, with its part's caption."""
    out = []

    def walk(entries, caption):
        for entry in entries:
            out.append((entry["file"], caption))
            walk(entry.get("sections", []), caption)

    for part in TOC["parts"]:
        walk(part["chapters"], part["caption"])
    return out


def module_pages(overview: str) -> list[str]:
    for part in TOC["parts"]:
        for chapter in part["chapters"]:
            if chapter["file"] == overview:
                return [s["file"] for s in chapter.get("sections", [])]
    raise AssertionError(f"{overview} is not a module in the table of contents")


def page_minutes(doc: str) -> int:
    """A page's time on your own, from its Time label ('about 30 minutes in a group, 15 minutes
    on your own' is 15; a module overview gives the module's total)."""
    label = re.search(r"\*\*Time\*\*: (.*)", read(ROOT / f"{doc}.md")).group(1)
    own = re.search(r"(\d+) minutes (?:to read|on your own)", label)
    if own:
        return int(own.group(1))
    return duration(re.search(r"about ((?:\d+ hours? ?)?(?:\d+ minutes)?)", label).group(1))


def section(text: str, heading: str) -> str:
    return re.search(rf"^## {heading}\n(.*?)(?=^## |\Z)", text, re.M | re.S).group(1)


_ITEM = re.compile(r"\[[^\]]*\]\(((?:\.\./)+modules/[^)]+)\.md\)(: all its pages)?(?: \(([^)]*)\))?")


def listed(tier: str) -> list[tuple[str, int, bool]]:
    """(document, minutes, core) for every page or whole module the pathway lists."""
    page = BOOK / "pathways" / f"{tier}.md"
    items = []
    for line in section(read(page), "The modules").splitlines():
        optional = "If you have time" in line
        for target, whole, stated in _ITEM.findall(line):
            doc = (page.parent / target).resolve().relative_to(ROOT).as_posix()
            if doc.endswith("/overview") and not whole:
                continue                     # the module's heading, not a page to read
            minutes = (sum(page_minutes(p) for p in module_pages(doc)) if whole
                       else page_minutes(doc))
            assert stated, f"{tier}: {doc} has no time after it"
            assert duration(stated) == minutes, (
                f"{tier}: {doc} is listed as {stated}; its own page says {words(minutes)}")
            items.append((doc, minutes, not optional))
    return items


def total(tier: str) -> int:
    return sum(m for _, m, core in listed(tier) if core) + QUIZ_MINUTES.get(tier, 0)


def test_duration_words_round_trip():
    assert [duration(words(m)) for m in (10, 60, 80, 360, 825)] == [10, 60, 80, 360, 825]
    assert words(80) == "1 hour 20 minutes" and words(360) == "6 hours"


@pytest.mark.parametrize("module", [c["file"] for p in TOC["parts"] for c in p["chapters"]
                                    if c["file"].startswith("modules/")])
def test_module_time_is_the_sum_of_its_pages(module):
    pages = module_pages(module)
    assert pages and all("**Time**" in read(ROOT / f"{p}.md") for p in pages)
    assert page_minutes(module) == sum(page_minutes(p) for p in pages), (
        f"{module} says {words(page_minutes(module))}; its pages add up to "
        f"{words(sum(page_minutes(p) for p in pages))}")


@pytest.mark.parametrize("tier", TIERS)
def test_pathway_time_is_the_sum_of_its_pages(tier):
    text = read(BOOK / "pathways" / f"{tier}.md")
    time = section(text, "Time")
    pages = sum(m for _, m, core in listed(tier) if core)
    assert pages > 0
    assert re.search(rf"pages listed below take about {words(pages)}[.,]", time), (
        f"{tier}: its core pages add up to {words(pages)}; the Time section says otherwise")
    if tier in QUIZ_MINUTES:
        assert f"the quiz about {words(QUIZ_MINUTES[tier])}" in time
        assert time.strip().startswith(f"About {words(total(tier))}.")


@pytest.mark.parametrize("tier", TIERS)
def test_home_page_and_cohort_guide_give_the_pathways_time(tier):
    home = read(INDEX)
    row = re.search(rf"\{{doc\}}`\w+ <pathways/{tier}>`\n(?:  - .*\n)", home).group(0)
    time = re.findall(r"^  - (.*)$", home[home.index(row):], re.M)[1]
    cohort = next(line for line in read(COHORT).splitlines()
                  if f"(../pathways/{tier}.md)" in line).split("|")[3]
    for where, said in (("home page", time), ("cohort guide", cohort)):
        if tier in ("aware", "foundation"):
            assert f"bout {words(total(tier))}" in said, f"{where}: {tier} time {said!r}"
        else:
            assert f"about {words(total(tier))} of pages" in said, f"{where}: {said!r}"


@pytest.mark.parametrize("tier", TIERS)
def test_pathways_cite_the_dosing_sources(tier):
    text = read(BOOK / "pathways" / f"{tier}.md")
    assert "{cite:p}`lloyd2017dosing,nhsi2017dosing`" in text


# ---- routes: one rule, and the order agrees with the navigation --------------------------

RULE = "Start with the tier that fits your role. You do not need to finish an earlier tier first"


def test_the_rule_for_moving_between_tiers_is_stated_once():
    assert read(INDEX).count(RULE) == 1
    everywhere = [p for p in PATHWAYS + [INDEX] + sorted((BOOK / "trainers").glob("*.md"))]
    for page in everywhere:
        text = read(page)
        # the contradiction this replaced: "each tier builds on the ones before it" on the home
        # page against "you do not need to have done the Aware pathway first" on Foundation's
        assert not re.search(r"builds on the ones? before|do not need to have done", text,
                             re.I), page.name


@pytest.mark.parametrize("tier", ["aware", "foundation"])
def test_pathway_order_agrees_with_the_navigation(tier):
    order = [f for f, _ in toc_files()]
    docs = [doc for doc, _, core in listed(tier) if core]
    positions = [order.index(doc) for doc in docs]
    assert positions == sorted(positions), f"{tier}: core pages listed out of the book's order"
    # the Next button from the pathway page goes to the first of the pathway's own modules
    here = order.index(f"book/pathways/{tier}")
    caption = dict(toc_files())[f"book/pathways/{tier}"]
    own = [d for d in docs if dict(toc_files())[d] == caption]
    next_module = order[here + 1]
    assert own and module_of(own[0]) == next_module
    # and "How to start" starts with the first module listed, and names the Next page
    start = section(read(BOOK / "pathways" / f"{tier}.md"), "How to start")
    first_link = re.search(r"\]\(((?:\.\./)+modules/[^)]+)\.md\)", start).group(1)
    first = (BOOK / "pathways" / first_link).resolve().relative_to(ROOT).as_posix()
    assert first == module_of(docs[0])
    assert "the next page after this one" in start
    link_to_next = f"../../{next_module}.md"
    assert link_to_next in start, f"{tier}: How to start does not name the next page"


def module_of(doc: str) -> str:
    return str(Path(doc).parent / "overview")


def test_aware_starts_where_its_list_and_the_next_button_start():
    start = section(read(BOOK / "pathways" / "aware.md"), "How to start")
    assert "Start with [the Model for Improvement]" not in start


@pytest.mark.parametrize("tier", TIERS)
def test_every_module_a_pathway_names_is_a_link_to_a_page_that_exists(tier):
    page = BOOK / "pathways" / f"{tier}.md"
    items = [line for line in section(read(page), "The modules").splitlines()
             if re.match(r"\d+\. ", line)]
    assert items, f"{tier}: no numbered modules under 'The modules'"
    for line in items:
        link = re.match(r"\d+\. \[[^\]]+\]\(([^)]+\.md)\)", line)
        assert link, f"{tier}: this module is named but not linked: {line!r}"
        target = (page.parent / link.group(1)).resolve()
        assert target.is_file(), f"{tier}: {line!r} links to {target}, which does not exist"

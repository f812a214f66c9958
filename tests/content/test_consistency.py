"""What one page says must agree with what the others say: the model measures of M1 and M4, the
adopt/adapt/abandon decisions of M7, the indicators and sources the pages quote."""
from __future__ import annotations

import re

import pytest

from ._pages import ALL_PAGES, M1, M4, M7, ROOT, prose, read, run_page

BIB = ROOT / "book" / "references.bib"


def _bib_entry(key: str) -> str:
    text = read(BIB)
    start = text.index(f"{{{key},")
    return text[start:text.find("\n}", start)]


# ---- the model measures (M1 worked example, M4 pages and practice) --------------------------

@pytest.fixture(scope="module")
def definitions() -> dict[str, list]:
    """Every MeasureDefinition the M4 pages build, by page, including those inside plans."""
    import qilab
    from qilab.tools.measures import MeasurementPlan

    found: dict[str, list] = {}
    for name in ("operational-definitions.md", "data-plans.md", "practice.md"):
        defs = []
        for value in run_page(M4, name).values():
            if isinstance(value, qilab.MeasureDefinition):
                defs.append(value)
            elif isinstance(value, MeasurementPlan):
                defs.extend(value.measures)
        found[name] = defs
    return found


def test_a_denominator_covers_the_same_people_as_the_inclusions(definitions):
    # a denominator of "all admissions" with only patients aged 65 and over included is the
    # contradiction this guards against
    for page, defs in definitions.items():
        for d in defs:
            age = re.search(r"aged (\d+) or over", d.inclusions or "")
            if age and d.denominator:
                assert f"aged {age.group(1)} or over" in d.denominator, (
                    f"{page}: {d.name!r} includes only people aged {age.group(1)} or over, "
                    f"but its denominator is {d.denominator!r}")
                assert not d.denominator.lower().startswith("all ")


def test_one_measure_has_one_kind_on_every_page(definitions):
    kinds: dict[str, set[tuple[str, str]]] = {}
    for page, defs in definitions.items():
        for d in defs:
            kinds.setdefault(d.name, set()).add((d.kind, page))
    for name, seen in kinds.items():
        assert len({kind for kind, _ in seen}) == 1, f"{name!r} has different kinds: {seen}"
    # the community team's measure is what its aim is about (M4 practice exercise 1)
    assert {k for k, _ in kinds["Percentage of new referrals seen within 5 working days"]} == {
        "outcome"}
    assert "moves the measure" not in read(M4 / "practice.md")


def test_m1_worked_example_uses_m4s_balancing_measure(definitions):
    balancing = [d for d in definitions["data-plans.md"] if d.kind == "balancing"]
    assert len(balancing) == 1
    line = next(line for line in read(M1 / "worked-example.md").splitlines()
                if "Balancing measure:" in line)
    assert balancing[0].name.lower() in line.lower()
    assert "5 admissions a week" in balancing[0].frequency and "5 admissions a week" in line
    assert "first admission on each" in line and "weekday day shift" in line
    # and the process measure is about the same people as M4's definition
    process = next(line for line in read(M1 / "worked-example.md").splitlines()
                   if "Process measure:" in line)
    assert "aged 65 or over" in process


# ---- adopt, adapt or abandon: M7's meanings everywhere -------------------------------------

def _m7_definition(word: str) -> str:
    text = read(M7 / "pdsa-cycles.md")
    return re.search(rf"^- \*\*{word}\*\*: (.*)$", text, re.M).group(1)


def test_m7_defines_adopt_as_keep_and_test_more_widely():
    assert "test it in new conditions or at a larger scale" in _m7_definition("Adopt")
    assert "Change it and test again" in _m7_definition("Adapt")


def test_glossary_uses_m7s_meanings():
    glossary = read(ROOT / "book" / "resources" / "glossary.md")
    entry = glossary[glossary.index("Adopt, adapt or abandon\n"):]
    entry = entry[:entry.index("\n\n")]
    assert "test it in new conditions or at a larger scale" in entry
    assert "change it and test again" in entry


def _decisions(page) -> list[str]:
    """The decision column (the last) of each PDSA table on a page."""
    rows = []
    for line in read(page).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) >= 4 and re.match(r"(Adopt|Adapt|Abandon)",
                                                                 cells[-1]):
            rows.append(cells[-1])
    return rows


def test_m1_ramp_decisions_follow_m7():
    # cycle 2 met its prediction (3 of 3 completed) and moves on to nights: that is adopt
    assert _decisions(M1 / "changes-and-pdsa.md") == [
        "Adapt: reword the question.", "Adopt: test on nights.",
        "Adapt: keep forms with the falls kit.", "Adopt, and keep measuring."]
    assert [d.split(":")[0].split(",")[0] for d in _decisions(M1 / "worked-example.md")] == [
        "Adapt", "Adopt", "Adopt"]


@pytest.mark.parametrize("page", ALL_PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_scaling_up_a_working_change_is_never_called_adapt(page):
    # M7: testing a change that worked in new conditions or at a larger scale is adopt
    bad = re.findall(r"\badapt(?:ed)?\s*[:;,]\s*(?:test|try|spread|roll)\s+(?:it\s+)?"
                     r"(?:on|in|at|with|across)\b", prose(read(page)), re.I)
    assert not bad, f"{page.name}: {bad}: scaling up a change that worked is 'adopt' (M7)"


# ---- indicators and sources ------------------------------------------------------------------

def test_reablement_indicator_is_stated_as_ascof_defines_it():
    text = read(M1 / "measures.md")
    line = next(line for line in text.splitlines() if "91 days" in line)
    for words in ("older people (aged 65 and over)", "still at home 91 days after discharge "
                  "from hospital into reablement or rehabilitation services",
                  "2B(1) of the Adult Social Care Outcomes Framework",
                  "{cite:p}`nhsd_ascof2b1`"):
        assert words in line
    entry = _bib_entry("nhsd_ascof2b1")
    assert "https://digital.nhs.uk/" in entry and "91 days" in entry


def test_citations_are_complete():
    taylor = _bib_entry("taylor2014pdsa")
    for field in ("volume  = {23}", "number  = {4}", "pages   = {290--298}"):
        assert field in taylor
    assert "url          = {https://" in _bib_entry("nihr2022paymentpublic")
    assert "http://" not in read(BIB), "every link in the references uses https"
    lloyd = _bib_entry("lloyd2017dosing")
    assert "Lloyd, Robert" in lloyd and "dosing approach" in lloyd and "{2017}" in lloyd
    nhsi = _bib_entry("nhsi2017dosing")
    assert "{NHS Improvement}" in nhsi and "embedding quality improvement skills" in nhsi


@pytest.mark.parametrize("key, page", [
    ("ackermann2011stakeholders", ROOT / "modules" / "m2-understanding-the-system"
     / "stakeholders.md"),
    ("scie2022coproduction", ROOT / "modules" / "m9-co-production" / "overview.md"),
    ("scie2022coproduction", ROOT / "book" / "community" / "involving-patients-and-carers.md"),
])
def test_grid_and_co_production_definitions_are_cited_where_used(key, page):
    assert f"`{key}`" in read(page)

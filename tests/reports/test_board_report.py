"""The Making Data Count board report, made from the public A&E data as a trust would make it.

One call turns the BI extract into HTML and a PDF printed by the real browser. For every
indicator the icons and the plain-English line agree with qilab.mdc run on its own; sections
come in board-pack order; charts have alt text and icons have words; the PDF has a front page
and one page per section.
"""
from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

import qilab
from qilab.charts.mdc import _ASSURANCE_ICON, _variation_icon
from qilab.reports.board import BoardIndicator, board_report

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "ae_attendances_england.csv"
CHROMIUM = Path("/usr/bin/chromium")
BREACHES = "type 1 breaches of the 4-hour standard"
ATTENDANCES = "attendances (all types)"
SPECS = [
    BoardIndicator(BREACHES, "Responsive: the A&E 4-hour standard", "decrease", 1000,
                   "1,000 a month, a made-up ambition for this test"),
    BoardIndicator(ATTENDANCES, "Activity: demand for A&E", "neutral"),
]
TITLE = "A&E board report, March 2019"
SOURCE = "NHS England, A&E Attendances and Emergency Admissions (via NHSRdatasets)"


def in_ci() -> bool:
    import os

    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not CHROMIUM.exists():
        if in_ci():
            pytest.fail("chromium is missing in CI: the board report PDF must be printed")
        pytest.skip("chromium is missing: the PDF cannot be printed outside CI")
    out = tmp_path_factory.mktemp("board") / "board-report.html"
    return board_report(DATA, SPECS, title=TITLE, source=SOURCE, out=out,
                        on=date(2026, 12, 5), pdf=True)


class _Tags(HTMLParser):
    """Headings, images and icons of the report, in document order."""

    def __init__(self):
        super().__init__()
        self.items: list[tuple[str, dict, str]] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, dict(attrs), ""))
        if tag in ("h2", "h3"):
            self._open = tag

    def handle_data(self, data):
        if self._open:
            tag, attrs, text = self.items[-1]
            self.items[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None


def tags(html_text: str) -> list[tuple[str, dict, str]]:
    parser = _Tags()
    parser.feed(html_text)
    return parser.items


def test_icons_and_statements_agree_with_mdc_for_every_indicator(report):
    measures = qilab.read_measures(DATA)
    seen = 0
    for spec in SPECS:
        rows = measures[measures["indicator"] == spec.indicator].rename(
            columns={"value": spec.indicator})
        res = qilab.mdc(rows, spec.indicator, "period", facet="organisation",
                        improvement_direction=spec.improvement_direction, target=spec.target)
        for _, want in res.summary.iterrows():
            got = report.rows[(report.rows["indicator"] == spec.indicator)
                              & (report.rows["organisation"] == want["facet"])].iloc[0]
            assert got["variation"] == want["variation"]
            assert (pd.isna(got["assurance"]) and pd.isna(want["assurance"])
                    or got["assurance"] == want["assurance"])
            assert got["latest"] == want["latest"] and got["upl"] == want["upl"]
            letter = _variation_icon(want["variation"], spec.improvement_direction)[0]
            assert got["variation_icon"] == letter
            explained = res.explain(facet=want["facet"])
            assert got["statement"].startswith("The latest point")
            parts = re.split(r"(?<=\.) (?=The )", got["statement"])
            assert all(part in explained for part in parts)
            assert len(parts) == (1 if pd.isna(want["target"]) else 2)
            # the HTML shows the same icon, in words as well as the letter
            article = report.html.split(f"{spec.indicator}: {want['facet']}</h3>")[1]
            article = article.split("</article>")[0]
            meaning = _variation_icon(want["variation"], spec.improvement_direction)[2]
            assert f'aria-label="Variation: {meaning}"' in article
            assert f">{letter}</text>" in article
            if not pd.isna(want["assurance"]):
                assert f'aria-label="Assurance: {_ASSURANCE_ICON[want["assurance"]][2]}"' \
                    in article
            seen += 1
    assert seen == len(report.rows) == 3


def test_the_ae_data_reads_as_the_module_says(report):
    """The facts M12 and the Leaders session teach from this report."""
    by_org = report.rows.set_index("organisation")
    assert by_org.loc["RQM", "variation"] == "common_cause"
    assert by_org.loc["RQM", "assurance"] == "inconsistent"
    assert by_org.loc["RRK", "variation"] == "special_cause_concern"
    assert by_org.loc["RRK", "variation_icon"] == "H"      # high is a concern: lower is better
    assert by_org.loc["RRK", "assurance"] == "consistent_fail"
    assert by_org.loc["All organisations", "variation"] == "common_cause"
    assert pd.isna(by_org.loc["All organisations", "assurance"])  # neutral: no assurance


def test_sections_come_in_board_pack_order_with_date_and_source(report):
    items = tags(report.html)
    h2 = [t for tag, _, t in items if tag == "h2"]
    assert h2 == ["How to read the icons", "Summary", SPECS[0].section, SPECS[1].section]
    h3 = [t for tag, _, t in items if tag == "h3"]
    assert h3 == [f"{BREACHES}: RQM", f"{BREACHES}: RRK", f"{ATTENDANCES}: All organisations"]
    assert "April 2016 to March 2019" in report.html
    assert html.escape(SOURCE) in report.html
    assert "1,000 a month, a made-up ambition" in report.html


def test_every_chart_has_alt_text_and_no_icon_is_colour_only(report):
    items = tags(report.html)
    imgs = [a for tag, a, _ in items if tag == "img"]
    assert len(imgs) == 3
    assert all(a["alt"].startswith("Making Data Count chart of ") for a in imgs)
    svgs = [a for tag, a, _ in items if tag == "svg"]
    assert svgs and all(a.get("role") == "img" and a.get("aria-label") for a in svgs)
    texts = re.findall(r'<text [^>]*>([^<]*)</text>', report.html)
    assert len(texts) == len(svgs) and all(texts)           # every icon carries a letter


def pdftotext(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_pdf_has_a_front_page_and_a_page_per_section(report):
    pdf = report.pdf_path
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))
    assert pages == 3
    if shutil.which("pdftotext") is None:
        if in_ci():
            pytest.fail("pdftotext is missing in CI (.ci/run installs poppler-utils)")
        pytest.skip("pdftotext (poppler-utils) is missing: page contents not checked")
    front, first, second = (" ".join(pdftotext(pdf, n).split()) for n in (1, 2, 3))
    assert TITLE in front and "Source:" in front and "latest month: March 2019" in front
    assert "How to read the icons" in front and "Summary" in front
    assert SPECS[0].section in first and "RQM" in first and "RRK" in first
    assert "above the upper process limit of 4,594" in first
    assert SPECS[1].section in second and "All organisations" in second
    assert "RRK" not in second


def test_every_indicator_in_the_data_must_be_placed():
    with pytest.raises(qilab.QIDataError, match="attendances \\(all types\\)"):
        board_report(DATA, SPECS[:1], title=TITLE, source=SOURCE)
    with pytest.raises(qilab.QIDataError, match="'bed occupancy' is not in the data"):
        board_report(DATA, [*SPECS, BoardIndicator("bed occupancy", "Flow", "decrease")],
                     title=TITLE, source=SOURCE)


def test_report_passes_axe(report, chromium_page, axe_source, serve):
    page, watch = chromium_page
    server = serve(report.html_path.parent)
    page.goto(server.url(report.html_path.name))
    page.evaluate(axe_source)
    violations = page.evaluate("""async () => (await axe.run(document, {runOnly: {type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id)""")
    assert violations == []
    assert watch.js_errors == [] and watch.third_party == []


def test_docstring_examples_run():
    import doctest

    import qilab.reports.board as board

    result = doctest.testmod(board, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2 and result.failed == 0


def test_rag_table_rates_only_the_latest_month_against_the_target(report):
    rag = report.rag(amber_within=0.10).set_index("organisation")
    assert rag.loc["RQM", "rating"] == "red"             # 1,116 against 1,000: 11.6% over
    assert report.rag(amber_within=0.12).set_index("organisation").loc["RQM", "rating"] \
        == "amber"
    assert rag.loc["RQM", "change"] == 1116 - 1774         # the two-point comparison
    assert rag.loc["All organisations", "rating"] == "no target"
    with pytest.raises(qilab.QIDataError, match="amber_within"):
        report.rag(amber_within=10)

"""Printing: each cheat sheet fits one A4 page, with the navigation left off, and `make print`
(book/print.py) makes an A4 workbook PDF per tier with the real browser."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.browser

CHEAT_SHEETS = sorted(
    f"book/resources/{name}.html" for name in (
        "cheat-sheet-model-for-improvement", "cheat-sheet-run-charts", "cheat-sheet-measures",
        "cheat-sheet-process-maps-fishbones"))


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF: its page objects (not the /Pages tree nodes)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_pdf_page_count_can_fail():
    assert pdf_pages(b"<< /Type /Pages >> << /Type /Page >> << /Type /Page >>") == 2


@pytest.mark.parametrize("relative", CHEAT_SHEETS)
def test_cheat_sheet_prints_on_one_a4_page(relative, built_book, book_server, chromium_page):
    page, _ = chromium_page
    assert (built_book / relative).exists(), f"{relative} was not built"
    page.goto(book_server.url(relative), wait_until="load")
    page.emulate_media(media="print")
    assert not page.locator(".bd-sidebar-primary").is_visible(), "navigation would be printed"
    pages = pdf_pages(page.pdf(format="A4", print_background=False))
    assert pages == 1, f"{relative} prints on {pages} A4 pages; a cheat sheet must fit on one"


def test_helicopter_template_prints_on_one_a4_page_at_actual_size(built_book, book_server,
                                                                   chromium_page):
    page, _ = chromium_page
    relative = "book/trainers/paper-helicopter-template.html"
    assert (built_book / relative).exists(), f"{relative} was not built"
    page.goto(book_server.url(relative), wait_until="load")
    page.emulate_media(media="print")
    image = page.locator("img[src$='paper-helicopter-template.svg']")
    # CSS millimetres are printed millimetres: 150 mm wide is 150 * 96 / 25.4 CSS pixels
    box = image.bounding_box()
    assert box and abs(box["width"] - 150 * 96 / 25.4) < 1, f"printed {box} not at 150 mm"
    assert pdf_pages(page.pdf(format="A4", print_background=False)) == 1


@pytest.fixture(scope="module")
def workbooks(built_book):
    """``make print``'s step (book/print.py) run on the built book: tier -> PDF path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("qi_print", ROOT / "book" / "print.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    # as `make print` runs it (its own browser, so not inside this session's Playwright)
    done = subprocess.run([sys.executable, str(ROOT / "book" / "print.py"), "--html",
                           str(built_book)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return module, {tier: built_book / module.OUT / f"{module.workbook_name(tier)}.pdf"
                    for tier in module.TIERS}


@pytest.mark.parametrize("tier", ["Aware", "Foundation", "Practitioner", "Coach", "Leaders"])
def test_each_tier_has_a_printed_a4_workbook(tier, workbooks, built_book):
    module, pdfs = workbooks
    pdf = pdfs[tier].read_bytes()
    assert pdf.startswith(b"%PDF"), f"{tier}: not a PDF"
    pages = module.tier_pages()[tier]
    # a cover, at least a sheet a page, and the sheets: PDSA form, run chart paper, ...
    assert pdf_pages(pdf) >= len(pages) + len(module.TIER_SHEETS.get(tier, module.ALL_SHEETS))
    # A4 (595 × 842 points)
    assert re.search(rb"/MediaBox\s*\[\s*0 0 59[45]\.?\d* 84[12]\.?\d*\s*\]", pdf), tier
    source = pdfs[tier].with_suffix(".html").read_text(encoding="utf8")
    for page in pages:
        title = re.search(r"<h1[^>]*>(.*?)</h1>",
                          (built_book / f"{page}.html").read_text(encoding="utf8"), re.S)
        assert title and re.sub(r"<[^>]+>", "", title.group(1)).replace("#", "").strip() in (
            re.sub(r"<[^>]+>", "", source)), f"{tier} workbook lacks {page}"
    wanted = module.TIER_SHEETS.get(tier, module.ALL_SHEETS)
    for sheet in wanted:
        assert f'id="{sheet}"' in source, f"{tier} workbook lacks the {sheet} sheet"
    if tier == "Foundation":
        for sheet in ("pdsa-form", "run-chart-paper", "driver-diagram-template",
                      "fishbone-template", "tally-sheet"):
            assert sheet in wanted
        # the self-checks keep the ids their scripts draw them into
        assert re.search(r'<div id="qiquiz[a-z]+" data-shufflequestions', source)
        # the run chart paper's limits are the book's own (qilab's Anhøj rules)
        assert "<td>24</td><td>8</td><td>8</td>" in source

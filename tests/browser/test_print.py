"""Each cheat sheet prints on one A4 page, with the navigation left off."""
from __future__ import annotations

import re

import pytest

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

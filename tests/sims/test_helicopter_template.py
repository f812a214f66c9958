"""The printable paper helicopter template: true sizes, cut and fold lines, and the book's copy
is the one the code draws."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from qilab import QIDataError
from qilab.sims.helicopter import Design
from qilab.sims.helicopter_template import (
    BOOK_DESIGNS,
    FOOT_MM,
    STRIP_WIDTH_MM,
    size_mm,
    template_svg,
)

BOOK_COPY = Path(__file__).resolve().parents[2] / "book" / "trainers" / "paper-helicopter-template.svg"
NS = "{http://www.w3.org/2000/svg}"


def test_the_books_template_is_the_one_the_code_draws():
    # regenerate with: python -m qilab.sims.helicopter_template book/trainers/paper-helicopter-template.svg
    assert BOOK_COPY.read_text(encoding="utf-8") == template_svg(BOOK_DESIGNS)


def test_sizes_are_true_millimetres_and_fit_a4():
    root = ET.fromstring(template_svg(BOOK_DESIGNS))
    width, height = size_mm(BOOK_DESIGNS)
    assert root.get("width") == f"{width}mm" and root.get("height") == f"{height}mm"
    assert root.get("viewBox") == f"0 0 {width} {height}"   # one unit is one millimetre
    # A4 is 210 x 297 mm; the print margins are 12 mm and 10 mm, and the title needs room
    assert width <= 210 - 2 * 12 and height <= 297 - 2 * 10 - 30
    strips = [r for r in root.iter(f"{NS}rect") if r.get("fill") == "none"]
    assert [float(r.get("width")) for r in strips] == [STRIP_WIDTH_MM] * 2
    assert [float(r.get("height")) for r in strips] == [
        10 * d.rotor_length_cm + 10 * d.body_length_cm + 2 * FOOT_MM for d in BOOK_DESIGNS]


def test_cut_lines_are_solid_and_fold_lines_dashed():
    root = ET.fromstring(template_svg(Design(7, 7)))
    lines = list(root.iter(f"{NS}line"))
    dashed = [ln for ln in lines if ln.get("stroke-dasharray")]
    # key (1) + across the rotor (1) + the body's two sides (2) + two foot folds (2)
    assert len(dashed) == 6
    # the rotor cut runs down the middle for the rotor's full length
    middle = [ln for ln in lines if ln.get("x1") == ln.get("x2") == str(15 + 25)
              and not ln.get("stroke-dasharray")]
    assert len(middle) == 1
    assert float(middle[0].get("y2")) - float(middle[0].get("y1")) == 70
    scale = [ln for ln in lines if float(ln.get("x2")) - float(ln.get("x1")) == 100]
    assert len(scale) == 1, "a 100 mm scale bar"
    text = " ".join(t.text or "" for t in root.iter(f"{NS}text"))
    assert "Solid line: cut" in text and "Dashed line: fold" in text
    assert "Rotor 70 mm, body 70 mm" in text


def test_it_has_a_text_alternative():
    svg = template_svg(BOOK_DESIGNS)
    assert 'role="img"' in svg and "<title" in svg
    desc = re.search(r"<desc[^>]*>(.*)</desc>", svg).group(1)
    assert "rotor 70 mm and body 70 mm" in desc and "rotor 100 mm and body 60 mm" in desc


def test_designs_that_will_not_fit_one_page_are_refused():
    with pytest.raises(QIDataError, match="one A4 page") as info:
        template_svg([Design(14, 12)])
    assert info.value.field == "designs"
    with pytest.raises(QIDataError, match="one A4 page"):
        template_svg([Design()] * 4)
    with pytest.raises(QIDataError, match="designs"):
        template_svg(["not a design"])

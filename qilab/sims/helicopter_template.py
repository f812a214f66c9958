"""A printable paper helicopter template: cut and fold lines at true size, as an SVG.

The shapes follow the settings of :class:`qilab.sims.helicopter.Design`, so the helicopter a
team builds in the room is the one they can test in the simulation: a strip 50 mm wide, with

* the **rotor** at the top (``rotor_length_cm``), cut down the middle into two blades, which
  are folded one forwards and one backwards;
* the **body** (``body_length_cm``), whose two sides are cut in 12.5 mm at the top and folded in
  along the dashed lines, so that the body is 25 mm wide;
* the **foot**: two 10 mm strips below the body, folded up once for each fold in the design
  (``folds``, 0 to 2; cut off what is not used), where the paper clips go.

Solid lines are cut lines and dashed lines are fold lines (the line style, not colour, carries
the meaning, so it prints in black and white). One SVG unit is one millimetre and the SVG says
its size in millimetres, so printed at 100% (actual size) every length is true; a 100 mm scale
bar lets the printer check.

>>> from qilab.sims.helicopter import Design
>>> svg = template_svg([Design(7, 7)])
>>> svg.startswith("<svg") and 'width="80mm"' in svg and "Rotor 70 mm" in svg
True
>>> size_mm([Design(7, 7), Design(10, 6)])
(150, 234)
"""
from __future__ import annotations

import sys
from collections.abc import Sequence
from html import escape
from pathlib import Path

from ..errors import QIDataError
from .helicopter import Design

__all__ = ["STRIP_WIDTH_MM", "FOOT_MM", "BOOK_DESIGNS", "template_svg", "size_mm",
           "write_template"]

#: Width of the paper strip; each rotor blade is half of it.
STRIP_WIDTH_MM = 50
#: Each of the two foot strips below the body.
FOOT_MM = 10
_MARGIN = 15        # left, right and between helicopters
_TOP = 14           # room for each helicopter's heading
_BOTTOM = 40        # room for the key and the scale bar
_GAP = 20           # between helicopters
_MAX_MM = (180, 240)  # what fits on A4 with the page's title and a few lines of text

_CUT = 'stroke="#000" stroke-width="0.6" fill="none"'
_FOLD = 'stroke="#000" stroke-width="0.4" stroke-dasharray="3 2" fill="none"'
_TEXT = 'font-family="sans-serif" fill="#000"'


def _designs(designs: Sequence[Design] | Design | None) -> list[Design]:
    if designs is None:
        return [Design()]
    if isinstance(designs, Design):
        return [designs]
    items = list(designs)
    if not items or not all(isinstance(d, Design) for d in items):
        raise QIDataError("Give one or more helicopter designs (qilab.sims.helicopter.Design).",
                          field="designs")
    return items


def _length(design: Design) -> float:
    return 10 * design.rotor_length_cm + 10 * design.body_length_cm + 2 * FOOT_MM


def size_mm(designs: Sequence[Design] | Design | None = None) -> tuple[int, int]:
    """Width and height in millimetres of the template sheet for these designs.

    >>> size_mm(Design(7, 7))
    (80, 214)
    """
    ds = _designs(designs)
    width = 2 * _MARGIN + len(ds) * STRIP_WIDTH_MM + (len(ds) - 1) * _GAP
    height = _TOP + max(_length(d) for d in ds) + _BOTTOM
    return int(round(width)), int(round(height))


def _mm(value: float) -> str:
    return f"{value:g}"


def _one(design: Design, x: float, y: float) -> list[str]:
    """The cut and fold lines of one helicopter, its top left corner at (x, y)."""
    w, half, quarter = STRIP_WIDTH_MM, STRIP_WIDTH_MM / 2, STRIP_WIDTH_MM / 4
    rotor, body = 10 * design.rotor_length_cm, 10 * design.body_length_cm
    top_body, foot = y + rotor, y + rotor + body
    bottom = foot + 2 * FOOT_MM
    r, b = _mm(rotor), _mm(body)
    heading = f"Rotor {r} mm, body {b} mm"
    out = [f'<text x="{_mm(x + half)}" y="{_mm(y - 9)}" font-size="4" font-weight="bold" '
           f'text-anchor="middle" {_TEXT}>{escape(heading)}</text>',
           f'<text x="{_mm(x + half)}" y="{_mm(y - 4)}" font-size="3.2" text-anchor="middle" '
           f'{_TEXT}>{design.paper_clips} paper clip{"s" if design.paper_clips != 1 else ""}, '
           f'{design.folds} fold{"s" if design.folds != 1 else ""} at the foot</text>',
           # the outline of the strip is cut
           f'<rect x="{_mm(x)}" y="{_mm(y)}" width="{_mm(w)}" height="{_mm(bottom - y)}" '
           f'{_CUT}/>',
           # rotor: cut down the middle; each blade folds across at the top of the body
           f'<line x1="{_mm(x + half)}" y1="{_mm(y)}" x2="{_mm(x + half)}" '
           f'y2="{_mm(top_body)}" {_CUT}/>',
           f'<line x1="{_mm(x)}" y1="{_mm(top_body)}" x2="{_mm(x + w)}" y2="{_mm(top_body)}" '
           f'{_FOLD}/>',
           # body: a cut in from each side at its top, and the sides fold in
           f'<line x1="{_mm(x)}" y1="{_mm(top_body + 0.8)}" x2="{_mm(x + quarter)}" '
           f'y2="{_mm(top_body + 0.8)}" {_CUT}/>',
           f'<line x1="{_mm(x + w - quarter)}" y1="{_mm(top_body + 0.8)}" x2="{_mm(x + w)}" '
           f'y2="{_mm(top_body + 0.8)}" {_CUT}/>']
    for fx in (x + quarter, x + w - quarter):
        out.append(f'<line x1="{_mm(fx)}" y1="{_mm(top_body + 0.8)}" x2="{_mm(fx)}" '
                   f'y2="{_mm(bottom)}" {_FOLD}/>')
    # foot: two strips that fold up
    for k in (0, 1):
        fy = foot + k * FOOT_MM
        out.append(f'<line x1="{_mm(x + quarter)}" y1="{_mm(fy)}" x2="{_mm(x + w - quarter)}" '
                   f'y2="{_mm(fy)}" {_FOLD}/>')
    small = f'font-size="3" text-anchor="middle" {_TEXT}'
    out += [f'<text x="{_mm(x + quarter)}" y="{_mm(y + rotor / 2)}" {small}>Blade A</text>',
            f'<text x="{_mm(x + quarter)}" y="{_mm(y + rotor / 2 + 4)}" {small}>fold forwards'
            f'</text>',
            f'<text x="{_mm(x + w - quarter)}" y="{_mm(y + rotor / 2)}" {small}>Blade B</text>',
            f'<text x="{_mm(x + w - quarter)}" y="{_mm(y + rotor / 2 + 4)}" {small}>fold back'
            f'</text>',
            f'<text x="{_mm(x + half)}" y="{_mm(top_body + body / 2 - 2)}" {small}>Body</text>',
            f'<text x="{_mm(x + half)}" y="{_mm(top_body + body / 2 + 2)}" {small}>{b} mm'
            f'</text>',
            f'<text x="{_mm(x + quarter / 2)}" y="{_mm(top_body + body / 2)}" font-size="2.6" '
            f'text-anchor="middle" {_TEXT}>fold in</text>',
            f'<text x="{_mm(x + w - quarter / 2)}" y="{_mm(top_body + body / 2)}" '
            f'font-size="2.6" text-anchor="middle" {_TEXT}>fold in</text>',
            f'<text x="{_mm(x + half)}" y="{_mm(foot + 6.5)}" {small}>foot fold 1</text>',
            f'<text x="{_mm(x + half)}" y="{_mm(foot + FOOT_MM + 6.5)}" {small}>foot fold 2'
            f'</text>']
    # rotor length marks every centimetre, so a team can trim the blades by a known amount
    for cm in range(1, int(design.rotor_length_cm)):
        ty = top_body - 10 * cm
        out.append(f'<line x1="{_mm(x + half - 1.5)}" y1="{_mm(ty)}" x2="{_mm(x + half + 1.5)}" '
                   f'y2="{_mm(ty)}" stroke="#000" stroke-width="0.3"/>')
    return out


def template_svg(designs: Sequence[Design] | Design | None = None) -> str:
    """An SVG sheet of paper helicopter templates, one a design, at true size in millimetres.

    It fits on one A4 page with a title and a few lines of text: at most two or three
    helicopters, and a rotor and body of 20 cm between them (a :class:`qilab.QIDataError`
    says so otherwise).

    >>> "stroke-dasharray" in template_svg()  # fold lines are dashed
    True
    """
    ds = _designs(designs)
    width, height = size_mm(ds)
    if width > _MAX_MM[0] or height > _MAX_MM[1]:
        raise QIDataError(f"These designs make a sheet {width} by {height} mm, which will not "
                          f"print on one A4 page (at most {_MAX_MM[0]} by {_MAX_MM[1]} mm): use "
                          "fewer designs, or a shorter rotor and body.", field="designs")
    names = "; ".join(f"rotor {_mm(10 * d.rotor_length_cm)} mm and body "
                      f"{_mm(10 * d.body_length_cm)} mm" for d in ds)
    desc = (f"Paper helicopter templates at actual size, on a strip {STRIP_WIDTH_MM} mm wide: "
            f"{names}. Solid lines are cut lines; dashed lines are fold lines. Each rotor is cut "
            "down the middle into two blades, folded one forwards and one back; the body's "
            "sides are cut in at the top and folded in; the foot folds up and holds the paper "
            "clips. A scale bar 100 mm long checks the printed size.")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}mm" height="{height}mm" '
             f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="title desc">',
             '<title id="title">Paper helicopter template</title>',
             f'<desc id="desc">{escape(desc)}</desc>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>']
    for i, design in enumerate(ds):
        parts += _one(design, _MARGIN + i * (STRIP_WIDTH_MM + _GAP), _TOP)
    key_y = height - _BOTTOM + 8
    parts += [f'<line x1="{_MARGIN}" y1="{key_y}" x2="{_MARGIN + 15}" y2="{key_y}" {_CUT}/>',
              f'<text x="{_MARGIN + 18}" y="{key_y + 1.2}" font-size="3.5" {_TEXT}>'
              'Solid line: cut</text>',
              f'<line x1="{_MARGIN}" y1="{key_y + 7}" x2="{_MARGIN + 15}" y2="{key_y + 7}" '
              f'{_FOLD}/>',
              f'<text x="{_MARGIN + 18}" y="{key_y + 8.2}" font-size="3.5" {_TEXT}>'
              'Dashed line: fold</text>',
              f'<text x="{_MARGIN}" y="{key_y + 14}" font-size="3.2" {_TEXT}>Marks on the '
              'rotor cut are 1 cm apart. Paper clips go on the foot.</text>',
              f'<text x="{_MARGIN}" y="{key_y + 18.5}" font-size="3.2" {_TEXT}>Fold the foot '
              'up once for each fold; cut off foot strips you do not use.</text>']
    bar_y = key_y + 24
    parts += [f'<line x1="{_MARGIN}" y1="{bar_y}" x2="{_MARGIN + 100}" y2="{bar_y}" '
              'stroke="#000" stroke-width="0.6"/>']
    for cm in range(11):
        tick = 3 if cm % 5 == 0 else 1.5
        parts.append(f'<line x1="{_MARGIN + 10 * cm}" y1="{bar_y - tick}" '
                     f'x2="{_MARGIN + 10 * cm}" y2="{bar_y}" stroke="#000" '
                     'stroke-width="0.4"/>')
    parts += [f'<text x="{_MARGIN}" y="{bar_y + 5}" font-size="3.2" {_TEXT}>This bar is 100 mm '
              'long when printed at actual size (100%).</text>', "</svg>"]
    return "\n".join(parts) + "\n"


def write_template(path: str | Path, designs: Sequence[Design] | Design | None = None) -> Path:
    """Write :func:`template_svg` to ``path`` (atomically) and return the path."""
    from ..storage import atomic_write_text

    return atomic_write_text(path, template_svg(designs))


#: The two designs on the book's printable template: the simulation's starting design and
#: one with a longer rotor and a shorter body, so teams start from two different points.
BOOK_DESIGNS = (Design(7, 7, paper_clips=1, folds=0), Design(10, 6, paper_clips=1, folds=1))


if __name__ == "__main__":  # python -m qilab.sims.helicopter_template book/trainers/....svg
    print(write_template(sys.argv[1], BOOK_DESIGNS))

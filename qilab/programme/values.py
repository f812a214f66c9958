"""Reading one spreadsheet cell: UK dates, yes/no, whole numbers, scores and choices.

Each reader returns the value, or records a problem naming the file, row and column and
returns ``None``; the importer reports every problem at the end and writes nothing.

>>> parse_date("31/01/2025"), parse_date("2025-01-31"), parse_date("1/2/2025")
(datetime.date(2025, 1, 31), datetime.date(2025, 1, 31), datetime.date(2025, 2, 1))
>>> parse_date("01/31/2025")
Traceback (most recent call last):
...
ValueError: '01/31/2025' is not a date: write dates as dd/mm/yyyy (UK order), e.g. 31/01/2025
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from .models import TIERS

_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")
_MONTH = re.compile(r"^(\d{1,2})/(\d{4})$|^(\d{4})-(\d{2})$")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0"}
TIER_NAMES = {**{t: t for t in TIERS}, "bronze": "foundation", "silver": "practitioner",
              "gold": "coach", "board": "leaders", "leader": "leaders"}
SECTOR_NAMES = {"nhs": "nhs", "social care": "social care", "adult social care": "social care",
                "council": "council", "local authority": "council", "voluntary": "voluntary",
                "vcse": "voluntary", "voluntary sector": "voluntary", "charity": "voluntary",
                "other": "other"}


def blank(value: Any) -> bool:
    """True for an empty cell."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: Any) -> date:
    """A date from dd/mm/yyyy, yyyy-mm-dd or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    match = _UK.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise ValueError(f"{text!r} is not a date: write dates as dd/mm/yyyy (UK order), "
                     "e.g. 31/01/2025")


def parse_month(value: Any) -> date:
    """The first day of a month from mm/yyyy, yyyy-mm or any date in the month."""
    text = value if isinstance(value, (date, datetime)) else str(value).strip()
    match = _MONTH.match(text) if isinstance(text, str) else None
    if match:
        year, month = (int(match[2]), int(match[1])) if match[1] else (int(match[3]),
                                                                         int(match[4]))
        if 1 <= month <= 12:
            return date(year, month, 1)
    try:
        return parse_date(value).replace(day=1)
    except ValueError:
        raise ValueError(f"{str(value).strip()!r} is not a month: write mm/yyyy, e.g. "
                         "03/2025") from None


def parse_bool(value: Any) -> bool:
    """yes/no, y/n, true/false or 1/0."""
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"{str(value).strip()!r} is not yes or no: write yes or no")


def parse_int(value: Any, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high``."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if number != number or number != int(number) or not low <= number <= high:
        raise ValueError(f"{str(value).strip()!r} is not a whole number from {low} to {high}")
    return int(number)


def parse_number(value: Any) -> float:
    """Any finite number."""
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        number = float("nan")
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{str(value).strip()!r} is not a number")
    return number


def parse_progress(value: Any) -> float:
    """A progress score from 0.5 to 5 in half steps."""
    try:
        number = float(str(value).strip())
    except ValueError:
        number = float("nan")
    if not (0.5 <= number <= 5 and (number * 2) == int(number * 2)):
        raise ValueError(f"{str(value).strip()!r} is not a progress score: use 0.5 to 5 in "
                         "half steps (0.5, 1, 1.5 ... 5)")
    return number


def parse_choice(value: Any, names: dict[str, str], what: str) -> str:
    """One of ``names`` (keys are accepted spellings, values the stored name)."""
    text = " ".join(str(value).strip().casefold().split())
    if text in names:
        return names[text]
    raise ValueError(f"{str(value).strip()!r} is not a known {what}: use one of "
                     f"{', '.join(sorted(set(names.values())))}")

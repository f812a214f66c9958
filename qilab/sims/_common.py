"""Small helpers the workshop simulators share: checking inputs and handing data to SPC.

Nothing here is specific to one game. Every check raises :class:`qilab.QIDataError` with the
name of the field at fault and what to do about it, so a facilitator typing into a dashboard
sees a sentence they can act on rather than a traceback.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import QIDataError

__all__ = ["SPCHandoff", "check_int", "check_number", "check_share", "check_text", "make_rng"]


def make_rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    """A NumPy random generator from a seed (or the generator itself, passed through).

    >>> bool(make_rng(1).integers(1, 7) == make_rng(1).integers(1, 7))
    True
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)
                             or seed < 0):
        raise QIDataError(f"'seed' must be a whole number of 0 or more (or left out for a fresh "
                          f"random run), not {seed!r}.", field="seed")
    return np.random.default_rng(None if seed is None else int(seed))


def check_int(value: Any, name: str, *, low: int | None = None, high: int | None = None) -> int:
    """``value`` as an int, or :class:`QIDataError` naming ``name`` and the allowed range.

    >>> check_int(5, "days", low=1)
    5
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise QIDataError(f"'{name}' must be a whole number{_range(low, high)}, "
                              f"not {value!r}.", field=name)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        raise QIDataError(f"'{name}' must be a whole number{_range(low, high)}; "
                          f"{value} is outside that range.", field=name)
    return value


def check_number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False) -> float:
    """``value`` as a finite float within the bounds, or :class:`QIDataError` naming ``name``.

    ``low_open`` makes the lower bound strict (the value must be greater than ``low``).

    >>> check_number("2.5", "sigma", low=0, low_open=True)
    2.5
    """
    if isinstance(value, bool):
        raise QIDataError(f"'{name}' must be a number, not {value!r}.", field=name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise QIDataError(f"'{name}' must be a number, not {value!r}.", field=name) from None
    if not math.isfinite(number):
        raise QIDataError(f"'{name}' must be a finite number, not {value!r}.", field=name)
    if low is not None and (number < low or (low_open and number == low)):
        word = "more than" if low_open else "at least"
        raise QIDataError(f"'{name}' must be {word} {low:g}; it is {number:g}.", field=name)
    if high is not None and number > high:
        raise QIDataError(f"'{name}' must be at most {high:g}; it is {number:g}.", field=name)
    return number


def check_share(value: Any, name: str) -> float:
    """A proportion strictly between 0 and 1 (for example 0.2 for 20%).

    >>> check_share(0.2, "red_share")
    0.2
    """
    share = check_number(value, name)
    if not 0 < share < 1:
        hint = " (write 20% as 0.2)" if 1 <= share <= 100 else ""
        raise QIDataError(f"'{name}' must be a proportion between 0 and 1{hint}; it is "
                          f"{share:g}.", field=name)
    return share


def check_text(value: Any, name: str, *, max_length: int = 80, allow_empty: bool = False) -> str:
    """Stripped text of at most ``max_length`` characters.

    >>> check_text("  Team A ", "team")
    'Team A'
    """
    if not isinstance(value, str):
        raise QIDataError(f"'{name}' must be text, not {type(value).__name__} {value!r}.",
                          field=name)
    text = value.strip()
    if not text and not allow_empty:
        raise QIDataError(f"'{name}' is blank: type something in it.", field=name)
    if len(text) > max_length:
        raise QIDataError(f"'{name}' is {len(text)} characters long; shorten it to "
                          f"{max_length} or fewer.", field=name)
    return text


def _range(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of {low} or more"
    if high is not None:
        return f" of {high} or less"
    return ""


@dataclass(frozen=True)
class SPCHandoff:
    """A simulator's results, ready for :func:`qilab.spc` (the simulators do no SPC maths).

    ``data`` is a tidy frame; ``y``, ``x``, ``n`` and ``chart`` are the arguments to pass, so
    the chart is ``qilab.spc(h.data, **h.kwargs)`` or simply ``h.spc()``.

    >>> h = SPCHandoff(pd.DataFrame({"day": [1, 2], "total": [10, 12]}), y="total", x="day",
    ...                chart="i")
    >>> h.kwargs
    {'y': 'total', 'x': 'day', 'chart': 'i'}
    """

    data: pd.DataFrame
    y: str
    x: str
    chart: str
    n: str | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`qilab.spc` (``n`` only for ratio charts)."""
        out: dict[str, Any] = {"y": self.y}
        if self.n is not None:
            out["n"] = self.n
        out["x"] = self.x
        out["chart"] = self.chart
        out.update(self.extra)
        return out

    def spc(self) -> Any:
        """Call :func:`qilab.spc` on the data and return its result."""
        from qilab import spc

        return spc(self.data, **self.kwargs)

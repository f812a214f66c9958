"""Control-chart constants, computed exactly from their definitions (no rounded tables).

qicharts2 computes the Xbar and S constants from c4 and uses 1.128 and 3.267 for the
individuals (XmR) chart; we follow it so that results match to many digits.

>>> round(float(c4(5)), 4), round(float(a3(5)), 4), round(float(b4(5)), 4)
(0.94, 1.4273, 2.089)
>>> float(b3(5))
0.0
"""
from __future__ import annotations

import numpy as np
from scipy.special import gammaln

#: d2 for subgroups of two, as qicharts2 uses it: sigma = mean moving range / 1.128.
D2_MR = 1.128
#: Moving ranges at or above this multiple of their mean are screened out (qicharts2, PTD).
MR_SCREEN = 3.267
#: Upper limit of the moving-range chart as a multiple of the mean moving range.
D4_MR = 3.267
#: Exponent of the T-chart transformation (Nelson): y ** (1 / 3.6) is close to normal.
T_POWER = 3.6


def c4(n: np.ndarray | float) -> np.ndarray:
    """Bias-correction constant c4(n) for the sample standard deviation; NaN for n <= 1.

    >>> round(float(c4(2)), 4)
    0.7979
    """
    n = np.asarray(n, dtype=float)
    out = np.full(n.shape, np.nan)
    ok = n > 1
    m = n[ok]
    out[ok] = np.sqrt(2.0 / (m - 1.0)) * np.exp(gammaln(m / 2.0) - gammaln((m - 1.0) / 2.0))
    return out


def a3(n: np.ndarray | float) -> np.ndarray:
    """A3(n) = 3 / (c4(n) * sqrt(n)): Xbar limits are CL +/- A3 * s-bar.

    >>> round(float(a3(2)), 4)
    2.6587
    """
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return 3.0 / (c4(n) * np.sqrt(n))


def b3(n: np.ndarray | float) -> np.ndarray:
    """B3(n) = max(0, 1 - 3 sqrt(1 - c4^2) / c4): lower S-chart limit factor.

    >>> round(float(b3(6)), 4)
    0.0304
    """
    c = c4(n)
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, 1.0 - 3.0 * np.sqrt(1.0 - c**2) / c)


def b4(n: np.ndarray | float) -> np.ndarray:
    """B4(n) = 1 + 3 sqrt(1 - c4^2) / c4: upper S-chart limit factor.

    >>> round(float(b4(2)), 4)
    3.2665
    """
    c = c4(n)
    with np.errstate(invalid="ignore"):
        return 1.0 + 3.0 * np.sqrt(1.0 - c**2) / c

"""Control-chart constants, computed exactly from their definitions (no rounded tables).

qicharts2 computes the Xbar and S constants from c4 and uses 1.128 and 3.267 for the
individuals (XmR) chart; we follow it so that results match to many digits. For the range
estimators (R chart, Xbar with sigma from the average range) d2 is taken to three decimals, as
printed in the usual tables and used by qcc, and d3 is computed exactly.

>>> round(float(c4(5)), 4), round(float(a3(5)), 4), round(float(b4(5)), 4)
(0.94, 1.4273, 2.089)
>>> float(b3(5))
0.0
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import integrate
from scipy.special import gammaln, ndtr

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


@lru_cache(maxsize=None)
def d2_exact(n: int) -> float:
    """Mean range of n standard normal values: the integral of 1 - Phi^n - (1 - Phi)^n.

    >>> round(d2_exact(2), 6)
    1.128379
    """
    def integrand(x: float) -> float:
        return 1.0 - ndtr(x) ** n - ndtr(-x) ** n

    return float(integrate.quad(integrand, -12, 12, limit=200, epsabs=1e-12)[0])


def d2(n: int) -> float:
    """d2(n) to three decimals, as in the published tables (and qcc): sigma = R-bar / d2.

    >>> d2(5)
    2.326
    """
    return round(d2_exact(int(n)), 3)


@lru_cache(maxsize=None)
def d3(n: int) -> float:
    """Standard deviation of the range of n standard normal values, computed exactly.

    Uses E[W^2] = 2 * double integral over x < y of 1 - Phi(y)^n - (1 - Phi(x))^n +
    (Phi(y) - Phi(x))^n. Printed tables round it to 3 or 4 decimals; qcc's own table differs
    from the exact value by up to about 1e-5.

    >>> round(d3(5), 4)
    0.8641
    """
    n = int(n)

    def integrand(x: float, y: float) -> float:
        return 1.0 - ndtr(y) ** n - ndtr(-x) ** n + (ndtr(y) - ndtr(x)) ** n

    mean_sq = 2.0 * integrate.dblquad(integrand, -12, 12, lambda y: -12.0, lambda y: y,
                                      epsabs=1e-11, epsrel=1e-11)[0]
    return float(np.sqrt(mean_sq - d2_exact(n) ** 2))


def per_size(func, sizes: np.ndarray) -> np.ndarray:
    """``func`` of each subgroup size (NaN where the size is below 2), computed once per size.

    >>> per_size(d2, np.array([5.0, 1.0, 5.0])).tolist()
    [2.326, nan, 2.326]
    """
    sizes = np.asarray(sizes, dtype=float)
    out = np.full(sizes.shape, np.nan)
    ok = np.isfinite(sizes) & (sizes >= 2)
    for size in np.unique(sizes[ok]):
        out[sizes == size] = func(int(size))
    return out

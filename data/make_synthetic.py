"""Make the small synthetic datasets that the teaching modules use.

Every number here is made up. Nothing comes from a real ward, patient or care home.
The data are seeded, so running this script again gives exactly the same files.

    python data/make_synthetic.py          # writes data/*.csv next to this script

See data/README.md for what each file holds.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20190401
HERE = Path(__file__).resolve().parent


def ward7_falls_assessment(seed: int = SEED) -> pd.DataFrame:
    """26 weeks on "Ward 7", a made-up 28-bed older people's medical ward.

    The team tests changes to get a falls risk assessment done within 24 hours of
    admission. The chance of an assessment rises after each change; admissions, bed days
    and falls vary at random around realistic levels.
    """
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2019-04-01", periods=26, freq="7D")
    # probability of an assessment within 24 hours, and the change first tested that week
    p = np.full(26, 0.55)
    change = [""] * 26
    p[12:16] = 0.68
    change[12] = "PDSA 1: admission checklist"
    p[16:20] = 0.78
    change[16] = "PDSA 2: safety huddle"
    p[20:] = 0.86
    change[20] = "PDSA 3: electronic prompt"

    admissions = rng.poisson(24, size=26)
    assessed = rng.binomial(admissions, p)
    occupancy = rng.uniform(0.88, 0.98, size=26)
    bed_days = np.round(28 * 7 * occupancy).astype(int)
    # falls per 1000 occupied bed days drift from about 8 to about 6: slow and noisy
    rate = np.where(np.arange(26) < 16, 8.0, 6.0)
    # falls come from their own generator (seed + 1), so the falls series can be read on its
    # own: a drop this small in a rare event shows no run chart signal in 26 weeks
    falls = np.random.default_rng(seed + 1).poisson(rate * bed_days / 1000)

    return pd.DataFrame({
        "week_start": weeks.strftime("%Y-%m-%d"),
        "admissions": admissions,
        "assessed_within_24h": assessed,
        "pct_assessed": np.round(100 * assessed / admissions, 1),
        "occupied_bed_days": bed_days,
        "falls": falls,
        "falls_per_1000_obd": np.round(1000 * falls / bed_days, 1),
        "change_tested": change,
    })


def main() -> None:
    out = HERE / "ward7_falls_assessment.csv"
    ward7_falls_assessment().to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

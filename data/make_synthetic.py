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


#: Medication incident categories for the care home data, with the share of incidents in
#: each (made up, but in a realistic order: a few kinds make up most incidents).
MEDICATION_INCIDENT_SHARES: dict[str, float] = {
    "Dose missed or not signed for": 0.40,
    "Given at the wrong time": 0.22,
    "Medicine out of stock": 0.13,
    "Wrong dose given": 0.06,
    "Medicine stored wrongly": 0.06,
    "Given to the wrong resident": 0.04,
    "Wrong medicine given": 0.04,
    "Other": 0.05,
}


def care_home_medication_incidents(seed: int = SEED + 10) -> pd.DataFrame:
    """A year of medication incidents reported by four made-up care homes.

    One row an incident: the date reported, the home and the category. The number of
    incidents a month in each home is Poisson; the category of each incident is drawn from
    :data:`MEDICATION_INCIDENT_SHARES`. Used for the Pareto chart in module M2.
    """
    rng = np.random.default_rng(seed)
    homes = {"Oak House": 9, "Birch Lodge": 6, "Cedar Court": 7, "Elm View": 4}
    months = pd.date_range("2019-04-01", periods=12, freq="MS")
    names = list(MEDICATION_INCIDENT_SHARES)
    shares = np.array(list(MEDICATION_INCIDENT_SHARES.values()))
    shares = shares / shares.sum()
    rows = []
    for month in months:
        days = month.days_in_month
        for home, mean in homes.items():
            for _ in range(rng.poisson(mean)):
                day = int(rng.integers(1, days + 1))
                category = names[int(rng.choice(len(names), p=shares))]
                rows.append((month.replace(day=day).strftime("%Y-%m-%d"), home, category))
    df = pd.DataFrame(rows, columns=["date_reported", "home", "category"])
    return df.sort_values(["date_reported", "home"], kind="stable").reset_index(drop=True)


def gp_routine_access(seed: int = 20190501) -> pd.DataFrame:
    """30 weeks at "Millbrook Surgery", a made-up GP practice (used by module M5).

    Each week the practice counts requests for a routine appointment and how many of those
    patients were seen within 14 days. From week 17 the practice tests a care navigator who
    sorts requests at the first call, so the chance of being seen within 14 days rises.
    """
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2019-04-01", periods=30, freq="7D")
    p = np.where(np.arange(30) < 16, 0.62, 0.76)
    change = [""] * 30
    change[16] = "Care navigator at first call"
    requests = rng.poisson(110, size=30)
    seen = rng.binomial(requests, p)
    return pd.DataFrame({
        "week_start": weeks.strftime("%Y-%m-%d"),
        "requests": requests,
        "seen_within_14_days": seen,
        "pct_seen_within_14_days": np.round(100 * seen / requests, 1),
        "change_tested": change,
    })


def community_team_waits(seed: int = 20190601) -> pd.DataFrame:
    """24 weeks of waits for a made-up community nursing team (used by module M5).

    Each week's value is the median number of days from referral to first visit. Nothing
    changes: the waits vary by chance alone around about 9 days.
    """
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2019-04-01", periods=24, freq="7D")
    return pd.DataFrame({
        "week_start": weeks.strftime("%Y-%m-%d"),
        "median_days_to_first_visit": np.round(rng.normal(9.0, 1.4, size=24), 1),
    })


def sepsis_antibiotics(seed: int = 20190740) -> pd.DataFrame:
    """36 weeks of door-to-antibiotic times for sepsis at a made-up emergency department (M6).

    Each week's value is the mean number of minutes from arrival to the first dose of
    antibiotics for adults with suspected sepsis. From week 21 the department tests a sepsis
    trolley with everything ready, so the times fall. In week 9 the electronic patient record
    was down for a day, and that week's mean is much higher.
    """
    rng = np.random.default_rng(seed)
    weeks = pd.date_range("2019-04-01", periods=36, freq="7D")
    mean = np.where(np.arange(36) < 20, 74.0, 58.0)
    minutes = rng.normal(mean, 5.0)
    minutes[8] += 38.0
    change = [""] * 36
    change[8] = "Record system down for a day"
    change[20] = "Sepsis trolley"
    return pd.DataFrame({
        "week_start": weeks.strftime("%Y-%m-%d"),
        "patients": rng.poisson(14, size=36) + 4,
        "mean_minutes_to_antibiotics": np.round(minutes, 1),
        "note": change,
    })


def regional_four_hour(seed: int = 20190801) -> pd.DataFrame:
    """36 months of the 4-hour accident and emergency (A&E) measure for a made-up region (M6).

    Each month about 21,000 people attend. The chance of being seen within 4 hours wanders
    from month to month (winter pressure, staffing) more than the binomial model of a P chart
    allows: the over-dispersion that Laney's P prime chart is for.
    """
    rng = np.random.default_rng(seed)
    months = pd.date_range("2016-04-01", periods=36, freq="MS")
    attendances = rng.poisson(21000, size=36)
    p = np.clip(0.89 + rng.normal(0.0, 0.012, size=36), 0, 1)
    seen = rng.binomial(attendances, p)
    return pd.DataFrame({
        "month": months.strftime("%Y-%m-%d"),
        "attendances": attendances,
        "seen_within_4_hours": seen,
    })


def pressure_ulcer_intervals(seed: int = 20190905) -> pd.DataFrame:
    """Hospital-acquired pressure ulcers on a made-up ward: one row an ulcer (M6).

    Admissions between ulcers are geometric with a chance of 1 in 60 per admission for the first
    15 ulcers, then 1 in 150 after the ward starts two-hourly skin checks, and the days between
    ulcers follow from about 4 admissions a day.
    """
    rng = np.random.default_rng(seed)
    chance = np.where(np.arange(24) < 15, 1 / 60, 1 / 150)
    between = rng.geometric(chance) - 1
    days = np.maximum(1, np.round(between / 4 + rng.uniform(0, 1, size=24))).astype(int)
    dates = pd.Timestamp("2019-04-01") + pd.to_timedelta(np.cumsum(days), unit="D")
    return pd.DataFrame({
        "date": dates.strftime("%Y-%m-%d"),
        "admissions_since_last": between,
        "days_since_last": days,
    })


def care_home_falls(seed: int = 20170401) -> pd.DataFrame:
    """24 months of falls in 20 made-up care homes in one area, in a BI extract's tidy shape (M11).

    Homes have 10 to 90 beds, about 90% occupied. Falls each month are Poisson at about 6 per
    1,000 occupied bed days, except one home (CH07) at about 10 and one (CH16) at about 3, so
    a funnel plot has real differences to find among the differences that are only chance.
    """
    rng = np.random.default_rng(seed)
    months = pd.date_range("2017-04-01", periods=24, freq="MS")
    homes = [f"CH{i:02d}" for i in range(1, 21)]
    beds = rng.integers(10, 91, size=20)
    rate = np.full(20, 6.0)
    rate[homes.index("CH07")] = 10.0
    rate[homes.index("CH16")] = 3.0
    rows = []
    for month in months:
        days = month.days_in_month
        occupied = rng.binomial(beds * days, 0.9)
        falls = rng.poisson(rate * occupied / 1000)
        for home, f, o in zip(homes, falls, occupied):
            rows.append({"indicator": "falls per occupied bed day", "organisation": home,
                         "period": month.strftime("%Y-%m-%d"), "numerator": int(f),
                         "denominator": int(o)})
    return pd.DataFrame(rows)


def main() -> None:
    out = HERE / "ward7_falls_assessment.csv"
    ward7_falls_assessment().to_csv(out, index=False)
    print(f"wrote {out}")
    for name, make in (("gp_routine_access", gp_routine_access),
                       ("community_team_waits", community_team_waits),
                       ("sepsis_antibiotics", sepsis_antibiotics),
                       ("regional_four_hour", regional_four_hour),
                       ("pressure_ulcer_intervals", pressure_ulcer_intervals),
                       ("care_home_falls", care_home_falls)):
        out = HERE / f"{name}.csv"
        make().to_csv(out, index=False)
        print(f"wrote {out}")
    out = HERE / "care_home_medication_incidents.csv"
    care_home_medication_incidents().to_csv(out, index=False)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

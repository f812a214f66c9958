"""Module M13 (coaching improvement teams): the worked examples and every practice solution say
what the pages' own code gives, and the progress scale the pages teach is the one qilab uses.

Each number the text states is worked out here from the namespace the page's code leaves
behind (or from qilab's constants) and looked for in the text, so a change to qilab, the data
or a page that makes a sentence untrue fails here.
"""
from __future__ import annotations

import re

import pytest

from ._pages import M13, M13_PAGES, ROOT, prose, read, run_page

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def text(name: str) -> str:
    return " ".join(prose(read(M13 / name)).split())


def pct(x: float) -> str:
    return f"{x:.1f}%"


def test_pages_found_and_the_toc_lists_them_in_the_coach_part():
    assert len(M13_PAGES) == 8
    toc = read(ROOT / "_toc.yml")
    coach = toc.split("- caption: Coach")[1].split("- caption:")[0]
    for page in M13_PAGES:
        assert f"modules/m13-coaching-improvement-teams/{page.stem}" in coach


# ---- the progress scale ------------------------------------------------------------------

def test_the_scale_on_the_page_is_qilabs_and_the_glossarys():
    from qilab.tools.progress_tracker import PROGRESS_SCALE

    page = read(M13 / "progress-scores.md")
    rows = re.findall(r"^\| (\d(?:\.5)?) \| ([^|]+) \| ([^|]+) \|$", page, re.M)
    assert [float(s) for s, _, _ in rows] == [s for s, _, _ in PROGRESS_SCALE]
    for (_, name, what), (_, q_name, q_what) in zip(rows, PROGRESS_SCALE):
        assert name.strip().lower() == q_name
        assert what.strip().rstrip(".").lower().replace(". ", "; ") == q_what.lower()
    glossary = read(ROOT / "book" / "resources" / "glossary.md")
    entry = glossary.split("\nProgress score\n")[1].split("\n\n")[0]
    for score, name, _ in PROGRESS_SCALE:
        assert f"{score:g} {name}" in entry
    assert "{cite:p}`ihi_assessment_scale`" in entry


def test_the_source_is_cited_for_what_it_says():
    page = read(M13 / "progress-scores.md")
    bib = read(ROOT / "book" / "references.bib")
    for key in ("ihi_assessment_scale", "ihi2003breakthrough"):
        assert f"{{{key}," in bib and key in page
    # IHI's template runs from 1 to 5; the 0.5 step is this book's, and the page says so
    assert "IHI's template scores a team from 1 to 5" in text("progress-scores.md")
    assert "It adds a score of 0.5" in text("progress-scores.md")


def test_certification_thresholds_are_the_ones_qilab_checks():
    import yaml

    from qilab.cohort.coach_evidence import MIN_SCORE, MIN_SESSIONS

    words = text("progress-scores.md")
    assert f"reach a score of {MIN_SCORE:g} or more" in words
    standard = read(ROOT / "grading" / "standard.yml")
    assert "2.5" in standard and yaml.safe_load(standard)
    assert "a progress score of 2.5 or more" in words
    assert f"it needs at least {'six' if MIN_SESSIONS == 6 else MIN_SESSIONS} sessions" in (
        text("coaching-model.md"))


# ---- reading a team's chart with them ------------------------------------------------------

@pytest.fixture(scope="module")
def charts() -> dict:
    return run_page(M13, "reading-charts.md")


def test_july_review_has_no_signal_yet(charts):
    words = text("reading-charts.md")
    part = charts["july"].parts.iloc[0]
    points = charts["july"].points
    assert part["n_obs"] == 18 and not part["runs_signal"]
    assert f"the chart has {part['n_obs']} weeks" in words
    assert f"baseline median of {part['cl']:.1f}%" in words
    above = (points["y"] > points["cl"]).tolist()
    last_run = len(above) - above[::-1].index(False)
    assert len(above) - last_run == part["longest_run"] == part["longest_run_max"] == 7
    assert "The last seven points are all above the baseline median" in words
    assert "the rules need a run of more than 7 to call it a signal. This run is 7" in words
    assert f"crosses the median {part['n_crossings']} times" in words
    assert part["n_crossings"] >= part["n_crossings_min"]


def test_august_review_finds_the_signal(charts):
    words = text("reading-charts.md")
    part = charts["august"].parts.iloc[0]
    assert part["n_obs"] == 22 and part["runs_signal"]
    assert part["longest_run"] == 11 and part["longest_run_max"] == 7
    assert (f"there are {part['n_obs']} weeks. The last {part['longest_run']} points are all "
            "above the baseline median") in words
    assert f"a run of more than {part['longest_run_max']} is unlikely" in words


def test_september_review_is_close_to_the_aim(charts):
    words = text("reading-charts.md")
    part = charts["september"].parts.iloc[0]
    assert part["n_obs"] == 26 and part["runs_signal"] and part["longest_run"] == 15
    assert "the run above the baseline median is 15 points long" in words
    assert f"The median of the last six weeks is {pct(charts['recent'])}" in words
    assert charts["recent"] < 90 and "close to the aim of 90%" in words


def test_the_scores_agreed_at_the_reviews_are_the_teams_records():
    import qilab

    records = qilab.progress_tracker(ROOT / "data" / "coached_teams_progress.csv").records
    ward7 = records[records["team"] == "Ward 7 falls"].set_index("date")["progress_score"]
    words = text("reading-charts.md")
    for month, day in (("July", "2019-07-31"), ("August", "2019-08-30"),
                       ("September", "2019-09-30")):
        section = words.split(f"The {month} review")[1].split("review:")[0]
        assert f"Score agreed: {ward7[day]:g}" in section, month


# ---- progress reviews and the sponsor report ----------------------------------------------

@pytest.fixture(scope="module")
def reviews() -> dict:
    return run_page(M13, "progress-reviews.md")


def test_what_the_tracker_tells_the_coach(reviews):
    words = text("progress-reviews.md")
    tracker = reviews["records"]
    latest = reviews["latest"].set_index("team")
    records = tracker.records
    for team, row in latest.iterrows():
        assert f"{team} " in words
    w7 = latest.loc["Ward 7 falls"]
    assert f"went from {w7['first_score']:g} in April to {w7['progress_score']:g} in September" \
        in words
    oak = latest.loc["Oak House medicines"]
    assert f"Oak House medicines went from {oak['first_score']:g} to {oak['progress_score']:g}" \
        in words
    mill = latest.loc["Millbrook Surgery access"]
    assert f"at {mill['first_score']:g}, and has climbed steadily to {mill['progress_score']:g}" \
        in words
    for team in ("Ward 7 falls", "Oak House medicines"):
        first_three = records[(records["team"] == team) & (records["progress_score"] >= 3)]
        assert first_three["date"].min().month == 8           # "It reached 3 in August"
    assert words.count("reached 3 in August") == 2
    physio = records[records["team"] == "Community physiotherapy waits"]
    at_two = physio[physio["date"].dt.month >= 6]["progress_score"]
    assert set(at_two) == {2.0} and physio[physio["date"].dt.month < 6]["progress_score"].max() < 2
    assert "Community physiotherapy waits has been at 2 since June" in words
    assert tracker.stuck == ["Community physiotherapy waits"]
    reached = int((latest["progress_score"] >= 3).sum())
    assert f"So {reached} of the 4 teams have reached a score of 3 or more" in words
    assert reached == 2 and "same score at the last 3 reviews" in words


def test_sponsor_report_matches_the_records():
    namespace = run_page(M13, "reporting-to-sponsors.md")
    shown = namespace["report"].set_index("Team")
    words = text("reporting-to-sponsors.md")
    for team, row in shown.iterrows():
        assert f"{team} ({row['Score in September']:g}" in words, team
    scores = shown["Score in September"]
    assert f"An average of {scores.mean():.1f} hides the stuck team" in words


# ---- practice ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def practice() -> dict:
    return run_page(M13, "practice.md")


def test_practice_1_the_june_review(practice):
    words = text("practice.md")
    june, chart = practice["june"], practice["june_chart"]
    part = chart.parts.iloc[0]
    assert len(june) == 13 and "has 13 weeks of data" in words
    assert f"{pct(june['pct_assessed'].iloc[-1])} of admissions" in words
    assert june["change_tested"].iloc[-1].startswith("PDSA 1: admission checklist")
    assert not part["runs_signal"]
    assert (f"the longest run is {part['longest_run']} points and the line crosses the median "
            f"{part['n_crossings']} times") in words
    baseline = june["pct_assessed"].iloc[:12]
    higher = baseline[baseline > june["pct_assessed"].iloc[-1]]
    assert list(higher.index + 1) == [1, 4] and "Two baseline weeks were higher" in words
    assert (f"{pct(higher.iloc[0])} in the first week and {pct(higher.iloc[1])} in the fourth"
            in words)


def test_practice_2_and_3_the_stuck_team_and_october(practice):
    words = text("practice.md")
    assert practice["records"].stuck == ["Community physiotherapy waits"]
    october = practice["october"]
    latest = october.latest.set_index("team")
    assert latest.loc["Community physiotherapy waits", "progress_score"] == 2.5
    assert latest.loc["Millbrook Surgery access", "progress_score"] == 3
    reached = int((latest["progress_score"] >= 3).sum())
    assert reached == 3 and october.stuck == []
    assert f"Now {reached} of the 4 teams have reached a score of 3 or more" in words
    assert "no team has had the same score at its last 3 reviews" in words
    assert f"{reached} of 4 teams have reached a score of 3 or more, and no team is stuck" \
        in words
    # the page's own data file is not changed by the solution
    assert "2019-10-31" not in read(ROOT / "data" / "coached_teams_progress.csv")


def test_practice_4_the_observed_session(practice):
    from qilab.tools.coaching_rubric import PASS_TOTAL

    words = text("practice.md")
    observed = practice["observed"]
    assert observed.total == 15 and not observed.met and observed.total >= PASS_TOTAL
    assert f"The total is {observed.total} of 18, above the {PASS_TOTAL} needed" in words
    assert observed.reasons == ["Teaches a tool just in time: not seen (needs at least partly)"]


def test_self_check_offers_plausible_wrong_options():
    quiz = read(M13 / "practice.md").split("## Check your understanding")[1]
    quiz = quiz.split("## Apply it")[0]
    assert quiz.count(":::{admonition} Answer") == 6
    choices = re.findall(r"^a\) .+ b\) .+ c\) .+$", quiz, re.M)
    answers = re.findall(r":class: dropdown\n\*\*([abc])\)\*\*", quiz)
    assert len(choices) == 6 and len(answers) == 6
    assert len(set(answers)) == 3


def test_every_page_runs_cleanly_and_cites_only_known_sources():
    bib = read(ROOT / "book" / "references.bib")
    for page in M13_PAGES:
        run_page(M13, page.name)
        for keys in re.findall(r"\{cite:p\}`([^`]+)`", read(page)):
            for key in keys.split(","):
                assert f"{{{key.strip()}," in bib, f"{page.name}: {key}"

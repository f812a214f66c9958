"""The Aware pathway page must read easily for patients and the public: Flesch reading ease
of 60 or more on its prose (MyST markup, links and code removed)."""
from __future__ import annotations

import pytest
import textstat

from ._pages import ROOT, prose, read

# textstat is pinned at 0.7.8: it ships its own CMU dictionary and needs no download.


def _flesch(text: str) -> float:
    textstat.set_lang("en_GB")
    return textstat.flesch_reading_ease(text)


def test_prose_helper_strips_markup():
    text = "# A heading\n\nRead [the glossary](../x.md) and {cite:p}`key`.\n\n```{code-cell} ipython3\nimport qilab\n```\n"
    out = prose(text)
    assert "glossary" in out and "../x.md" not in out and "qilab" not in out and "cite" not in out


AWARE_PAGES = ["book/pathways/aware.md",
               # M0: Aware learners read every page, including the quiz on the practice page
               "modules/m0-why-improve/overview.md", "modules/m0-why-improve/quality.md",
               "modules/m0-why-improve/systems.md", "modules/m0-why-improve/variation.md",
               "modules/m0-why-improve/red-beads.md", "modules/m0-why-improve/practice.md"]


# M9 (co-production) is for every tier, and patients read it: it must read easily too
AWARE_PAGES += ["modules/m9-co-production/overview.md",
                "modules/m9-co-production/patient-led-questions.md",
                "modules/m9-co-production/ladder-of-participation.md",
                "modules/m9-co-production/paying-and-supporting.md",
                "modules/m9-co-production/practice.md"]


# M1: the Aware pathway covers the three questions, aims, measures, PDSA and how improvement
# differs from audit and research
AWARE_PAGES += [f"modules/m1-model-for-improvement/{name}.md" for name in (
    "overview", "three-questions", "aims", "measures", "changes-and-pdsa",
    "improvement-audit-research")]


@pytest.mark.parametrize("page", AWARE_PAGES)
def test_aware_page_reads_easily(page):
    score = _flesch(prose(read(ROOT / page)))
    assert score >= 60, f"{page} scores {score:.1f} on Flesch reading ease; Aware pages need 60 or more"


# M6 (statistical process control) is for Practitioners, Coaches and Leaders: board members read
# its Making Data Count page. Its pages keep to the same reading ease as the Aware pages.
PRACTITIONER_PAGES = [f"modules/m6-spc/{name}.md" for name in (
    "overview", "limits", "choosing-a-chart", "attribute-charts", "rare-events", "rules",
    "baselines", "tampering", "making-data-count", "practice")]
# M10 (sustain and spread) and M11 (system level data) are for the same readers: the same bar
PRACTITIONER_PAGES += [f"modules/m10-sustain-and-spread/{name}.md" for name in (
    "overview", "will-it-last", "standard-work", "after-the-project", "spread", "practice")]
PRACTITIONER_PAGES += [f"modules/m11-system-level-data/{name}.md" for name in (
    "overview", "bi-extract-to-summary", "small-numbers", "funnel-plots", "indicator-dashboard",
    "practice")]
# M14 (telling the story) is for Practitioners and Coaches: the same reading ease
PRACTITIONER_PAGES += [f"modules/m14-telling-the-story/{name}.md" for name in (
    "overview", "storyboards-and-a3s", "honest-charts", "sharing-failures",
    "knowledge-sharing-event", "practice")]


# M13 (coaching improvement teams) is for Coaches, who teach its ideas to every kind of team
# member, patients too; M3 (driver diagrams and evidence) and M8 (the human side of change) are
# read by patient co-leads too. All keep to the same reading ease.
PRACTITIONER_PAGES += [f"modules/m13-coaching-improvement-teams/{name}.md" for name in (
    "overview", "coaching-model", "stage-questions", "progress-scores", "reading-charts",
    "progress-reviews", "reporting-to-sponsors", "practice")]
PRACTITIONER_PAGES += [f"modules/m3-driver-diagrams-and-evidence/{name}.md" for name in (
    "overview", "driver-diagrams", "change-ideas", "using-evidence", "worked-example", "builder",
    "practice")]
PRACTITIONER_PAGES += [f"modules/m8-human-side-of-change/{name}.md" for name in (
    "overview", "psychology-of-change", "diffusion", "stakeholders-and-communication", "teams",
    "exercise", "practice")]


@pytest.mark.parametrize("page", PRACTITIONER_PAGES)
def test_practitioner_and_coach_page_reads_easily(page):
    score = _flesch(prose(read(ROOT / page)))
    assert score >= 60, (f"{page} scores {score:.1f} on Flesch reading ease; Practitioner and "
                         "Coach module pages need 60 or more")

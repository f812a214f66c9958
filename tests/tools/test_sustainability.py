"""The sustainability self-assessment: the NHS Sustainability Model's ten factors in their three
groups, rated by each team member with no weights and no total; the summary points to the
lowest-rated factors and to those the team disagrees on; bad ratings say what to fix; the file is
saved atomically and read back with the same checks; the form adds a person's ratings."""
from __future__ import annotations

import doctest

import matplotlib
import pytest

matplotlib.use("Agg")

import qilab.tools.sustainability as module  # noqa: E402
import qilab.widgets.sustainability as widget_module  # noqa: E402
from qilab import QIDataError, SustainabilityAssessment  # noqa: E402
from qilab.tools.sustainability import FACTOR_KEYS, FACTORS  # noqa: E402
from qilab.widgets import SustainabilityForm  # noqa: E402


def all_at(level, **changes):
    return {**{k: level for k in FACTOR_KEYS}, **changes}


def test_ten_factors_in_the_models_three_groups():
    groups = [g for g, *_ in FACTORS]
    assert len(FACTORS) == 10
    assert (groups.count("Process"), groups.count("Staff"), groups.count("Organisation")) == \
        (4, 4, 2)
    assert {"Senior leaders", "Clinical leaders", "Infrastructure"} <= {f[2] for f in FACTORS}


def test_summary_finds_low_and_disputed_factors_and_gives_no_total():
    a = SustainabilityAssessment("Ward 7 falls")
    a.add("Ann", all_at(3, senior_leaders=2, infrastructure=4))
    a.add("Bo", all_at(3, senior_leaders=1, infrastructure=2))
    a.add("Cy", all_at(4, senior_leaders=2, monitoring_progress=None))
    s = a.summary().set_index("factor")
    assert s.loc["Senior leaders", ["median", "lowest", "highest"]].tolist() == [2.0, 1, 2]
    assert s.loc["Infrastructure", "spread"] == 2 and s.loc["Infrastructure", "median"] == 4.0
    assert s.loc["Monitoring progress", ["rated", "not_sure"]].tolist() == [2, 1]
    assert a.discuss_first() == ["Senior leaders", "Infrastructure"]
    assert "total" not in " ".join(s.columns)
    text = a.explain()
    assert "Senior leaders (median 2)" in text and "ratings from 2 to 4" in text
    assert "not weighted" in text


def test_a_factor_no_one_was_sure_about_comes_first():
    a = SustainabilityAssessment("p")
    a.add("Ann", all_at(3, adaptability=None))
    assert a.discuss_first() == ["Adaptability"]
    assert a.summary().set_index("factor").loc["Adaptability", "discuss"] == "no one was sure"


@pytest.mark.parametrize("ratings, words", [
    (all_at(5), "use 1, 2, 3 or 4"),
    (all_at("high"), "use 1, 2, 3 or 4"),
    ({k: 3 for k in FACTOR_KEYS[:-1]}, "no rating for 'Infrastructure'"),
    (all_at(3, leadership=3), "'leadership' is not one of the ten factors"),
])
def test_bad_ratings_say_what_to_fix(ratings, words):
    with pytest.raises(QIDataError, match=words):
        SustainabilityAssessment("p").add("Ann", ratings)


def test_a_person_needs_a_name_and_an_empty_assessment_has_no_summary():
    with pytest.raises(QIDataError, match="name"):
        SustainabilityAssessment("p").add("  ", all_at(3))
    with pytest.raises(QIDataError, match="No one has rated"):
        SustainabilityAssessment("p").summary()


def test_saved_and_read_back(tmp_path):
    a = SustainabilityAssessment("Ward 7 falls")
    a.add("Ann", all_at(2, adaptability=None))
    path = a.save(tmp_path / "sustain.json")
    again = SustainabilityAssessment.load(path)
    assert again.project == "Ward 7 falls" and again.ratings == a.ratings
    path.write_text(path.read_text().replace('"adaptability": null', '"adaptability": 9'))
    with pytest.raises(QIDataError, match="Adaptability"):
        SustainabilityAssessment.load(path)


def test_chart_has_alt_text_naming_the_lowest_factors():
    a = SustainabilityAssessment("p")
    a.add("Ann", all_at(3, senior_leaders=1))
    assert "Senior leaders 1" in a.alt_text()
    assert 'alt="Dots show each of 1 people' in a._repr_html_()


def test_form_adds_ratings_and_asks_for_a_missing_one():
    form = SustainabilityForm("Ward 7 falls")
    form.person.value = "Ann"
    for key, box in form.factors.items():
        box.value = None if key == "adaptability" else 3
    form.factors["senior_leaders"].value = "choose"
    form.add_button.click()
    assert form.messages.kind == "error" and "Senior leaders" in form.messages.text
    form.factors["senior_leaders"].value = 1
    form.add_button.click()
    assert form.messages.kind == "success"
    assert form.assessment.ratings["Ann"]["senior_leaders"] == 1
    assert form.assessment.ratings["Ann"]["adaptability"] is None
    assert form.person.value == "" and form.factors["infrastructure"].value == "choose"
    assert len(form.result.outputs) == 2
    preview = form.static_preview()
    assert "Senior leaders" in preview and "Add my ratings" not in preview


def test_docstring_examples_run():
    for mod in (module, widget_module):
        result = doctest.testmod(mod)
        assert result.attempted >= 2 and result.failed == 0

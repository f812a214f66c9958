"""The QIKAT-R aim checks on a table of realistic health and social care aims."""
from __future__ import annotations

import pytest

from qilab import QIDataError
from qilab.tools.aim import AimCheck, AimStatement, check_aim

# (aim, system focused, says how much, says by when)
AIMS: list[tuple[str, bool, bool, bool]] = [
    # good aims
    ("Reduce falls on Ward 7 from 8 a month to 4 a month by March 2027.", True, True, True),
    ("Increase the proportion of patients discharged from the acute medical unit before 11am "
     "from 15% to 40% by 31 December 2026.", True, True, True),
    ("Increase flu vaccination uptake among residents of Oak House care home to 90% by the end "
     "of November 2026.", True, True, True),
    ("Reduce the number of people who did not attend their first appointment at Riverside "
     "surgery by 50% within 6 months.", True, True, True),
    ("Reduce the median wait for a first visit from the community rehabilitation team from 21 "
     "days to 10 days by September 2027.", True, True, True),
    ("Achieve zero category 3 or 4 pressure ulcers acquired in our care home by April 2027.",
     True, True, True),
    ("Halve the number of missed doses of critical medicines on the stroke unit within 12 months.",
     True, True, True),
    ("Ensure 95% of patients in the emergency department are screened for sepsis within 1 hour "
     "of arrival by the end of the year.", True, True, True),
    ("Reduce readmissions within 30 days for people with heart failure at Northgate practice "
     "from 18% to 12% by Q4 2027.", True, True, True),
    ("Increase the percentage of home care visits that start within 15 minutes of the planned "
     "time to 85% in the next 9 months.", True, True, True),
    ("By June 2027, 9 in 10 patients aged 75 and over on Ward 12 will have a delirium "
     "screen within 24 hours of admission.", True, True, True),
    ("Reduce average length of stay for older people on the frailty unit by 2 days by "
     "spring 2027.", True, True, True),
    ("Reduce the time from referral to first contact for the district nursing team to no "
     "more than 48 hours by 01/04/2027.", True, True, True),
    ("By March 2027, no patients in the emergency department will wait more than 12 hours "
     "for a bed.", True, True, True),
    ("Reduce unplanned admissions from Elm Lodge care home by a third within a year.",
     True, True, True),
    ("Cut agency spend on Ward 5 by £20,000 by March 2027.", True, True, True),
    # missing how much
    ("Improve the experience of carers of people with dementia at our memory clinic by "
     "December 2026.", True, False, True),
    ("Reduce falls in Ward 3 within 6 months.", True, False, True),
    ("Increase hand hygiene compliance in the surgical day unit by the end of the financial "
     "year.", True, False, True),
    # missing by when
    ("Reduce the number of complaints about phone access at the practice from 20 a month "
     "to 5 a month.", True, True, False),
    ("Increase the proportion of care plans reviewed with residents to 100%.", True, True, False),
    ("Ensure 95% of referrals are triaged within 2 days of receipt.", True, True, False),
    ("Reduce medication errors for patients under 5 on the children's ward.", True, False, False),
    # not focused on the system (blaming individuals)
    ("Staff must try harder to reduce falls by 50% by March 2027.", False, True, True),
    ("Nurses should remember to complete NEWS2 observations on time.", False, False, False),
    ("Carers need to be more careful when giving medicines so errors fall to zero by "
     "June 2027.", False, True, True),
    ("Retrain all receptionists so that complaints halve within 6 months.", False, True, True),
    # vague, nothing about the system
    ("Be the best in the country.", False, False, False),
    ("To do better.", False, False, False),
    ("Get it right first time, every time, by 2027.", False, False, True),
]


def test_table_is_big_and_balanced() -> None:
    assert len(AIMS) >= 20
    assert sum(all(row[1:]) for row in AIMS) >= 10
    assert sum(not all(row[1:]) for row in AIMS) >= 10


@pytest.mark.parametrize(("aim", "system", "how_much", "by_when"), AIMS,
                         ids=[a[:40] for a in (row[0] for row in AIMS)])
def test_each_aim_is_judged_right(aim: str, system: bool, how_much: bool, by_when: bool) -> None:
    result = check_aim(aim)
    assert (result.system_focused, result.how_much, result.by_when) == (system, how_much, by_when), \
        result.explain()
    assert result.passes == (system and how_much and by_when)
    assert result.score == system + how_much + by_when


def test_feedback_names_each_missing_part() -> None:
    result = check_aim("Improve discharge.")
    text = " ".join(result.feedback)
    assert "how much" in text and "by when" in text.lower()
    assert len(result.feedback) == 2
    blame = check_aim("Nurses should remember to do the falls checklist by May 2027, 100%.")
    assert not blame.system_focused and blame.how_much and blame.by_when
    assert "remember" in blame.feedback[0] and "system" in blame.feedback[0]


def test_good_aim_gets_praise_and_explains_evidence() -> None:
    result = check_aim("Reduce falls on Ward 7 from 8 a month to 4 a month by March 2027.")
    assert result.passes and result.feedback[0].startswith("Well done")
    explanation = result.explain()
    assert "3 of the 3" in explanation and "by March 2027" in explanation
    assert "from 8 a month to 4" in explanation


def test_years_and_standards_are_not_goals() -> None:
    # a year, a deadline period and a time-of-day are not numerical goals
    assert not check_aim("Improve discharges from Ward 2 before 11am by March 2027.").how_much
    assert not check_aim("Improve the number of patients seen within 4 hours in 6 months.").how_much
    # a waiting-time standard is not a deadline
    assert not check_aim("Increase to 90% the referrals seen within 6 weeks of referral.").by_when


def test_empty_and_wrong_type() -> None:
    empty = check_aim("   ")
    assert not empty.passes and empty.score == 0 and "empty" in empty.feedback[0]
    with pytest.raises(QIDataError) as info:
        check_aim(None)  # type: ignore[arg-type]
    assert info.value.field == "aim"


def test_to_dict_is_plain() -> None:
    data = check_aim("Reduce falls on Ward 7 by 50% by May 2027.").to_dict()
    assert data["passes"] is True and data["score"] == 3
    assert isinstance(data["feedback"], list) and isinstance(data["evidence"]["by_when"], list)


class TestAimStatement:
    def test_builds_a_passing_sentence(self) -> None:
        aim = AimStatement(what="increase the proportion of patients discharged before noon",
                           for_whom="from Ward 9", baseline="15%", goal=40, unit="%",
                           by_when="within 6 months")
        assert aim.text == ("Increase the proportion of patients discharged before noon from "
                            "Ward 9 from 15% to 40% within 6 months.")
        assert aim.check().passes

    def test_missing_parts_show_in_the_check(self) -> None:
        aim = AimStatement(what="Reduce falls", for_whom="on Ward 7")
        assert aim.text == "Reduce falls on Ward 7."
        check = aim.check()
        assert check.system_focused and not check.how_much and not check.by_when

    def test_goal_only(self) -> None:
        aim = AimStatement(what="Reduce missed visits", for_whom="for the home care team",
                           goal=2, unit="a week", by_when="by the end of 2027")
        assert aim.text == "Reduce missed visits for the home care team to 2 a week by the end of 2027."
        assert aim.check().passes

    def test_bad_numbers_name_the_field(self) -> None:
        with pytest.raises(QIDataError) as info:
            AimStatement(what="Reduce falls", baseline="lots", goal=4)
        assert info.value.field == "baseline"
        with pytest.raises(QIDataError) as info:
            AimStatement(what="Reduce falls", goal=float("nan"))
        assert info.value.field == "goal"

    def test_round_trip(self) -> None:
        aim = AimStatement(what="Reduce falls", for_whom="on Ward 7", baseline=8, goal=4,
                           unit="falls a month", by_when="March 2027")
        again = AimStatement.from_dict(aim.to_dict())
        assert again == aim and again.text == aim.text
        with pytest.raises(QIDataError) as info:
            AimStatement.from_dict({"what": "x", "colour": "red"})
        assert info.value.field == "colour"


def test_aimcheck_is_exported() -> None:
    import qilab

    assert qilab.check_aim is check_aim and qilab.AimCheck is AimCheck


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_a_consistent_check(text: str) -> None:
    result = check_aim(text)
    assert result.feedback and all(isinstance(s, str) and s for s in result.feedback)
    assert result.passes == (result.score == 3)
    # one feedback sentence for each missing part (or praise when nothing is missing)
    missing = (not result.system_focused) + (not result.how_much) + (not result.by_when)
    if text.strip():
        assert len(result.feedback) == max(1, missing)

"""PDSA cycles and the learner's PDSA log: validation, saving, recovery and ramps."""
from __future__ import annotations

import json
import os
import warnings
from datetime import date

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError, QIWarning, storage  # noqa: E402
from qilab.pdsa import PDSACycle, PDSALog, parse_date  # noqa: E402


def planned(title: str = "Falls leaflet, 1 patient", **extra) -> PDSACycle:
    fields = dict(title=title, aim="Reduce falls on Ward 7 from 8 to 4 a month by March 2027",
                  change_idea="Give the falls leaflet at admission",
                  questions="Will patients read it?\nHow long does it take?",
                  prediction="The patient will read it and it will take 2 minutes",
                  plan_who="Staff nurse on the early shift", plan_what="Give and explain the leaflet",
                  plan_where="Ward 7, bay 2", plan_when="14/03/2027",
                  plan_data="Time taken; whether the patient could say one tip back")
    fields.update(extra)
    return PDSACycle(**fields)


def complete(title: str, decision: str, **extra) -> PDSACycle:
    return planned(title, do_what_happened="Leaflet given", do_observations="Patient asleep at first",
                   do_date="15/03/2027", study_results="Took 4 minutes, not 2",
                   study_learning="Give it after lunch", act_decision=decision,
                   act_next_step="Try with 5 patients", **extra)


class TestCycle:
    def test_stages_move_on_as_fields_are_filled(self) -> None:
        cycle = PDSACycle(title="Teach-back")
        assert cycle.stage == "plan" and not cycle.can_start_do
        cycle = planned()
        assert cycle.stage == "do" and cycle.can_start_do
        cycle = cycle.replace(do_what_happened="Done", do_date=date(2027, 3, 14))
        assert cycle.stage == "study"
        cycle = cycle.replace(study_results="As predicted", study_learning="It works")
        assert cycle.stage == "act"
        cycle = cycle.replace(act_decision="Adopt", act_next_step="Use for every admission")
        assert cycle.stage == "complete" and cycle.act_decision == "adopt"

    def test_no_prediction_no_do(self) -> None:
        cycle = planned(prediction="  ")
        assert not cycle.can_start_do and cycle.stage == "plan"
        assert cycle.missing("plan") == ["prediction"]
        message = cycle.problems("plan")[0]
        assert "prediction" in message and "compare" in message

    @pytest.mark.parametrize(("kwargs", "field"), [
        ({"plan_when": "31/02/2027"}, "plan_when"),
        ({"plan_when": "next Tuesday"}, "plan_when"),
        ({"do_date": "2027-13-01"}, "do_date"),
        ({"do_date": "01/03/2027"}, "do_date"),  # before the planned 14/03/2027
        ({"act_decision": "keep"}, "act_decision"),
        ({"title": "   "}, "title"),
        ({"id": "C1", "follows": "C1"}, "follows"),
        ({"prediction": 5}, "prediction"),
        ({"questions": 3}, "questions"),
    ])
    def test_bad_input_names_the_field(self, kwargs, field) -> None:
        with pytest.raises(QIDataError) as info:
            planned(**kwargs)
        assert info.value.field == field
        assert field in str(info.value)

    def test_do_date_before_plan_says_both(self) -> None:
        with pytest.raises(QIDataError, match="1 Mar 2027, before the planned date 14 Mar 2027"):
            planned(do_date="01/03/2027")

    def test_dates_in_both_styles(self) -> None:
        assert parse_date("2027-03-14") == parse_date("14/03/2027") == date(2027, 3, 14)
        assert parse_date("") is None and parse_date(None) is None

    def test_round_trip(self) -> None:
        cycle = complete("Leaflet", "adapt", id="C3", follows="C2")
        data = cycle.to_dict()
        assert data["plan_when"] == "2027-03-14" and data["stage"] == "complete"
        json.dumps(data)
        assert PDSACycle.from_dict(data) == cycle
        with pytest.raises(QIDataError) as info:
            PDSACycle.from_dict({**data, "colour": "red"})
        assert info.value.field == "colour"

    def test_markdown(self) -> None:
        text = complete("Leaflet", "adapt", id="C1").to_markdown()
        assert text.startswith("### C1: Leaflet") and "| Prediction |" in text
        assert "| Decision | Adapt |" in text


class TestLog:
    def test_add_reopen_update(self, tmp_path) -> None:
        path = tmp_path / "learner" / "pdsa.json"
        log = PDSALog(path)
        assert len(log) == 0 and not path.exists()
        first = log.add(planned())
        assert first.id == "C1" and path.exists()
        second = log.add(planned("Leaflet, 5 patients", follows="C1"))
        again = PDSALog(path)
        assert again.cycles == [first, second]
        assert again.recovered_from is None
        updated = again.update("C2", do_what_happened="Gave 5", do_date="20/03/2027")
        assert PDSALog(path).get("C2") == updated and updated.stage == "study"
        doc = json.loads(path.read_text())
        assert doc["schema"] == "qilab.pdsa_log" and doc["schema_version"] == 1

    def test_bad_links_and_ids(self, tmp_path) -> None:
        log = PDSALog(tmp_path / "pdsa.json")
        with pytest.raises(QIDataError) as info:
            log.add(planned(follows="C9"))
        assert info.value.field == "follows"
        log.add(planned(id="A"))
        with pytest.raises(QIDataError) as info:
            log.add(planned(id="A"))
        assert info.value.field == "id"
        with pytest.raises(QIDataError) as info:
            log.get("nope")
        assert info.value.field == "id" and "A" in str(info.value)
        log.add(planned(id="B", follows="A"))
        with pytest.raises(QIDataError) as info:  # a loop A -> B -> A
            log.update("A", follows="B")
        assert info.value.field == "follows"
        assert log.get("A").follows is None

    def test_crash_mid_save_keeps_the_old_file(self, tmp_path, monkeypatch) -> None:
        path = tmp_path / "pdsa.json"
        log = PDSALog(path)
        log.add(planned())
        before = path.read_bytes()

        def crash(*args, **kwargs):
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(os, "fsync", crash)
        with pytest.raises(OSError):
            log.add(planned("Second"))
        monkeypatch.undo()
        assert path.read_bytes() == before
        assert [p.name for p in tmp_path.iterdir()] == ["pdsa.json"]  # no temp file left
        assert len(log) == 1  # memory matches the file
        monkeypatch.setattr(os, "replace", crash)
        with pytest.raises(OSError):
            log.update("C1", prediction="Something else")
        monkeypatch.undo()
        assert path.read_bytes() == before and log.get("C1").prediction.startswith("The patient")

    @pytest.mark.parametrize("damage", [
        b"{not json at all",
        b"\xff\xfe\x00garbage",
        json.dumps({"schema": "qilab.pdsa_log", "schema_version": 1,
                    "cycles": [{"title": "x", "plan_when": "31/02/2027"}]}).encode(),
        json.dumps({"schema": "qilab.pdsa_log", "schema_version": 1, "cycles": "oops"}).encode(),
        json.dumps({"schema": "qilab.pdsa_log", "schema_version": 1,
                    "cycles": [{"title": "x", "id": "C1", "follows": "C7"}]}).encode(),
    ])
    def test_corrupt_log_is_set_aside(self, tmp_path, damage) -> None:
        path = tmp_path / "pdsa.json"
        path.write_bytes(damage)
        with pytest.warns(QIWarning) as caught:
            log = PDSALog(path)
        assert log.recovered_from is not None and log.recovered_from.exists()
        assert log.recovered_from.read_bytes() == damage
        assert log.recovered_from.name in str(caught[0].message)
        assert len(log) == 0 and not path.exists()
        log.add(planned())
        assert len(PDSALog(path)) == 1 and log.recovered_from.read_bytes() == damage

    def test_other_or_newer_files_are_not_touched(self, tmp_path) -> None:
        path = tmp_path / "pdsa.json"
        storage.write_document(path, "qilab.pdsa_log", 99, {"cycles": []})
        before = path.read_bytes()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(QIDataError) as info:
                PDSALog(path)
        assert info.value.field == "schema_version" and path.read_bytes() == before
        storage.write_document(path, "qilab.aim", 1, {})
        with pytest.raises(QIDataError):
            PDSALog(path)
        assert len(list(tmp_path.iterdir())) == 1

    def test_ramps_frame_csv_markdown(self, tmp_path) -> None:
        log = PDSALog(tmp_path / "pdsa.json")
        log.add(complete("Leaflet, 1 patient", "adapt"))                    # C1
        log.add(complete("Leaflet after lunch, 5 patients", "adopt", follows="C1"))  # C2
        log.add(planned("Bed rails check"))                                # C3
        log.add(complete("Leaflet, whole bay", "abandon", follows="C2"))    # C4
        log.add(planned("Leaflet in Polish", follows="C2"))                # C5: a fork
        assert [[c.id for c in r] for r in log.ramps()] == [["C1", "C2", "C4"], ["C1", "C2", "C5"],
                                                            ["C3"]]
        frame = log.to_frame()
        assert list(frame["id"]) == ["C1", "C2", "C3", "C4", "C5"]
        assert frame.set_index("id").loc["C4", "position"] == 3
        assert frame.set_index("id").loc["C3", "stage"] == "do"
        out = log.to_csv(tmp_path / "exports" / "pdsa.csv")
        again = pd.read_csv(out)
        assert len(again) == 5 and again.loc[0, "act_decision"] == "adapt"
        text = log.to_markdown()
        assert "## Ramp 1: Leaflet, 1 patient" in text and "C1 (adapt) → C2 (adopt) → C4 (abandon)" in text
        assert text.count("### C2:") == 1

    def test_plot_ramp_uses_shapes_and_words(self, tmp_path) -> None:
        log = PDSALog(tmp_path / "pdsa.json")
        log.add(complete("Leaflet", "adapt"))
        log.add(complete("Leaflet again", "adopt", follows="C1"))
        log.add(planned("New idea", follows="C2"))
        ax = log.plot_ramp()
        texts = [t.get_text() for t in ax.texts]
        assert any("ADAPT" in t for t in texts) and any("ADOPT" in t for t in texts)
        assert any("15 Mar 2027" in t for t in texts) and any("(Do stage)" in t for t in texts)
        markers = {h.get_marker() for h in ax.get_legend().legend_handles}
        assert {"^", "s", "X", "o"} <= markers
        alt = log.alt_text()
        assert "3 cycles in 1 ramp" in alt and "C1 'Leaflet' on 15 Mar 2027 (adapt)" in alt
        from qilab.display import show
        shown = show(ax, alt)
        assert shown.png.startswith(b"\x89PNG")
        plt.close("all")

    def test_empty_log_views(self, tmp_path) -> None:
        log = PDSALog(tmp_path / "pdsa.json")
        assert "No cycles" in log.to_markdown() and "no cycles" in log.alt_text()
        ax = log.plot_ramp()
        assert ax is not None
        assert list(log.to_frame().columns)[:2] == ["id", "title"]
        plt.close("all")


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=100, deadline=None)
@given(title=_text.filter(lambda t: t.strip()), prediction=_text, questions=st.lists(_text, max_size=3),
       when=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
       days=st.integers(min_value=0, max_value=400),
       decision=st.sampled_from(["", "adopt", "adapt", "abandon", "ADOPT"]))
def test_round_trip_any_cycle(title, prediction, questions, when, days, decision) -> None:
    from datetime import timedelta

    cycle = PDSACycle(title=title, prediction=prediction, questions=questions, plan_when=when,
                      do_date=when + timedelta(days=days), act_decision=decision)
    data = json.loads(json.dumps(cycle.to_dict()))
    assert PDSACycle.from_dict(data) == cycle
    assert cycle.can_start_do is False or cycle.prediction

"""Process map: model, validation, words and the swim-lane drawing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.process_map import ProcessMap, Step  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def discharge() -> ProcessMap:
    return ProcessMap("Discharge on the day of the decision", [
        Step("Consultant decides patient can go home", "start", "Doctors",
             next="Discharge summary written"),
        Step("Discharge summary written", lane="Doctors", next="Medicines needed?"),
        Step("Medicines needed?", "decision", "Pharmacy",
             yes="Pharmacy prepares take-home medicines", no="Transport needed?"),
        Step("Pharmacy prepares take-home medicines", lane="Pharmacy",
             next="Medicines checked with patient"),
        Step("Medicines checked with patient", lane="Nurses", next="Transport needed?"),
        Step("Transport needed?", "decision", "Nurses", yes="Transport booked",
             no="Patient leaves the ward"),
        Step("Transport booked", lane="Porters and transport", next="Transport arrives on time?"),
        Step("Transport arrives on time?", "decision", "Porters and transport",
             yes="Patient leaves the ward", no="Transport booked"),
        Step("Patient leaves the ward", "end", "Nurses"),
    ])


def test_lanes_order_and_reading_order():
    pm = discharge()
    assert pm.lanes == ("Doctors", "Pharmacy", "Nurses", "Porters and transport")
    order = [s.name for s in pm.ordered_steps()]
    assert order[0] == "Consultant decides patient can go home"
    assert order[-1] == "Patient leaves the ward"
    assert order.index("Transport booked") < order.index("Transport arrives on time?")


def test_explicit_lanes_fix_order_and_spelling():
    pm = ProcessMap("T", [Step("S", "start", "nurse", next="E"), Step("E", "end", "doctor")],
                    lanes=["Doctor", "Nurse"])
    assert pm.lanes == ("Doctor", "Nurse") and pm.step("s").lane == "Nurse"
    with pytest.raises(QIDataError, match="lane 'Porter'"):
        ProcessMap("T", [Step("S", "start", "Porter", next="E"), Step("E", "end", "Nurse")],
                   lanes=["Nurse"])


def test_round_trip(tmp_path):
    pm = discharge()
    assert ProcessMap.from_dict(pm.to_dict()) == pm
    assert ProcessMap.load_json(pm.save_json(tmp_path / "pm.json")) == pm


def steps(*extra):
    return [Step("Start", "start", next="A"), Step("A", next="End"), Step("End", "end"), *extra]


@pytest.mark.parametrize("step_list, words, field", [
    ([Step("A", next="B"), Step("B", "end")], "no start step", "steps"),
    ([Step("S", "start", next="A"), Step("A", next="S"), Step("E", "end")],
     "points back at the start", "A"),
    ([Step("S", "start", next="A"), Step("A", next="A2"), Step("A2", next="A")], "no end step",
     "steps"),
    (steps(Step("Orphan", next="End")), "'Orphan' cannot be reached", "Orphan"),
    ([Step("Start", "start", next="D"), Step("D", "decision", yes="End"), Step("End", "end")],
     "Decision 'D' has no 'no' branch", "D"),
    ([Step("Start", "start", next="Missing"), Step("End", "end")],
     "next step of 'Start' is 'Missing', which is not a step", "Start"),
    ([Step("Start", "start", next="D"), Step("D", "decision", yes="End", no="Nowhere"),
      Step("End", "end")], "'no' branch of 'D' is 'Nowhere'", "D"),
    ([Step("Start", "start", next="A"), Step("A"), Step("End", "end")],
     "Step 'A' has no next step", "A"),
    ([Step("Start", "start", next="End"), Step("End", "end", next="Start")],
     "End step 'End' leads", "End"),
    (steps(Step("a", next="End")), "Two steps are called 'a'", "a"),
    ([Step("Start", "start", next="E", yes="E"), Step("E", "end")], "not a decision", "Start"),
])
def test_validation_names_the_step(step_list, words, field):
    with pytest.raises(QIDataError, match=words) as info:
        ProcessMap("Test", step_list)
    assert info.value.field == field


def test_step_checks():
    with pytest.raises(QIDataError, match="kind 'loop'"):
        Step("X", "loop")
    with pytest.raises(QIDataError, match="Step name is empty"):
        Step("  ")
    with pytest.raises(QIDataError, match="unknown field"):
        ProcessMap("T", [{"name": "S", "kind": "start", "then": "E"}])
    with pytest.raises(QIDataError, match="needs steps"):
        ProcessMap("T", [])


def test_words():
    text = discharge().explain()
    assert text.startswith("Process map: Discharge on the day of the decision. It has 9 steps, "
                           "3 decisions, in 4 swim lanes")
    assert ("Decision 'Transport arrives on time?' (Porters and transport): if yes, go to "
            "'Patient leaves the ward'; if no, go to 'Transport booked'.") in text
    assert discharge().alt_text().startswith("Swim-lane flowchart.")


def test_renderer_mid_size_example():
    pm = discharge()
    ax = pm.plot()
    texts = [t.get_text().replace("\n", " ") for t in ax.texts]
    for s in pm.steps:
        assert s.name in texts, s.name
    for lane in pm.lanes:
        assert lane in texts
    assert texts.count("Yes") == 3 and texts.count("No") == 3
    assert text_overlaps(ax) == []
    assert ax.figure.get_size_inches()[0] <= 13


def test_renderer_loop_and_single_lane():
    pm = ProcessMap("Ask until answered", [
        Step("Phone rings", "start", next="Answer"), Step("Answer", next="Caller happy?"),
        Step("Caller happy?", "decision", yes="Close call", no="Answer"),
        Step("Close call", "end")])
    ax = pm.plot()
    assert "(no lane)" in [t.get_text() for t in ax.texts]
    assert text_overlaps(ax) == []


def test_exports(tmp_path):
    pm = discharge()
    assert "<svg" in pm.save_svg(tmp_path / "pm.svg").read_text(encoding="utf-8")
    assert pm.save_png(tmp_path / "pm.png").read_bytes()[:4] == b"\x89PNG"

"""Fishbone: model, validation, words and drawing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.fishbone import DEFAULT_CATEGORIES, Fishbone  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def discharges() -> Fishbone:
    return Fishbone("Patients discharged after 5 pm on the surgical wards", {
        "People": ["Junior doctors on theatre duty in the morning",
                   "No discharge coordinator at weekends", "Nurses busy with drug rounds"],
        "Methods and processes": ["Take-home medicines written late",
                                  "Ward round finishes at noon", "Transport booked on the day"],
        "Equipment": ["Too few computers on the ward", "E-prescribing slow"],
        "Environment": ["Discharge lounge closes at 4 pm", "Bed meetings twice a day"],
        "Materials and supplies": ["Dressings and medicines not ready"],
        "Measurement and policies": ["Discharge time not recorded reliably",
                                     "Policy says senior review needed",
                                     "No target for morning discharges"]})


def test_default_categories_are_the_documented_set():
    f = Fishbone("Missed doses")
    assert tuple(f.category_names()) == DEFAULT_CATEGORIES
    assert len(DEFAULT_CATEGORIES) == 6 and f.n_causes() == 0


def test_categories_as_list_of_names_and_dicts():
    f = Fishbone("E", ["People", {"name": "Kit", "causes": "Broken hoist"}])
    assert f.to_dict()["categories"] == [{"name": "People", "causes": []},
                                         {"name": "Kit", "causes": ["Broken hoist"]}]


def test_round_trip(tmp_path):
    f = discharges()
    assert Fishbone.from_dict(f.to_dict()) == f
    assert Fishbone.load_json(f.save_json(tmp_path / "f.json")) == f


@pytest.mark.parametrize("args, words", [
    (("",), "Effect"),
    (("E", {}), "at least one category"),
    (("E", {"People": ["a"], "people": ["b"]}), "Category 'people' appears twice"),
    (("E", {"People": ["Tired", "tired "]}), "listed twice under 'People'"),
    (("E", {"People": ["ok", ""]}), "Cause 2 under 'People'"),
    (("E", "People"), "not a single string"),
])
def test_validation(args, words):
    with pytest.raises(QIDataError, match=words):
        Fishbone(*args)


def test_words():
    f = discharges()
    assert "Environment: Discharge lounge closes at 4 pm; Bed meetings twice a day." in f.explain()
    assert "14 causes" in f.explain()
    assert f.to_markdown().splitlines()[2] == ("**Effect:** Patients discharged after 5 pm on "
                                               "the surgical wards")
    assert "_(no causes yet)_" in Fishbone("E").to_markdown()


def test_renderer_draws_effect_categories_and_causes_without_overlap():
    f = discharges()
    ax = f.plot()
    texts = {t.get_text().replace("\n", " ") for t in ax.texts}
    assert f.effect in texts
    for cat in f.categories:
        assert cat.name in texts
        for cause in cat.causes:
            assert cause in texts
    assert text_overlaps(ax) == []
    assert ax.figure.get_size_inches()[0] <= 11


@pytest.mark.parametrize("n", [1, 3, 5])
def test_odd_and_small_numbers_of_categories_render(n):
    cats = {f"Category {i}": [f"Cause {i}.{j}" for j in range(3)] for i in range(n)}
    ax = Fishbone("An effect", cats).plot()
    assert text_overlaps(ax) == []


def test_exports(tmp_path):
    f = discharges()
    assert "<svg" in f.save_svg(tmp_path / "f.svg").read_text(encoding="utf-8")
    assert f.save_png(tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"

"""Five whys: model, words and the vertical drawing."""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from qilab import QIDataError  # noqa: E402
from qilab.tools._drawing import text_overlaps  # noqa: E402
from qilab.tools.five_whys import FiveWhys  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def insulin(n: int = 5) -> FiveWhys:
    whys = ["The nurse was still on the drug round", "The round started late",
            "Handover ran over by 40 minutes",
            "Handover is verbal at the bedside for all 28 patients",
            "Nobody has tested another way", "The ward has never had time to try",
            "Cover for training is not funded"]
    return FiveWhys("Patient's 8 am insulin was given at 10 am", whys[:n],
                    root_cause="Handover is long because it is verbal for every patient",
                    countermeasure="Test a written handover sheet on one bay for one week")


def test_depth_and_completeness():
    assert insulin().depth == 5 and insulin().is_complete()
    assert insulin(7).depth == 7  # more than five is fine
    draft = FiveWhys("Late", ["Notes missing"])
    assert not draft.is_complete()


def test_round_trip(tmp_path):
    fw = insulin()
    assert FiveWhys.from_dict(fw.to_dict()) == fw
    assert FiveWhys.load_json(fw.save_json(tmp_path / "fw.json")) == fw


@pytest.mark.parametrize("kwargs, words", [
    (dict(problem="", whys=["a"]), "Problem is empty"),
    (dict(problem="P", whys=[]), "at least one answer"),
    (dict(problem="P", whys=["a", " "]), "Why 2 is empty"),
    (dict(problem="P", whys=["a"], countermeasure="Do X"), "no root cause"),
])
def test_validation(kwargs, words):
    with pytest.raises(QIDataError, match=words):
        FiveWhys(**kwargs)


def test_markdown_and_words():
    md = insulin().to_markdown()
    assert "5. Why? Nobody has tested another way" in md
    assert "**Counter-measure:** Test a written handover sheet" in md
    text = insulin().explain()
    assert "asked why 5 times" in text and "Why 3: Handover ran over by 40 minutes." in text
    assert "not agreed yet" in FiveWhys("P", ["a"]).explain()


def test_renderer():
    fw = insulin(7)
    ax = fw.plot()
    texts = [t.get_text().replace("\n", " ") for t in ax.texts]
    for w in fw.whys:
        assert w in texts
    assert "Why 7?" in texts and "Root cause" in texts and "Counter-measure" in texts
    assert text_overlaps(ax) == []


def test_exports(tmp_path):
    assert "<svg" in insulin().save_svg(tmp_path / "w.svg").read_text(encoding="utf-8")
    assert insulin().save_png(tmp_path / "w.png").read_bytes()[:4] == b"\x89PNG"

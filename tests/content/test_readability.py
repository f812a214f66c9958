"""The Aware pathway page must read easily for patients and the public: Flesch reading ease
of 60 or more on its prose (MyST markup, links and code removed)."""
from __future__ import annotations

import pytest

from ._pages import ROOT, prose, read

textstat = pytest.importorskip("textstat")


def _flesch(text: str, monkeypatch: pytest.MonkeyPatch) -> float:
    # textstat counts syllables with the CMU pronouncing dictionary, which nltk downloads on
    # first use. Offline (CI, NHS networks) that download fails; then fall back to textstat's
    # own Pyphen hyphenation count, which it already uses for words not in the dictionary.
    import nltk
    from textstat.backend.counts import _count_syllables

    try:
        nltk.data.find("corpora/cmudict")
    except LookupError:
        monkeypatch.setattr(_count_syllables, "get_cmudict", lambda lang: None)
        _count_syllables.count_syllables.cache_clear()
    try:
        return textstat.flesch_reading_ease(text)
    finally:
        _count_syllables.count_syllables.cache_clear()


def test_prose_helper_strips_markup():
    text = "# A heading\n\nRead [the glossary](../x.md) and {cite:p}`key`.\n\n```{code-cell} ipython3\nimport qilab\n```\n"
    out = prose(text)
    assert "glossary" in out and "../x.md" not in out and "qilab" not in out and "cite" not in out


@pytest.mark.parametrize("page", ["book/pathways/aware.md"])
def test_aware_page_reads_easily(page, monkeypatch):
    score = _flesch(prose(read(ROOT / page)), monkeypatch)
    assert score >= 60, f"{page} scores {score:.1f} on Flesch reading ease; Aware pages need 60 or more"

"""The aim builder, driven headlessly as a learner would use it."""
from __future__ import annotations

import json
import os

import ipywidgets as widgets
import pytest

from qilab.widgets.aim import AimBuilder


def _fill(builder: AimBuilder, **parts: str) -> None:
    for name, value in parts.items():
        getattr(builder, name).value = value


def test_every_field_has_a_visible_label() -> None:
    builder = AimBuilder()
    for field in builder._fields():
        assert field.description.strip()
        assert field.style.description_width == "initial"
    assert builder.check_button.description == "Check my aim"


def test_good_aim_from_parts() -> None:
    builder = AimBuilder()
    _fill(builder, what="Reduce falls", for_whom="among residents of Oak House care home",
          baseline="8", goal="4", unit="falls a month", by_when="March 2027")
    assert "Reduce falls among residents of Oak House" in builder.preview.value
    builder.check_button.click()
    assert builder.messages.kind == "success"
    value = builder.value
    assert value["passes"] and value["score"] == 3
    assert value["parts"]["goal"] == 4.0
    json.dumps(value)  # plain values only


def test_missing_parts_get_friendly_feedback() -> None:
    builder = AimBuilder()
    _fill(builder, what="Reduce falls", for_whom="on Ward 7")
    builder.check_button.click()
    assert builder.messages.kind == "warning"
    assert "1 of the 3" in builder.messages.text
    assert "how much" in builder.messages.text and "by when" in builder.messages.text.lower()
    assert builder.value["passes"] is False


def test_bad_number_is_named_and_fields_are_kept() -> None:
    builder = AimBuilder()
    _fill(builder, what="Reduce falls", for_whom="on Ward 7", baseline="lots", goal="4",
          unit="falls a month", by_when="March 2027")
    result = builder.check()
    assert result is None
    assert builder.messages.kind == "error" and "baseline" in builder.messages.text
    assert builder.baseline.value == "lots" and builder.what.value == "Reduce falls"
    assert builder.value["problem"] and builder.value["passes"] is False
    builder.baseline.value = "8"
    builder.check_button.click()
    assert builder.messages.kind == "success"


def test_own_words_take_priority() -> None:
    builder = AimBuilder(what="Reduce falls")
    builder.own_words.value = "Nurses should remember to check lying and standing blood pressure."
    builder.check_button.click()
    assert builder.value["text"].startswith("Nurses should remember")
    assert builder.value["system_focused"] is False
    assert "system" in builder.messages.text


def test_save_is_schema_versioned(tmp_path) -> None:
    builder = AimBuilder(what="Reduce falls", for_whom="on Ward 7", baseline="8", goal="4",
                        unit="falls a month", by_when="March 2027")
    path = builder.save(tmp_path / "aim.json")
    doc = json.loads(path.read_text())
    assert doc["schema"] == "qilab.aim" and doc["schema_version"] == 1
    assert doc["aim"]["passes"] is True


def test_failed_save_keeps_the_old_file_and_fields(tmp_path, monkeypatch) -> None:
    target = tmp_path / "aim.json"
    builder = AimBuilder(what="Reduce falls", for_whom="on Ward 7", goal="4", unit="a month",
                        by_when="March 2027")
    builder.save(target)
    before = target.read_bytes()
    builder.goal.value = "2"

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        builder.save(target)
    assert target.read_bytes() == before
    assert builder.goal.value == "2" and builder.messages.kind == "error"
    assert "still here" in builder.messages.text
    assert [p.name for p in tmp_path.iterdir()] == ["aim.json"]


def test_is_a_widget_export() -> None:
    import qilab.widgets

    assert qilab.widgets.AimBuilder is AimBuilder
    assert isinstance(AimBuilder(), widgets.VBox)

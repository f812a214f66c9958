"""The docstring examples of qilab.programme stay true (they are its first documentation)."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["qilab.programme.db", "qilab.programme.identity", "qilab.programme.values",
           "qilab.programme.importer", "qilab.programme.frames", "qilab.programme.models",
           "qilab.programme.scenarios", "qilab.programme.synthetic",
           "qilab.programme.suppression", "qilab.programme.reach",
           "qilab.programme.outcomes", "qilab.programme.knowledge", "qilab.programme.report",
           "qilab.programme.matching", "qilab.programme.gallery", "qilab.programme.scoring",
           "qilab.programme.dashboard"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name),
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

"""Run the docstring examples of the PDSA, aim and measure modules and their widgets.

The examples are the API's first documentation, so they must stay true.
"""
from __future__ import annotations

import doctest
import importlib

import matplotlib
import pytest

matplotlib.use("Agg")

MODULES = ["qilab.pdsa", "qilab.tools.aim", "qilab.tools.measures", "qilab.widgets.forms",
           "qilab.widgets.aim", "qilab.widgets.pdsa", "qilab.widgets.measures"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0

"""The examples in the simulators' docstrings run and give what they say."""
from __future__ import annotations

import doctest
import importlib

import matplotlib
import pytest

matplotlib.use("Agg")

MODULES = ["qilab.sims", "qilab.sims._common", "qilab.sims.red_beads", "qilab.sims.funnel",
           "qilab.sims.dice", "qilab.sims.helicopter", "qilab.sims.helicopter_template",
           "qilab.sims.team_game"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    import matplotlib.pyplot as plt

    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    plt.close("all")
    assert result.failed == 0
    if name != "qilab.sims":
        assert result.attempted > 0, f"{name} has no docstring examples"


@pytest.mark.parametrize("name", MODULES[2:])
def test_public_names_have_docstrings(name):
    module = importlib.import_module(name)
    for public in module.__all__:
        obj = getattr(module, public)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name}.{public} has no docstring"

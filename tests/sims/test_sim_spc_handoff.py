"""Each simulator's hand-off to qilab.spc gives arguments that qilab.spc accepts.

The simulators do no SPC maths; these tests only check that the data and arguments they hand
over are what :func:`qilab.spc` expects. They are skipped if qilab.spc is not available.
"""
from __future__ import annotations

import pytest

from qilab.sims import dice
from qilab.sims import helicopter as hc
from qilab.sims import red_beads as rb


@pytest.fixture(scope="module")
def spc():
    try:
        from qilab import spc
    except (ImportError, AttributeError):
        pytest.skip("qilab.spc is not in this checkout")
    return spc


@pytest.mark.parametrize("make", [
    lambda: rb.spc_handoff(rb.run_red_beads(seed=1)),
    lambda: rb.spc_handoff(rb.run_red_beads(
        changes=[rb.change_the_system(rb.BeadBox(), red_share=0.1, from_day=3)], seed=1)),
    lambda: dice.spc_handoff(dice.roll_days(days=30, loaded_from=16, seed=2)),
    lambda: hc.spc_handoff(hc.simulate_potato_team("A", rounds=8, seed=1), "A"),
    lambda: hc.spc_handoff(hc.simulate_team("B", rounds=8, seed=1), "B"),
], ids=["red-beads", "red-beads-changed", "dice", "potato-head", "helicopter"])
def test_handoff_is_accepted_by_qilab_spc(spc, make):
    h = make()
    direct = spc(h.data, **h.kwargs)
    via = h.spc()
    assert type(direct).__name__ == type(via).__name__
    assert h.chart in ("p", "i", "run")

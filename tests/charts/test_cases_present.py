"""The reference cases must be there when CI runs, or the chart tests would prove nothing."""
from __future__ import annotations

import pytest
from _cases import CASES_DIR, in_ci, missing_reason


def test_reference_cases_are_present():
    if not CASES_DIR.is_dir():
        if in_ci():
            pytest.fail(missing_reason())
        pytest.skip(missing_reason())
    ids = {p.name[:2] for p in CASES_DIR.glob("*.json")}
    assert {"01", "02", "04", "05", "06", "09", "11", "13", "15", "16", "18", "22", "23",
            "25"} <= ids

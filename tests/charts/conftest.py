"""Fixtures for the chart tests: where the shared SPC reference cases live."""
from __future__ import annotations

from pathlib import Path

import pytest
from _cases import CASES_DIR, missing_reason


@pytest.fixture
def cases_dir() -> Path:
    """The reference-case folder; skips (with the reason) only if it is absent."""
    if not CASES_DIR.is_dir():
        pytest.skip(missing_reason())
    return CASES_DIR

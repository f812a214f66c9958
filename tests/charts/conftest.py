"""Fixtures for the chart tests: where the shared SPC reference cases live."""
from __future__ import annotations

from pathlib import Path

import pytest

#: /work/shared/reference/spc-cases, found relative to this file (repo/tests/charts/..).
CASES_DIR = (Path(__file__).resolve().parents[2] / ".." / "shared" / "reference"
             / "spc-cases").resolve()


@pytest.fixture
def cases_dir() -> Path:
    """The reference-case folder; skips (with the reason) only if it is absent."""
    if not CASES_DIR.is_dir():
        pytest.skip(f"SPC reference cases not found at {CASES_DIR}")
    return CASES_DIR

"""Where the shared SPC reference cases live.

They sit in ``../shared/reference/spc-cases`` beside the repository (as on developers'
machines and in CI), or wherever ``QILAB_SPC_CASES`` points. On a machine without them the
case tests are skipped with the reason; in CI (``CI=true``) their absence is a failure, so a
green CI always means the cases ran.
"""
from __future__ import annotations

import os
from pathlib import Path

CASES_DIR = Path(os.environ.get("QILAB_SPC_CASES") or
                 Path(__file__).resolve().parents[2].parent / "shared" / "reference"
                 / "spc-cases").resolve()


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def missing_reason() -> str:
    return (f"SPC reference cases not found at {CASES_DIR}; set QILAB_SPC_CASES to the "
            "spc-cases folder")

"""Run one notebook in a fresh kernel and report each cell's errors, as JSON.

Used by the exercise tests, in a subprocess each, so that several notebooks run at once:

    python _nbrun.py SPEC.json

SPEC holds ``notebook`` (path), ``cwd`` (the kernel's folder), ``env`` (variables to set) and
``replace`` (grade_id -> new source, for simulating a learner's answers).
"""
from __future__ import annotations

import json
import os
import sys

import nbformat
from nbclient import NotebookClient


def run(spec: dict) -> list[dict]:
    """Execute the notebook; one record per cell: grade_id, error (or None) and stderr text."""
    nb = nbformat.read(spec["notebook"], as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in spec.get("replace", {}):
            cell.source = spec["replace"][gid]
    os.environ.update(spec.get("env", {}))
    for name in spec.get("unset", []):
        os.environ.pop(name, None)
    client = NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": spec["cwd"]}})
    client.execute()
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in cell.outputs
                  if o.output_type == "error"]
        stderr = "".join(o.get("text", "") for o in cell.outputs
                         if o.output_type == "stream" and o.name == "stderr")
        stdout = "".join(o.get("text", "") for o in cell.outputs
                         if o.output_type == "stream" and o.name == "stdout")
        meta = cell.metadata.get("nbgrader", {})
        out.append({"grade_id": meta.get("grade_id"), "grade": bool(meta.get("grade")),
                    "solution": bool(meta.get("solution")), "error": errors[0] if errors else None,
                    "stderr": stderr, "stdout": stdout})
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as fh:
        print(json.dumps(run(json.load(fh))))

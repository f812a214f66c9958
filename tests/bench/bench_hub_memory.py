"""Benchmark (make bench): memory of one learner's server with the real M1 notebooks and the
Voila dashboards, and the nodes that means for 100, 300 and 1000 learners.

The work is done by deploy/measure_memory.py (see its docstring); the figures go to
_build/bench/hub_memory.json and into the sizing table in deploy/README.md.
"""
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).resolve().parents[2] / "deploy" / "measure_memory.py"
    sys.argv = [str(script)]
    runpy.run_path(str(script), run_name="__main__")

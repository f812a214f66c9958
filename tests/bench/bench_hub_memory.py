"""Benchmark (make bench): memory and CPU of one learner's server with the real M1 notebooks,
the Voila dashboards and, where Debian's chromium is installed, JupyterLab in a browser working
through M1; and the nodes that means for 100, 300 and 1000 learners, per managed cluster.

The work is done by deploy/measure_memory.py (see its docstring); the figures go to
_build/bench/hub_memory.json and into the sizing tables in deploy/README.md.
"""
import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    script = Path(__file__).resolve().parents[2] / "deploy" / "measure_memory.py"
    sys.argv = [str(script)] + (["--browser"] if Path("/usr/bin/chromium").exists() else [])
    runpy.run_path(str(script), run_name="__main__")

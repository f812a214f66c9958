"""Tests of the workshop simulators in qilab.sims (issue 7)."""

"""Seeded simulators for the workshop games.

Every game works live (teams type in results) and simulated (seeded random numbers, no
props). Each module is plain dataclasses and functions; each run takes a ``seed`` (the same
seed gives the same DataFrame) and returns a tidy frame, one row an observation. Charts of
results go through :func:`qilab.spc` by a documented hand-off (``spc_handoff(df)`` returns
the frame and the arguments, so ``qilab.spc(h.data, **h.kwargs)``); the simulators do no SPC
maths themselves. Plot helpers return a matplotlib Axes, and ``alt_text(...)`` describes it
for :func:`qilab.show`.

- :mod:`qilab.sims.red_beads` — Deming's red beads: ``run_red_beads``, ``leaderboard``,
  ``change_the_system`` and the hypergeometric and binomial theory.
- :mod:`qilab.sims.funnel` — Deming's funnel, rules 1–4: ``run_funnel``, ``spread``,
  ``theoretical_variance_ratio``.
- :mod:`qilab.sims.dice` — daily totals with a secretly loaded die: ``roll_days``,
  ``public_view``, ``reveal``.
- :mod:`qilab.sims.helicopter` — teaching models (not physics) for the paper helicopter, coin
  spin and Mr Potato Head, with simulated PDSA teams.
- :mod:`qilab.sims.team_game` — the live team game's results store (SQLite, WAL mode), safe
  for many teams submitting at once.

The submodules are imported on use, so ``import qilab.sims`` stays quick.

>>> from qilab.sims import red_beads
>>> len(red_beads.run_red_beads(seed=1))
24
"""

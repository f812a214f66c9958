"""Workshop game dashboards: one class per game, each with a ``.ui`` widget.

The Voila notebooks in ``dashboards/`` are tiny: a title, one sentence on what to look for and
``display(Game().ui)``. The logic (state, layout, drawing) lives here so it can be tested
without a browser; the simulations live in :mod:`qilab.sims` and the charts in :func:`qilab.spc`.

- :class:`~qilab.widgets.games.red_beads.RedBeadsGame` — Deming's red beads.
- :class:`~qilab.widgets.games.funnel.FunnelGame` — Deming's funnel, rules 1–4.
- :class:`~qilab.widgets.games.team_game.TeamEntry` and
  :class:`~qilab.widgets.games.team_game.FacilitatorView` — the PDSA team game.
- :class:`~qilab.widgets.games.dice.DiceGame` — dice with a secretly loaded die.
- :class:`~qilab.widgets.games.own_data.OwnDataGame` — your own data, session by session.
"""
from __future__ import annotations

from qilab._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "RedBeadsGame": "qilab.widgets.games.red_beads",
    "FunnelGame": "qilab.widgets.games.funnel",
    "TeamEntry": "qilab.widgets.games.team_game",
    "FacilitatorView": "qilab.widgets.games.team_game",
    "DiceGame": "qilab.widgets.games.dice",
    "OwnDataGame": "qilab.widgets.games.own_data",
}

__all__ = list(_EXPORTS)

__getattr__, __dir__ = lazy_exports("qilab.widgets.games", _EXPORTS, globals())

"""The certification standard (``grading/standard.yml``) and how a learner measures up to it.

>>> std = load_standard()
>>> std.tier("Foundation").assignments[0].min_percent
75.0
>>> [e.id for e in std.tier("foundation").evidence]
['personal-run-chart']
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import QIDataError
from .course import GRADING_DIR

STANDARD_FILE = GRADING_DIR / "standard.yml"


@dataclass(frozen=True)
class AssignmentRule:
    """An autograded assignment that must reach ``min_percent`` of its points."""

    id: str
    min_percent: float
    per_notebook: bool = False
    scope: str = "all"  # "all" points, or only "autograded" ones
    #: assignments accepted in its place, on the same terms (``instead:`` in the file)
    instead: tuple[str, ...] = ()


@dataclass(frozen=True)
class EvidenceItem:
    """A manually assessed piece of evidence, marked met or not in the evidence CSV."""

    id: str
    description: str


@dataclass(frozen=True)
class Tier:
    """One tier's requirements."""

    id: str
    title: str
    summary: str
    assignments: tuple[AssignmentRule, ...]
    evidence: tuple[EvidenceItem, ...]
    requires_tier: str | None = None


@dataclass(frozen=True)
class Standard:
    """Every tier, in the order the file lists them."""

    tiers: dict[str, Tier]
    source: Path

    def tier(self, name: str) -> Tier:
        """The tier called ``name`` (case and spaces ignored), or a clear error."""
        key = name.strip().lower().replace(" ", "-")
        if key not in self.tiers:
            raise QIDataError(f"Unknown tier {name!r}: the standard in {self.source} has "
                              f"{', '.join(self.tiers)}.", field="tier")
        return self.tiers[key]


@dataclass(frozen=True)
class Decision:
    """Whether a learner meets a tier, with every reason in plain English."""

    learner: str
    tier: str
    met: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise QIDataError(f"{where} has no '{key}' field.", field=key)
    return mapping[key]


def load_standard(path: str | os.PathLike | None = None) -> Standard:
    """Read and check the standard file (``grading/standard.yml`` by default)."""
    import yaml

    path = Path(path) if path else STANDARD_FILE
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise QIDataError(f"The certification standard {path} is missing.", field="standard") \
            from exc
    except yaml.YAMLError as exc:
        raise QIDataError(f"The certification standard {path} is not valid YAML: {exc}",
                          field="standard") from exc
    if _need(doc, "schema_version", str(path)) != 1:
        raise QIDataError(f"{path} has schema_version {doc['schema_version']!r}; this qilab "
                          "reads version 1.", field="schema_version")
    tiers: dict[str, Tier] = {}
    for tier_id, body in _need(doc, "tiers", str(path)).items():
        where = f"{path}, tier '{tier_id}'"
        rules = []
        for i, rule in enumerate(body.get("assignments") or []):
            pct = float(_need(rule, "min_percent", f"{where}, assignment {i + 1}"))
            if not 0 <= pct <= 100:
                raise QIDataError(f"{where}: min_percent {pct} is not between 0 and 100.",
                                  field="min_percent")
            scope = str(rule.get("scope", "all"))
            if scope not in ("all", "autograded"):
                raise QIDataError(f"{where}: scope {scope!r} must be 'all' or 'autograded'.",
                                  field="scope")
            instead = rule.get("instead") or []
            if not isinstance(instead, list):
                raise QIDataError(f"{where}: 'instead' must be a list of assignment ids.",
                                  field="instead")
            rules.append(AssignmentRule(str(_need(rule, "id", where)), pct,
                                        bool(rule.get("per_notebook", False)), scope,
                                        tuple(str(i) for i in instead)))
        items = [EvidenceItem(str(_need(e, "id", where)), " ".join(str(e.get("description",
                                                                             "")).split()))
                 for e in body.get("evidence") or []]
        ids = [e.id for e in items]
        if len(ids) != len(set(ids)):
            raise QIDataError(f"{where} lists an evidence item twice.", field="evidence")
        tiers[str(tier_id)] = Tier(str(tier_id), str(body.get("title", tier_id)),
                                   " ".join(str(body.get("summary", "")).split()),
                                   tuple(rules), tuple(items), body.get("requires_tier"))
    for t in tiers.values():
        if t.requires_tier and t.requires_tier not in tiers:
            raise QIDataError(f"{path}: tier '{t.id}' requires unknown tier "
                              f"'{t.requires_tier}'.", field="requires_tier")
    return Standard(tiers, path)


Scores = dict[str, dict[str, dict[str, tuple[float, float]]]]


def _assignment_reasons(rule: AssignmentRule, aid: str, notebooks: Any) -> list[str]:
    """Why ``aid``'s scores do not meet ``rule`` (empty when they do)."""
    if not notebooks:
        return [f"{aid}: not submitted or not graded yet"]
    reasons = []
    what = "of the autograded points" if rule.scope == "autograded" else "of the points"
    parts = {name: nb.get(rule.scope, (0.0, 0.0)) for name, nb in notebooks.items()}
    got = sum(s for s, _ in parts.values())
    most = sum(m for _, m in parts.values())
    pct = 100.0 * got / most if most else 0.0
    if pct + 1e-9 < rule.min_percent:
        reasons.append(f"{aid}: {pct:.0f}% {what}, below the {rule.min_percent:g}% needed")
    if rule.per_notebook and len(parts) > 1:
        for name, (s, m) in sorted(parts.items()):
            npct = 100.0 * s / m if m else 0.0
            if npct + 1e-9 < rule.min_percent:
                reasons.append(f"{aid}/{name}: {npct:.0f}%, below the "
                               f"{rule.min_percent:g}% needed for each module")
    return reasons


def decide(tier: Tier, learner: str, scores: Scores,
           evidence: dict[tuple[str, str], bool], held: set[str] | None = None) -> Decision:
    """Apply ``tier`` to one learner.

    ``scores[assignment][notebook][scope] = (score, max_score)`` from the gradebook, where
    ``scope`` is ``"all"`` or ``"autograded"`` (missing: not submitted);
    ``evidence[(learner, item)]`` is whether an assessor marked the item met;
    ``held`` is the tiers the learner already holds (from the register).

    >>> t = Tier("aware", "Aware", "", (AssignmentRule("aware-quiz", 75),), ())
    >>> decide(t, "ann", {"aware-quiz": {"quiz": {"all": (8, 10)}}}, {}).met
    True
    >>> decide(t, "bob", {"aware-quiz": {"quiz": {"all": (7, 10)}}}, {}).reasons
    ('aware-quiz: 70% of the points, below the 75% needed',)
    >>> t2 = Tier("aware", "Aware", "", (AssignmentRule("aware-assessment", 75,
    ...           instead=("aware-quiz",)),), ())
    >>> decide(t2, "ann", {"aware-quiz": {"quiz": {"all": (8, 10)}}}, {}).met
    True
    >>> decide(t2, "cal", {}, {}).reasons
    ('aware-assessment or aware-quiz: not submitted or not graded yet',)
    """
    reasons: list[str] = []
    for rule in tier.assignments:
        tried = [(aid, _assignment_reasons(rule, aid, scores.get(aid)))
                 for aid in (rule.id, *rule.instead)]
        if any(not why for _, why in tried):
            continue  # this assignment, or one accepted instead, is passed
        submitted = [why for aid, why in tried if scores.get(aid)]
        if submitted:
            reasons.extend(why for group in submitted for why in group)
        else:
            either = " or ".join((rule.id, *rule.instead))
            reasons.append(f"{either}: not submitted or not graded yet")
    for item in tier.evidence:
        if not evidence.get((learner, item.id), False):
            reasons.append(f"evidence '{item.id}' not marked as met")
    if tier.requires_tier and tier.requires_tier not in (held or set()):
        reasons.append(f"needs the {tier.requires_tier} tier first")
    return Decision(learner, tier.id, not reasons, tuple(reasons))

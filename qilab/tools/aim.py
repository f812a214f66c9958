"""Aim statements and the three aim checks of the QIKAT-R.

The Quality Improvement Knowledge Application Tool, revised (QIKAT-R; Singh et al. 2014,
*Academic Medicine* 89(10):1386-1391) scores an aim on three yes/no criteria. A good aim:

1. **is focused on the system** - it is about a process, service or outcome for the people the
   service is for, not about individuals trying harder;
2. **says how much** improvement is wanted, as a number; and
3. **says by when**.

:func:`check_aim` applies these criteria with transparent word-pattern heuristics, set out
below so that learners and trainers can see why an aim passed or not. They are a teaching aid,
not a replacement for a coach's judgement.

How the heuristics work
-----------------------
*By when* - a deadline is found when the aim has: "by", "before", "until", "no later than" or
"by the end of" followed by a month, a season, a quarter, a year or a date (``by March 2027``,
``by 31/03/2027``, ``by the end of the year``, ``by Q3``); a month with a year anywhere
(``March 2027``); ``in 2027`` or ``during 2026/27``; or a period from now (``within 6 months``, ``in the next 12 weeks``,
``over the next year``). ``within 6 weeks of referral`` is a standard of care, not a deadline
(it is followed by "of"), and hours, days and minutes are never read as deadlines
(``seen within 4 hours`` is part of the measure).

*How much* - after the deadline phrases, times of day and ages (``aged 65 and over``,
``under 5``) are set aside, a numerical goal is found when the aim has: a percentage (``90%``,
``90 per cent``), ``from <number> to <number>``, ``by <number>`` or ``to <number>``
(also with £, $ or €), a bound (``at least 4``, ``no more than 2``, ``fewer than 3``, ``6 or fewer``), a rate such as
``9 in 10``, a fraction (``by a third``), none at all (``no patients``, ``no avoidable falls``),
or the words zero, halve, half, double or twice (``to zero``, ``halve``).

*System focus* - the aim must name something about the service or the people it serves
(patients, residents, service users, a ward, practice, care home or team, or a process or
outcome such as falls, discharges, waiting times, referrals, medicines, infections), and must
not put the onus on individuals (``staff must try harder``, ``nurses should remember``,
``be more careful``, ``retrain staff``).

>>> result = check_aim("Reduce falls on Ward 7 from 8 a month to 4 a month by March 2027.")
>>> result.passes
True
>>> check_aim("Nurses should remember to do the falls checklist.").feedback[0][:22]
'Focus on the system, n'
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import QIDataError

__all__ = ["AimCheck", "AimStatement", "check_aim"]

# --------------------------------------------------------------------------------------------
# Word patterns (all matched case-insensitively).

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|"
           r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_SEASONS = r"(?:spring|summer|autumn|winter)"
_YEAR = r"(?:20\d{2}(?:\s*/\s*\d{2,4})?)"  # 2027, 2026/27
_NUMWORD = (r"(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            r"eighteen|twenty-four)")
_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
_AMOUNT = rf"(?:[£$€]\s*)?{_NUM}"
_DATE = (rf"(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{4}}-\d{{1,2}}-\d{{1,2}}|"
         rf"\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTHS}(?:\s+{_YEAR})?|{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+{_YEAR})")
_PERIOD_END = (rf"(?:the\s+end\s+of\s+(?:the\s+|this\s+|next\s+)?(?:financial\s+)?"
               rf"(?:year|month|quarter|winter|spring|summer|autumn|{_MONTHS}|{_YEAR}|q[1-4])"
               rf"(?:\s+{_YEAR})?|end\s+of\s+(?:{_MONTHS}|{_YEAR}|q[1-4]|the\s+year)(?:\s+{_YEAR})?)")

_DEADLINE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    # by / before / until + a date, month, season, quarter, year or the end of a period
    rf"\b(?:by|before|until|till|no\s+later\s+than|on\s+or\s+before)\s+(?:the\s+)?"
    rf"(?:{_DATE}|{_PERIOD_END}|{_MONTHS}(?:\s+{_YEAR})?|(?:next\s+|this\s+)?{_SEASONS}(?:\s+{_YEAR})?|"
    rf"q[1-4](?:\s+{_YEAR})?|(?:the\s+)?(?:next|this)\s+(?:year|month|quarter|financial\s+year)|{_YEAR})\b",
    # a month (or season) with a year, or a full date, anywhere
    rf"\b(?:{_MONTHS}|{_SEASONS})\s+{_YEAR}\b",
    r"\b(?:\d{1,2}[/.]\d{1,2}[/.]\d{4}|\d{4}-\d{1,2}-\d{1,2})\b",
    # within / in / over (the next) N weeks, months or years - but not "within 6 weeks of ..."
    rf"\b(?:within|in|over)\s+(?:the\s+(?:next|coming)\s+)?(?:{_NUM}|{_NUMWORD})\s+"
    rf"(?:weeks?|months?|years?)\b(?:'\s*time|\s+time)?(?!\s+of\b)",
    r"\b(?:within|in|over)\s+the\s+(?:next|coming)\s+(?:year|quarter|month|financial\s+year)\b",
    rf"\bby\s+{_NUM}\s+(?:months?|years?)\b",
    rf"\b(?:during|in)\s+{_YEAR}\b",
    rf"\bduring\s+(?:{_YEAR}|(?:the\s+)?(?:next|this)\s+(?:year|quarter|financial\s+year))\b",
))

# phrases that contain numbers but are not goals: times of day, ages and age ranges, "24/7"
_NOT_GOALS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    r"\b\d{1,2}(?::\d{2})?\s*(?:am|pm)\b", r"\b\d{1,2}:\d{2}\b", r"\b24\s*/\s*7\b",
    r"\b(?:aged?|ages)\s+(?:over\s+|under\s+)?\d+(?:\s*(?:to|-|–|and)\s*\d+)?(?:\s*(?:and\s+over|and\s+under|\+|years?(?:\s+old)?))?",
    r"\b(?:over|under|older\s+than|younger\s+than|above)\s+\d+s?(?:\s+years?(?:\s+old)?)?(?=\s|$|[,.;)])"
    r"(?!\s*(?:%|per\s*cent|a\s+(?:day|week|month)|per\b|minutes?|hours?|days?|weeks?))",
    r"\b\d+\s*(?:-|\s)(?:day|hour|week|month|year)(?:s)?\s*(?:-\s*)?(?:old|olds)\b",
    r"\b\d+-(?:day|hour|week|month|year)\b",
    r"\bward\s+\d+\b|\bbay\s+\d+\b|\bbed\s+\d+\b|\bunit\s+\d+\b|\bfloor\s+\d+\b",
))

_GOAL_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    rf"{_NUM}\s*(?:%|per\s*cent\b|percent\b)",
    rf"\bfrom\s+(?:about\s+|around\s+|approximately\s+)?{_NUM}\b.{{0,60}}?\bto\s+(?:below\s+|under\s+|at\s+least\s+)?(?:{_NUM}|zero|none)\b",
    rf"\b(?:by|to)\s+(?:at\s+least\s+|below\s+|under\s+|fewer\s+than\s+|less\s+than\s+)?{_AMOUNT}\b",
    rf"\b(?:at\s+least|no\s+more\s+than|not\s+more\s+than|fewer\s+than|less\s+than|a\s+maximum\s+of|"
    rf"a\s+minimum\s+of|at\s+most|below)\s+{_NUM}\b",
    rf"\b{_NUM}\s+or\s+(?:fewer|less|more|above|below)\b",
    rf"\b{_NUM}\s+(?:in|out\s+of)\s+(?:every\s+)?{_NUM}\b",
    r"\bby\s+(?:a|one|two)[\s-](?:thirds?|quarters?|fifths?|tenths?)\b",
    r"\bno\s+(?:avoidable\s+|preventable\s+|unplanned\s+)?(?:patients?|residents?|people|"
    r"service\s+users?|clients?|children|falls?|pressure\s+ulcers?|infections?|never\s+events?|"
    r"missed\s+\w+|errors?|delays?|breaches)\b",
    r"\bto\s+(?:zero|none|nil)\b|\bzero\b|\bhalve[sd]?\b|\bhalving\b|\bby\s+(?:a\s+)?half\b|"
    r"\bdouble[sd]?\b|\bdoubling\b|\btwice\s+as\b|\btreble\b|\btriple\b",
))

_BLAME_PATTERNS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    r"\btry(?:ing)?\s+harder\b", r"\bwork(?:ing)?\s+harder\b",
    r"\b(?:must|should|will|to|need\s+to|needs\s+to|have\s+to|has\s+to)\s+(?:always\s+)?remember\b",
    r"\bremember(?:ing)?\s+to\b",
    r"\bbe(?:ing)?\s+more\s+(?:careful|vigilant|diligent|attentive|responsible|professional)\b",
    r"\b(?:pay|paying)\s+(?:more\s+)?(?:closer\s+)?attention\b",
    r"\bstop\s+(?:forgetting|making\s+mistakes|being\s+lazy)\b",
    r"\bbe\s+reminded\b", r"\bremind(?:ing)?\s+(?:staff|nurses|doctors|carers|colleagues|everyone)\b",
    r"\b(?:re-?train(?:ing)?|discipline|disciplinary|tell\s+off|told\s+off|name\s+and\s+shame|"
    r"performance[-\s]manag\w*|blame|lazy|careless(?:ness)?|human\s+error)\b",
    r"\btake\s+more\s+care\b", r"\bdo\s+better\b", r"\bmake\s+fewer\s+mistakes\b",
    r"\b(?:staff|nurses|doctors|carers|clinicians|gps|receptionists|porters|midwives|therapists|"
    r"pharmacists|healthcare\s+assistants|hcas|care\s+workers|junior\s+doctors|everyone|people)\s+"
    r"(?:must|should|need\s+to|needs\s+to|have\s+to|has\s+to)\s+(?:be\s+more|try|make\s+sure|ensure|stop)\b",
))

_SYSTEM_WORDS = re.compile(r"\b(?:" + "|".join((
    # who the service is for
    r"patients?", r"residents?", r"service\s+users?", r"clients?", r"people\s+(?:who|with|using|in|on|at|referred|admitted|discharged|attending|living)",
    r"carers?", r"famil(?:y|ies)", r"children", r"babies", r"mothers", r"women", r"men", r"adults",
    r"older\s+people", r"tenants", r"users", r"population", r"registered",
    # where and what the service is
    r"wards?", r"units?", r"practices?", r"surgery", r"clinics?", r"care\s+homes?", r"homes?",
    r"hospitals?", r"services?", r"teams?", r"departments?", r"pharmac(?:y|ies)", r"hospices?",
    r"emergency", r"a&e", r"ed", r"theatres?", r"communit(?:y|ies)", r"district\s+nursing",
    r"domiciliary", r"home\s+care", r"pathways?", r"process(?:es)?", r"systems?",
    # processes and outcomes
    r"falls?", r"pressure\s+(?:ulcers?|injur(?:y|ies)|damage)", r"infections?", r"sepsis", r"harm",
    r"incidents?", r"errors?", r"omissions?", r"medicines?", r"medications?", r"prescri\w+",
    r"discharges?", r"admissions?", r"readmissions?", r"referrals?", r"appointments?",
    r"waits?", r"waiting", r"delays?", r"length\s+of\s+stay", r"stay", r"access", r"assessments?",
    r"reviews?", r"screening", r"vaccinations?", r"immuni[sz]ations?", r"uptake", r"attendance",
    r"did\s+not\s+attend", r"dnas?", r"no-shows?", r"complaints?", r"experience", r"satisfaction",
    r"outcomes?", r"mortality", r"deaths?", r"safety", r"handovers?", r"observations?",
    r"news2?", r"care\s+plans?", r"plans?", r"compliance", r"hand\s+hygiene", r"nutrition",
    r"hydration", r"weight", r"pain", r"delirium", r"dementia", r"diabetes", r"blood\s+pressure",
    r"hba1c", r"restraint", r"loneliness", r"isolation", r"wellbeing", r"independence",
    r"visits?", r"calls?", r"letters?", r"results?", r"tests?", r"turnaround", r"response\s+times?",
    r"time\s+to", r"waiting\s+times?", r"rates?", r"proportion", r"percentage", r"number\s+of",
    r"rounds?", r"checklists?", r"bundles?", r"audits?",
)) + r")\b", re.I)


def _spans(patterns: tuple[re.Pattern[str], ...], text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if m.group(0).strip():
                found.append((m.start(), m.end(), m.group(0).strip()))
    return sorted(found)


def _blank_out(text: str, spans: list[tuple[int, int, str]]) -> str:
    chars = list(text)
    for start, end, _ in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def _unique(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return tuple(seen)


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AimCheck:
    """The result of :func:`check_aim`: the three QIKAT-R aim criteria, with reasons.

    ``evidence`` maps each criterion to the phrases that met it (or, for ``blame``, the
    phrases that put the onus on individuals), so the result can always be explained.

    >>> c = check_aim("Increase flu vaccination uptake among residents of Oak House to 90% by December 2026.")
    >>> (c.system_focused, c.how_much, c.by_when, c.score)
    (True, True, True, 3)
    """

    text: str
    system_focused: bool
    how_much: bool
    by_when: bool
    feedback: list[str] = field(default_factory=list)
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def passes(self) -> bool:
        """True when the aim meets all three criteria."""
        return self.system_focused and self.how_much and self.by_when

    @property
    def score(self) -> int:
        """How many of the three criteria are met (0-3), as the QIKAT-R scores an aim."""
        return int(self.system_focused) + int(self.how_much) + int(self.by_when)

    def explain(self) -> str:
        """A plain-English account of the check, for learners (and as alt text).

        >>> print(check_aim("Staff must try harder.").explain().splitlines()[0])
        This aim meets 0 of the 3 aim checks.
        """
        lines = [f"This aim meets {self.score} of the 3 aim checks."]
        def found(key: str) -> str:
            phrases = self.evidence.get(key, ())
            return f" (found: {', '.join(repr(p) for p in phrases[:3])})" if phrases else ""
        lines.append(f"- Focused on the system: {'yes' if self.system_focused else 'no'}"
                     f"{found('system') if self.system_focused else found('blame')}.")
        lines.append(f"- Says how much: {'yes' if self.how_much else 'no'}{found('how_much')}.")
        lines.append(f"- Says by when: {'yes' if self.by_when else 'no'}{found('by_when')}.")
        lines.extend(self.feedback)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The check as plain values (for grading and saving)."""
        data = asdict(self)
        data["evidence"] = {k: list(v) for k, v in self.evidence.items()}
        data["passes"] = self.passes
        data["score"] = self.score
        return data


def check_aim(text: str) -> AimCheck:
    """Check an aim statement against the three QIKAT-R aim criteria.

    See the module documentation for the word patterns used. An empty aim fails all three
    checks, with feedback saying how to start.

    >>> check_aim("Improve discharge.").feedback[0]
    "Say how much you want to improve, as a number: for example 'from 40% to 70%', 'by 50%' or 'from 12 a month to 6'. A number tells the team when it has succeeded."

    Raises :class:`QIDataError` (field ``aim``) if ``text`` is not a string.
    """
    if text is None or not isinstance(text, str):
        raise QIDataError(f"The aim must be text, not {type(text).__name__}: write it as a "
                          "sentence, for example 'Reduce falls on Ward 7 from 8 to 4 a month "
                          "by March 2027.'", field="aim")
    clean = " ".join(text.split())
    if not clean:
        return AimCheck(text=text, system_focused=False, how_much=False, by_when=False,
                        feedback=["Your aim is empty. Write one sentence that says what will "
                                  "improve, for whom, by how much and by when: for example "
                                  "'Reduce falls on Ward 7 from 8 to 4 a month by March 2027.'"],
                        evidence={})
    deadlines = _spans(_DEADLINE_PATTERNS, clean)
    remainder = _blank_out(clean, deadlines)
    not_goals = _spans(_NOT_GOALS, remainder)
    remainder = _blank_out(remainder, not_goals)
    goals = _spans(_GOAL_PATTERNS, remainder)
    blame = _spans(_BLAME_PATTERNS, clean)
    system = [m.group(0) for m in _SYSTEM_WORDS.finditer(clean)]

    by_when = bool(deadlines)
    how_much = bool(goals)
    system_focused = bool(system) and not blame

    feedback: list[str] = []
    if blame:
        feedback.append(
            "Focus on the system, not on people trying harder: "
            f"{', '.join(repr(s[2]) for s in blame[:2])} puts the onus on individuals. Say which "
            "process, service or outcome will get better for patients or service users (for "
            "example 'Reduce missed doses of critical medicines on Ward 7'), then test changes "
            "that make the right thing easy to do.")
    elif not system:
        feedback.append(
            "Say what will get better, for whom and where: name the process, service or outcome "
            "(for example 'falls among residents of Oak House care home' or 'waiting time for "
            "a first appointment at Riverside surgery').")
    if not how_much:
        feedback.append(
            "Say how much you want to improve, as a number: for example 'from 40% to 70%', "
            "'by 50%' or 'from 12 a month to 6'. A number tells the team when it has succeeded.")
    if not by_when:
        feedback.append(
            "Say by when: add a date or a time frame, such as 'by March 2027' or 'within "
            "6 months', so the team can plan its tests and know when to review progress.")
    if not feedback:
        feedback.append("Well done: this aim is focused on the system, says how much and says "
                        "by when.")
    return AimCheck(text=text, system_focused=system_focused, how_much=how_much, by_when=by_when,
                    feedback=feedback,
                    evidence={"system": _unique(system), "blame": _unique([s[2] for s in blame]),
                              "how_much": _unique([s[2] for s in goals]),
                              "by_when": _unique([s[2] for s in deadlines])})


# --------------------------------------------------------------------------------------------


def _number(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise QIDataError(f"'{name}' must be a number, not {value!r}.", field=name)
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        raw = str(value).strip().rstrip("%").replace(",", "").strip()
        try:
            number = float(raw)
        except ValueError:
            raise QIDataError(f"'{name}' must be a number, such as 12 or 90 (you wrote "
                              f"{str(value)!r}). Put words like 'falls a month' in the unit.",
                              field=name) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise QIDataError(f"'{name}' must be a real number (you wrote {value!r}).", field=name)
    return number


def _format_number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


@dataclass(frozen=True)
class AimStatement:
    """An aim built from its parts, so a learner sees how a good aim is put together.

    ``what`` says what will change (start with a verb: "Reduce falls", "Increase the
    proportion of patients discharged before noon"); ``for_whom`` says for whom and where;
    ``baseline`` and ``goal`` are numbers in ``unit`` ("%", "falls a month"); ``by_when`` is the
    deadline ("March 2027", "within 6 months").

    >>> aim = AimStatement(what="Reduce falls", for_whom="among residents of Oak House care home",
    ...                    baseline=8, goal=4, unit="falls a month", by_when="March 2027")
    >>> aim.text
    'Reduce falls among residents of Oak House care home from 8 to 4 falls a month by March 2027.'
    >>> aim.check().passes
    True

    Raises :class:`QIDataError` naming ``baseline`` or ``goal`` when either is not a number.
    """

    what: str = ""
    for_whom: str = ""
    baseline: float | str | None = None
    goal: float | str | None = None
    unit: str = ""
    by_when: str = ""

    def __post_init__(self) -> None:
        for name in ("what", "for_whom", "unit", "by_when"):
            value = getattr(self, name)
            if value is None:
                object.__setattr__(self, name, "")
            elif not isinstance(value, str):
                raise QIDataError(f"'{name}' must be text, not {type(value).__name__}.", field=name)
            else:
                object.__setattr__(self, name, " ".join(value.split()))
        object.__setattr__(self, "baseline", _number(self.baseline, "baseline"))
        object.__setattr__(self, "goal", _number(self.goal, "goal"))

    def _amount(self, value: float) -> str:
        unit = self.unit
        if unit in ("%", "per cent", "percent"):
            return f"{_format_number(value)}%"
        return _format_number(value)

    @property
    def text(self) -> str:
        """The aim as one sentence, built from the parts that are filled in."""
        parts: list[str] = []
        if self.what:
            parts.append(self.what[0].upper() + self.what[1:])
        if self.for_whom:
            parts.append(self.for_whom)
        percent = self.unit in ("%", "per cent", "percent")
        tail = "" if percent or not self.unit else f" {self.unit}"
        if self.baseline is not None and self.goal is not None:
            parts.append(f"from {self._amount(self.baseline)} to {self._amount(self.goal)}{tail}")
        elif self.goal is not None:
            parts.append(f"to {self._amount(self.goal)}{tail}")
        if self.by_when:
            when = self.by_when
            lead = when.split()[0].lower()
            if lead not in {"by", "within", "in", "before", "until", "over", "no", "during"}:
                when = f"by {when}"
            parts.append(when)
        sentence = " ".join(parts).strip()
        if sentence and not sentence.endswith((".", "!", "?")):
            sentence += "."
        return sentence

    def check(self) -> AimCheck:
        """Check the built aim with :func:`check_aim`."""
        return check_aim(self.text)

    def to_dict(self) -> dict[str, Any]:
        """The parts and the sentence, as plain values."""
        return {**asdict(self), "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AimStatement:
        """Rebuild an aim from :meth:`to_dict` output (the ``text`` key is ignored)."""
        if not isinstance(data, dict):
            raise QIDataError("An aim must be given as a dictionary of its parts.", field="aim")
        known = {"what", "for_whom", "baseline", "goal", "unit", "by_when"}
        unknown = set(data) - known - {"text"}
        if unknown:
            raise QIDataError(f"Unknown aim part(s): {', '.join(sorted(unknown))}. Use "
                              f"{', '.join(sorted(known))}.", field=sorted(unknown)[0])
        return cls(**{k: v for k, v in data.items() if k in known})

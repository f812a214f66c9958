"""Certificates: verification codes, HTML (and PDF) certificates, certify and verify.

A verification code is an HMAC-SHA256, keyed with the faculty's secret
(:mod:`qilab.cohort.secret`), over a canonical serialisation of what the certificate says:
name, learner id, tier, date, faculty and course. Changing any of them changes the code, and
without the secret nobody can compute a new one, so a forged or altered certificate fails
:func:`verify`. The code is also in the register, which :func:`verify` checks too.

>>> secret = b"a faculty secret of some length"
>>> rec = Record("Ann Jones", "ann", "foundation", "2025-06-30", "QI Faculty", "qi-2025")
>>> code = verification_code(rec, secret)
>>> code.startswith("QI-") and len(code) == 37
True
>>> verification_code(rec._replace(tier="coach"), secret) == code
False
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from string import Template
from typing import NamedTuple

from ..errors import QIDataError
from ..storage import atomic_write_bytes, atomic_write_text
from . import register as reg
from .course import GRADING_DIR, Course
from .evidence import read_evidence, read_evidence_notes, read_names
from .progress import ProgressBar
from .secret import load_secret
from .standard import Decision, Scores, Standard, decide, load_standard

TEMPLATE = GRADING_DIR / "certificate.html"
CODE_RE = re.compile(r"^QI(-[A-Z2-7]{4}){7}$")


class Record(NamedTuple):
    """What a certificate states."""

    name: str
    learner: str
    tier: str
    date: str
    faculty: str
    course: str


def canonical(record: Record) -> bytes:
    """The exact bytes the code signs: sorted-key JSON, normalised spaces, version tag.

    >>> canonical(Record(" Ann  Jones", "ann", "aware", "2025-01-01", "F", "c"))[:40]
    b'{"course":"c","date":"2025-01-01","facul'
    """
    body = {k: " ".join(str(v).split()) for k, v in record._asdict().items()}
    body["v"] = "1"
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def verification_code(record: Record, secret: bytes) -> str:
    """``QI-XXXX-...``: 140 bits of the HMAC in base32, in groups of four."""
    digest = hmac.new(secret, canonical(record), hashlib.sha256).digest()
    text = base64.b32encode(digest).decode("ascii")[:28]
    return "QI-" + "-".join(text[i:i + 4] for i in range(0, 28, 4))


def render_html(record: Record, code: str, standard: Standard,
                template: Path | None = None) -> str:
    """The certificate as an accessible HTML page (values escaped)."""
    tier = standard.tier(record.tier)
    tpl = Template((template or TEMPLATE).read_text(encoding="utf-8"))
    payload = json.dumps({**record._asdict(), "code": code}, ensure_ascii=True)
    values = {k: html.escape(v) for k, v in record._asdict().items()}
    return tpl.substitute(values, tier_title=html.escape(tier.title),
                          tier_summary=html.escape(tier.summary), code=code,
                          record_json=payload.replace("</", "<\\/"))


def find_pdf_tool() -> list[str] | None:
    """A command that prints HTML to PDF (chromium or wkhtmltopdf), or ``None``."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        exe = shutil.which(name)
        if exe:
            return [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    "--print-to-pdf={pdf}", "{html}"]
    exe = shutil.which("wkhtmltopdf")
    return [exe, "--quiet", "{html}", "{pdf}"] if exe else None


def write_pdf(html_path: Path, tool: list[str]) -> Path | None:
    """Print ``html_path`` to a PDF beside it (atomically); ``None`` if the tool failed."""
    pdf = html_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "cert.pdf"
        cmd = [a.replace("{pdf}", str(out)).replace("{html}", html_path.as_uri()
               if "chrom" in tool[0] else str(html_path)) for a in tool]
        try:
            subprocess.run(cmd, capture_output=True, timeout=60, check=False,
                           env={**os.environ, "HOME": tmp})
        except (OSError, subprocess.TimeoutExpired):
            return None
        if not out.exists() or out.stat().st_size == 0:
            return None
        atomic_write_bytes(pdf, out.read_bytes())
    return pdf


@dataclass
class CertifyReport:
    """Who was certified, who was not and why, and whether PDFs were made."""

    tier: str
    decisions: list[Decision]
    issued: list[dict[str, str]] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    pdf_note: str = ""
    #: what a check found for an evidence item, ``{(learner, item): note}``
    evidence_notes: dict[tuple[str, str], str] = field(default_factory=dict)

    def summary(self) -> str:
        lines = [f"Tier {self.tier}: {len(self.issued)} certificate(s) issued."]
        for row in self.issued:
            lines.append(f"  issued   {row['learner']:<16} {row['code']}  {row['certificate']}")
        for learner in self.already:
            lines.append(f"  holds    {learner:<16} (already in the register)")
        for learner, why in sorted(self.skipped.items()):
            lines.append(f"  skipped  {learner:<16} {why}")
        for d in self.decisions:
            if not d.met:
                lines.append(f"  not met  {d.learner:<16} " + "; ".join(d.reasons))
                for (learner, item), note in sorted(self.evidence_notes.items()):
                    if learner == d.learner and f"evidence '{item}' not" in " ".join(d.reasons):
                        lines.append(f"           {'':<16} {item}: {note}")
        if self.pdf_note:
            lines.append(self.pdf_note)
        return "\n".join(lines)


def gradebook_scores(course: Course, assignments: list[str]
                     ) -> tuple[dict[str, Scores], dict[str, str], dict[str, list[str]]]:
    """``scores[learner][assignment][notebook][scope]`` (see :func:`decide`), names from the
    gradebook and, per learner,
    the assignments still waiting for manual grading."""
    from nbgrader.api import Gradebook, MissingEntry
    scores: dict[str, Scores] = {}
    names: dict[str, str] = {}
    waiting: dict[str, list[str]] = {}
    if not course.gradebook.exists():
        return scores, names, waiting
    with Gradebook(course.db_url, course.course_id) as gb:
        for student in gb.students:
            full = " ".join(x for x in (student.first_name, student.last_name) if x)
            if full.strip():
                names[student.id] = full.strip()
            for assignment in assignments:
                try:
                    sub = gb.find_submission(assignment, student.id)
                except MissingEntry:
                    continue
                if sub.needs_manual_grade:
                    waiting.setdefault(student.id, []).append(assignment)
                per_nb: dict[str, dict[str, tuple[float, float]]] = {}
                for nb in sub.notebooks:
                    manual = {c.name for c in nb.notebook.solution_cells}
                    auto = [g for g in nb.grades if g.name not in manual]
                    per_nb[nb.notebook.name] = {
                        "all": (float(nb.score), float(nb.max_score)),
                        "autograded": (float(sum(g.score for g in auto)),
                                       float(sum(g.max_score for g in auto)))}
                scores.setdefault(student.id, {})[assignment] = per_nb
    return scores, names, waiting


def certify(course: Course, tier_name: str, *, evidence: str | os.PathLike | None = None,
            on: str | date | None = None, standard: Standard | None = None,
            pdf: bool | None = None, progress: bool = True) -> CertifyReport:
    """Apply the standard for ``tier_name`` and issue certificates to those who meet it.

    ``pdf=None`` makes PDFs when a tool is installed; learners already certified at this tier
    are not certified twice. The register gets one row per certificate.
    """
    from .course import ensure_venv_on_path
    ensure_venv_on_path()
    standard = standard or load_standard()
    tier = standard.tier(tier_name)
    secret = load_secret()
    when = on if isinstance(on, date) else (date.fromisoformat(on) if on else date.today())
    known = {e.id for t in standard.tiers.values() for e in t.evidence}
    marks = read_evidence(evidence, known) if evidence else {}
    if tier.evidence and not evidence:
        raise QIDataError(f"The {tier.title} tier needs manually assessed evidence "
                          f"({', '.join(e.id for e in tier.evidence)}): pass --evidence "
                          "evidence.csv.", field="evidence")
    for rule in tier.assignments:
        course.require_assignment(rule.id)
    rule_ids = [aid for r in tier.assignments for aid in (r.id, *r.instead)]
    if rule_ids:
        course.require_gradebook()
    scores, names, waiting = gradebook_scores(course, rule_ids)
    names.update({k: v for k, v in read_names(evidence).items() if k not in names})
    learners = sorted(set(scores) | {learner for learner, _ in marks} | set(names))
    held = reg.held_tiers(course.register)
    report = CertifyReport(tier.id, [],
                           evidence_notes=read_evidence_notes(evidence) if evidence else {})
    tool = None
    if pdf is not False:
        tool = find_pdf_tool()
        if tool is None:
            report.pdf_note = ("No PDF tool found (chromium or wkhtmltopdf): certificates "
                               "were written as HTML only.")
    bar = ProgressBar(len(learners), f"Certifying {tier.id}") if progress else None
    rows: list[dict[str, str]] = []
    try:
        for learner in learners:
            decision = decide(tier, learner, scores.get(learner, {}), marks,
                              held.get(learner, set()))
            if decision.met and waiting.get(learner):
                decision = Decision(learner, tier.id, False, (
                    f"{', '.join(waiting[learner])}: manual grading not finished in "
                    "Formgrader",))
            report.decisions.append(decision)
            if bar:
                bar.advance(note=learner)
            if not decision.met:
                continue
            if tier.id in held.get(learner, set()):
                report.already.append(learner)
                continue
            if learner not in names:
                report.skipped[learner] = ("no name on record: add it in the gradebook "
                                           "(nbgrader db student add) or a 'name' column in "
                                           "the evidence file")
                continue
            record = Record(names[learner], learner, tier.id, when.isoformat(), course.faculty,
                            course.course_id)
            code = verification_code(record, secret)
            html_path = course.certificates / f"{learner}-{tier.id}-{when.isoformat()}.html"
            atomic_write_text(html_path, render_html(record, code, standard))
            made = write_pdf(html_path, tool) if tool else None
            if tool and made is None:
                report.pdf_note = "The PDF tool failed; certificates were written as HTML only."
            rows.append({**record._asdict(), "code": code,
                         "issued_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                         "certificate": str(html_path.relative_to(course.root))})
    finally:
        if bar:
            bar.close()
        if rows:
            reg.append_rows(course.register, rows)
    report.issued = rows
    return report


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`."""

    valid: bool
    message: str
    record: Record | None = None
    code: str | None = None


#: The most a certificate page may weigh: a page is a few kilobytes.
MAX_PAGE_BYTES = 1_000_000
_EMBEDDED = re.compile(r'<script type="application/json" id="qilab-certificate">(.*?)</script>',
                       re.S)


def _signed_claim(text: str) -> tuple[Record, str] | None:
    """The record and code a page's embedded data claim (not yet checked), or ``None``."""
    found = _EMBEDDED.findall(text)
    if len(found) != 1:
        return None
    try:
        data = json.loads(found[0])
        record = Record(*(str(data[k]) for k in Record._fields))
        return record, str(data["code"]).strip().upper()
    except (ValueError, KeyError, TypeError, RecursionError):
        return None


def _valid(record: Record, code: str, standard: Standard) -> Verdict:
    return Verdict(True, f"Valid: {record.name} ({record.learner}) holds the "
                   f"{standard.tier(record.tier).title} certificate awarded {record.date} by "
                   f"{record.faculty}.", record, code)


def verify(course: Course, code_or_file: str, standard: Standard | None = None) -> Verdict:
    """Check a verification code, or a certificate file, against the secret and the register.

    A code is looked up in the register and its row re-signed. A file is valid only if it is
    exactly the page qilab makes from signed data: its embedded record must carry a genuine
    code that is in the register, and the whole page must be that record's page, so a page
    that shows anything else (another name, a hidden copy of a field, a comment, an extra
    element or style) fails. Every message shows only signed data, never what a page claims.
    """
    secret = load_secret()
    standard = standard or load_standard()
    path = Path(code_or_file)
    rows = reg.read_register(course.register)
    if CODE_RE.match(code_or_file.strip().upper()):
        code = code_or_file.strip().upper()
        matches = [r for r in rows if r["code"] == code]
        if not matches:
            return Verdict(False, f"Code {code} is not in the register of {course.faculty}: "
                           "this certificate was not issued here.", code=code)
        row = matches[0]
        record = Record(row["name"], row["learner"], row["tier"], row["date"], row["faculty"],
                        row["course"])
        if not hmac.compare_digest(verification_code(record, secret), code):
            return Verdict(False, f"The register row for {code} has been altered (its details "
                           "do not match its code).", code=code)
        return _valid(record, code, standard)
    if not path.is_file():
        raise QIDataError(f"{code_or_file!r} is neither a verification code (QI-XXXX-...) nor "
                          "a certificate file.", field="code")
    if path.stat().st_size > MAX_PAGE_BYTES:
        return Verdict(False, f"{path} is not a certificate issued by qilab (too large).")
    text = path.read_bytes().decode("utf-8", errors="replace").replace("\r\n", "\n")
    claim = _signed_claim(text)
    if claim is None:
        return Verdict(False, f"{path} does not carry exactly one set of certificate data: "
                       "not a certificate issued by qilab, or altered.")
    record, code = claim
    if not CODE_RE.match(code) or not hmac.compare_digest(verification_code(record, secret),
                                                          code):
        return Verdict(False, f"{path} does not verify: its data have been changed, or it was "
                       "not issued by this faculty.")
    row = next((r for r in rows if r["code"] == code), None)
    if row is None:
        return Verdict(False, f"{path} carries a genuine code ({code}) but it is not in the "
                       "register (withdrawn, or from another course folder).", code=code)
    try:
        expected = render_html(record, code, standard)
    except QIDataError:
        expected = None
    if expected is None or text.rstrip("\n") != expected.rstrip("\n"):
        return Verdict(False, f"{path} has been altered: the page does not show exactly what "
                       f"its signed data say. Check the code instead: qilab cohort verify "
                       f"{code} (a page made with an older certificate template is checked "
                       "that way too).", code=code)
    return _valid(record, code, standard)

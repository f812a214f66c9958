"""Pseudonyms for people, and the normalising that makes spreadsheets' variants match.

A person is known by a pseudonym: ``P-`` and twelve characters of an HMAC-SHA256, keyed with
the programme's own random key, over their learner id (preferred), else their email, else
their name with their organisation. Names and emails are used only to compute it and are never
stored. Variants of one name ("Dr Ann  Jones", "ann jones") and of one organisation ("Royal
Testshire Hospitals NHS FT", "royal testshire hospitals nhs foundation trust") give the same
result.

>>> normal_name("  Dr. Ann   JONES ")
'ann jones'
>>> normal_organisation("St Mary's Hospice & Care Ltd.")
'saint marys hospice and care limited'
>>> pseudonym(b"k" * 32, "learner:ann") == pseudonym(b"k" * 32, "learner:ann")
True
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata

_TITLES = {"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev",
           "cllr"}
_ORG_WORDS = {"&": "and", "st": "saint", "ft": "foundation trust", "ltd": "limited",
              "cc": "county council", "univ": "university"}


def _plain(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " & ").replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^a-z0-9&@._+-]+", " ", text).split())


def normal_name(name: str) -> str:
    """A person's name without titles, case, accents or punctuation."""
    words = [w.strip(".-") for w in _plain(name).split()]
    return " ".join(w for w in words if w and w not in _TITLES)


def normal_organisation(name: str) -> str:
    """An organisation's name with common abbreviations written out."""
    words = [w.strip(".-") for w in _plain(name).split()]
    return " ".join(_ORG_WORDS.get(w, w) for w in words if w)


def person_key(learner: str | None, email: str | None, name: str | None,
               organisation: str | None) -> str | None:
    """The identity a pseudonym is made from, or ``None`` if the row has none."""
    if learner and str(learner).strip():
        return "learner:" + str(learner).strip().casefold()
    if email and str(email).strip():
        return "email:" + str(email).strip().casefold()
    if name and normal_name(name) and organisation:
        return "name:" + normal_name(name) + "|" + organisation
    return None


def pseudonym(key: bytes, identity: str) -> str:
    """``P-`` and twelve base32 characters of HMAC-SHA256(key, identity)."""
    digest = hmac.new(key, identity.encode("utf-8"), hashlib.sha256).digest()
    return "P-" + base64.b32encode(digest).decode("ascii")[:12]

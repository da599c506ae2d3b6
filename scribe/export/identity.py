"""Who a document is about and who signed it, as EHR formats file them: names and identifier systems.

Both FHIR (``HumanName``) and HL7 v2 (``XPN``/``XCN``) file a name in parts. Scribe only has the
name as it was typed, so it splits the two common forms and never guesses beyond them: "Doe, Jane Q"
(family first, as EHRs print it) and "Jane Q Doe" (given names first; a lower-case particle such as
"van" or "de" stays with the family name, "Jr"/"III" become a suffix, "Dr." a prefix). A single word
cannot be split safely (family or given?), so it is kept as text only.

An identifier system (the clinic's MRN system, its own id system) is typed by the clinic as an OID,
a URI or a short assigning-authority name; :func:`system_kind` tells which, so FHIR gets a URI and
HL7 v2 an ``HD`` of the right type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["PersonName", "birth_date", "split_name", "split_signer", "system_kind"]

_OID = re.compile(r"(?:urn:oid:)?([0-2](?:\.(?:0|[1-9][0-9]*))+)", re.IGNORECASE)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")

_PARTICLES = frozenset(
    "van von de del della der den di da du dos das la le ter ten bin ibn al el st. st".split()
)
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv v".split())
_PREFIXES = frozenset("dr dr. mr mr. mrs mrs. ms ms. mx mx. prof prof.".split())


@dataclass(frozen=True)
class PersonName:
    """A name in parts; ``family`` is empty when the name could not be split (``text`` only)."""

    text: str
    family: str = ""
    given: tuple[str, ...] = ()
    prefix: tuple[str, ...] = ()
    suffix: tuple[str, ...] = ()  # "Jr", or a clinician's credentials ("MD")

    @property
    def split(self) -> bool:
        return bool(self.family and self.given)


def split_name(name: str) -> PersonName:
    """``name`` ("Doe, Jane Q" or "Jane Q Doe") in parts; text only when it cannot be split."""
    text = " ".join(name.split())
    if not text:
        return PersonName("")
    if "," in text:
        family, _, rest = text.partition(",")
        parts = [p.strip() for p in rest.split(",")]
        given = tuple(parts[0].split())
        suffix = tuple(p for p in parts[1:] if p)
        if not family.strip() or not given:
            return PersonName(text)
        return PersonName(text, family.strip(), given, suffix=suffix)
    words = text.split()
    prefix: list[str] = []
    while words and words[0].lower() in _PREFIXES:
        prefix.append(words.pop(0))
    suffix: list[str] = []
    while len(words) > 2 and words[-1].lower().rstrip(",") in _SUFFIXES:
        suffix.insert(0, words.pop())
    if len(words) < 2:
        return PersonName(text)
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    return PersonName(text, " ".join(words[start:]), tuple(words[:start]), tuple(prefix),
                      tuple(suffix))


def split_signer(signer: str) -> PersonName:
    """A signer as the profile writes it, "Name, Credentials": the name in parts, the
    credentials as suffixes, one per degree (FHIR ``HumanName.suffix``, HL7 professional suffix)."""
    name, _, credentials = signer.partition(",")
    person = split_name(name)
    degrees = tuple(d for d in (" ".join(c.split()) for c in credentials.split(",")) if d)
    return PersonName(" ".join(signer.split()), person.family, person.given, person.prefix,
                      person.suffix + degrees)


def system_kind(system: str) -> tuple[Literal["oid", "uri", "name", ""], str]:
    """What an identifier system is: ``("oid", "1.2.3")`` (with or without ``urn:oid:``),
    ``("uri", "http://...")``, ``("name", "HOSP")`` (an assigning-authority name) or ``("", "")``."""
    system = system.strip()
    if not system:
        return "", ""
    if m := _OID.fullmatch(system):
        return "oid", m.group(1)
    if _URI.fullmatch(system):
        return "uri", system
    return "name", system


def birth_date(value: str) -> date | None:
    """The birth date when ``value`` is a valid ISO date (YYYY-MM-DD), else None (left out)."""
    try:
        return date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None

"""Sign-off wording shared by the app and the CLI, and what to ask before signing. The rules that
refuse a signature live in the store."""

from __future__ import annotations

import re

from scribe.domain import NoteDraft

__all__ = ["DEFAULT_ATTESTATION", "EMPTY_PLACEHOLDERS", "empty_assessment"]

DEFAULT_ATTESTATION = (
    "I have reviewed this note, corrected it where needed, and attest that it accurately "
    "reflects the visit."
)

_ASSESSMENT = re.compile(r"\b(?:assessment|impression)\b", re.I)
EMPTY_PLACEHOLDERS = frozenset({"not discussed.", "not discussed", "(none)", "none", "none.",
                                "n/a", "-"})
"""Lines that fill a section without saying anything in it."""


def empty_assessment(note: NoteDraft) -> str | None:
    """The warning to show before signing when the note's Assessment says nothing, else None.

    A visit's Assessment is the section titled Assessment (or Impression, or a combined
    "Assessment and plan"); a note whose template has none is not asked about. Empty means no
    sentence, or only a placeholder such as "Not discussed."."""
    for sec in note.sections:
        if not _ASSESSMENT.search(sec.title):
            continue
        said = [s.text for s in sec.sentences if s.text.strip().lower() not in EMPTY_PLACEHOLDERS]
        if not said:
            return f"The {sec.title} section is empty."
        return None
    return None

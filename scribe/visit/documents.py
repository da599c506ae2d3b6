"""What a visit's note leads to: ICD-10-CM suggestions for it, and the documents written from it
once signed (the after-visit summary for the patient, a referral letter), each reviewed and signed
like the note."""

from __future__ import annotations

import logging

from scribe.domain import DiagnosisCode, Document, NoteDraft
from scribe.errors import SignOffError
from scribe.export import icd, summary
from scribe.visit.workspace import Workspace

__all__ = ["KINDS", "draft_document", "suggest_codes", "suggest_codes_quietly"]

log = logging.getLogger(__name__)

KINDS = ("summary", "referral")


def suggest_codes(ws: Workspace, encounter_id: str,
                  note: NoteDraft | None = None) -> list[DiagnosisCode]:
    """Suggest codes from the note's assessed problems (each with its evidence) and store them;
    the clinician's earlier decisions stay. ``note``: the note as just saved (else it is read).
    Returns the visit's codes."""
    if note is None:
        record = ws.store.get_note(encounter_id)
        if record is None:
            return []
        note = record.current
    found = [DiagnosisCode(s.code, s.description, s.problem, s.sentence, tuple(s.evidence))
             for s in icd.suggest_codes(note)]
    ws.store.save_code_suggestions(encounter_id, found)
    return ws.store.codes(encounter_id)


def suggest_codes_quietly(ws: Workspace, encounter_id: str,
                          note: NoteDraft | None = None) -> None:
    """After a draft is stored: suggestions are a help, so a failure to make them never fails
    the visit (the log gets its kind, never patient text; ``scribe codes --suggest`` retries)."""
    try:
        suggest_codes(ws, encounter_id, note)
    except Exception as e:  # noqa: BLE001 - any failure here leaves the stored draft as it is
        log.warning("no code suggestions for visit %s (%s)", encounter_id, type(e).__name__)


def draft_document(ws: Workspace, encounter_id: str, kind: str = "summary",
                   language: str | None = None, *, to: str = "", reason: str = "") -> Document:
    """Write an after-visit summary (``kind`` "summary", in the visit's language unless
    ``language`` is given) or a referral letter from the signed note, as a draft to review."""
    if kind not in KINDS:
        raise SignOffError("Scribe writes an after-visit summary or a referral letter.")
    note = ws.store.get_note(encounter_id)
    if note is None or not note.signed:
        raise SignOffError("Sign the note first; the after-visit summary and letters are "
                           "written from the signed note.")
    transcript = ws.store.get_transcript(encounter_id)
    lang = language or (transcript.language if transcript else "en") or "en"
    if kind == "summary":
        draft = summary.after_visit_summary(note.current, transcript, language=lang)
    else:
        draft = summary.referral_letter(note.current, to=to, reason=reason)
    return ws.store.add_document(encounter_id, kind, lang, draft)

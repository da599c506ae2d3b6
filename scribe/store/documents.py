"""Rows of a visit's ICD-10-CM codes and its other documents (after-visit summary, referral).

Plain functions over the database, run inside the store's transactions (``Store`` wraps each with
its audit event); the database itself freezes them once signed (``schema.m003``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from scribe.domain import (
    CodeState,
    DiagnosisCode,
    Document,
    NoteDraft,
    Signature,
    new_id,
    sha256_text,
    utcnow,
)

__all__ = ["codes", "documents", "insert_document", "merge_codes", "sign_document",
           "set_code_state", "undecided_to_removed", "update_document"]


def codes(db: Database, encounter_id: str) -> list[DiagnosisCode]:
    return [
        DiagnosisCode(r["code"], r["description"], r["problem"], int(r["sentence"]),
                      tuple(int(i) for i in json.loads(r["evidence"] or "[]")),
                      CodeState(r["state"]))
        for r in db.query("SELECT * FROM codes WHERE encounter_id = ? ORDER BY position",
                          [encounter_id])
    ]


def merge_codes(db: Database, encounter_id: str, suggested: Iterable[DiagnosisCode]) -> int:
    """Replace the undecided suggestions with ``suggested``; the clinician's decisions stay
    (a code accepted or removed before a redraft keeps its state). Returns how many are new."""
    decided = {c.code: c for c in codes(db, encounter_id) if c.state != CodeState.SUGGESTED}
    db.execute("DELETE FROM codes WHERE encounter_id = ? AND state = ?",
               [encounter_id, CodeState.SUGGESTED.value])
    added = 0
    position = len(decided)
    for c in suggested:
        if c.code in decided:
            continue
        db["codes"].insert({
            "encounter_id": encounter_id, "code": c.code, "description": c.description,
            "problem": c.problem, "sentence": c.sentence, "evidence": json.dumps(list(c.evidence)),
            "state": CodeState.SUGGESTED.value, "position": position,
        })
        position += 1
        added += 1
    return added


def set_code_state(db: Database, encounter_id: str, code: str, state: CodeState) -> bool:
    cur = db.execute("UPDATE codes SET state = ? WHERE encounter_id = ? AND code = ?",
                     [state.value, encounter_id, code])
    return cur.rowcount == 1


def undecided_to_removed(db: Database, encounter_id: str) -> int:
    """At signing: a suggestion nobody accepted does not travel with the note."""
    cur = db.execute("UPDATE codes SET state = ? WHERE encounter_id = ? AND state = ?",
                     [CodeState.REMOVED.value, encounter_id, CodeState.SUGGESTED.value])
    return cur.rowcount


def _document(r: dict) -> Document:
    sig = None
    if r["signed_at"]:
        sig = Signature(r["signer"], datetime.fromisoformat(r["signed_at"]), r["sha256"],
                        r["attestation"])
    return Document(
        id=r["id"], encounter_id=r["encounter_id"], kind=r["kind"], language=r["language"],
        draft=NoteDraft.from_dict(json.loads(r["draft_json"])),
        current=NoteDraft.from_dict(json.loads(r["current_json"])),
        created_at=datetime.fromisoformat(r["created_at"]), signature=sig,
        signed_text=r["signed_text"],
    )


def documents(db: Database, encounter_id: str, kind: str | None = None) -> list[Document]:
    sql = "SELECT * FROM documents WHERE encounter_id = ?"
    params = [encounter_id]
    if kind is not None:
        sql += " AND kind = ?"
        params.append(kind)
    return [_document(r) for r in db.query(sql + " ORDER BY created_at", params)]


def insert_document(db: Database, encounter_id: str, kind: str, language: str,
                    draft: NoteDraft) -> Document:
    now = utcnow()
    data = json.dumps(draft.to_dict())
    doc_id = new_id()
    db["documents"].insert({
        "id": doc_id, "encounter_id": encounter_id, "kind": kind, "language": language,
        "draft_json": data, "current_json": data, "text": draft.text, "created_at":
        now.isoformat(), "updated_at": now.isoformat(),
    })
    return Document(doc_id, encounter_id, kind, language, draft, draft, now)


def update_document(db: Database, doc_id: str, current: NoteDraft) -> None:
    db["documents"].update(doc_id, {"current_json": json.dumps(current.to_dict()),
                                    "text": current.text, "updated_at": utcnow().isoformat()})


def sign_document(db: Database, doc: Document, signer: str, attestation: str) -> Signature:
    text = doc.current.text
    sig = Signature(signer, utcnow(), sha256_text(text), attestation)
    db["documents"].update(doc.id, {"signed_text": text, "signer": sig.signer,
                                    "signed_at": sig.signed_at.isoformat(), "sha256": sig.sha256,
                                    "attestation": attestation})
    return sig

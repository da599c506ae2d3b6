"""The visit store: one SQLite database (sqlite-utils, WAL), audio files beside it.

Every state change writes its audit event in the same transaction. Signed notes and addenda are
immutable in the database itself (see ``scribe.store.schema``).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from scribe.domain import (
    Addendum,
    AuditEvent,
    CodeState,
    DiagnosisCode,
    Document,
    Encounter,
    Identity,
    Mark,
    NoteDraft,
    Signature,
    Status,
    Transcript,
    new_id,
    sha256_text,
    utcnow,
)
from scribe.errors import InputError, NotFoundError, SignOffError, StoreError
from scribe.lifecycle import require_move
from scribe.nlp.safe_text import clean_text
from scribe.security.crypto import audio_file_id
from scribe.store import audit
from scribe.store import documents as docs
from scribe.store.schema import migrate
from scribe.store.settings import Setting, Settings

log = logging.getLogger(__name__)

try:  # the encrypted store (scribe.store.secure) raises SQLCipher's own exception classes
    import sqlcipher3 as _sqlcipher

    DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, _sqlcipher.Error)
    DB_DAMAGED: tuple[type[Exception], ...] = (sqlite3.DatabaseError, _sqlcipher.DatabaseError)
except ImportError:  # pragma: no cover
    DB_ERRORS, DB_DAMAGED = (sqlite3.Error,), (sqlite3.DatabaseError,)


@dataclass
class NoteRecord:
    draft: NoteDraft  # what the engine wrote
    current: NoteDraft  # what the clinician has now (equals the signed note once signed)
    signature: Signature | None
    signed_text: str | None

    @property
    def signed(self) -> bool:
        return self.signature is not None


DISK_FULL = "The disk is full; free some space so Scribe can save your work."
READ_ONLY = ("Scribe's data folder is read-only; make it writable (or move Scribe's data to a "
             "writable disk), then try again.")
BUSY = "The Scribe database is in use by another program; try again shortly."
DAMAGED = "The Scribe database is damaged or not a Scribe database; restore it from backup."
UNREADABLE = ("The Scribe database could not be read or written; check the disk and the data "
              "folder, then try again.")
LOW_SPACE_BYTES = 256 * 1024
"""Below this much free space in the data folder, a failed write is put down to a full disk."""


def disk_problem(folder: Path | None) -> str | None:
    """The sentence for a data folder that cannot take a write now (full, read-only), else None.

    Asked after SQLite fails, because SQLite reports a full disk or a read-only mount as
    "disk I/O error" or "unable to open database file" when it cannot create its journal.
    """
    if folder is None or not folder.is_dir():
        return None
    try:
        if not os.access(folder, os.W_OK):  # EROFS even for root: a read-only mount or disk
            return READ_ONLY
        st = os.statvfs(folder)
        if st.f_flag & os.ST_RDONLY:
            return READ_ONLY
        if st.f_bavail * st.f_frsize < LOW_SPACE_BYTES:
            return DISK_FULL
    except (OSError, AttributeError):  # no statvfs (Windows): the message decides
        return None
    return None


def db_error(e: Exception, folder: Path | None = None) -> StoreError:
    """One true sentence for a database error: signed, busy, disk full, read-only, damaged.

    ``folder``: the data folder, looked at when SQLite's own message does not say why.
    """
    msg = str(e).lower()
    if "immutable" in msg or "append-only" in msg or "cannot change status" in msg:
        return StoreError("That note is signed and cannot be changed; add an addendum instead.")
    if "locked" in msg or "busy" in msg:
        return StoreError(BUSY)
    if "full" in msg:  # SQLITE_FULL: "database or disk is full"
        return StoreError(DISK_FULL)
    if "readonly" in msg or "read-only" in msg:  # SQLITE_READONLY
        return StoreError(disk_problem(folder) or READ_ONLY)
    problem = disk_problem(folder)
    if problem:
        return StoreError(problem)
    if "malformed" in msg or "not a database" in msg or "corrupt" in msg:
        return StoreError(DAMAGED)
    return StoreError(UNREADABLE)


_db_error = db_error


def fts_phrases(search: str) -> str:
    """A full-text query that matches the words typed, whatever they are: each word is one quoted
    phrase (a ``"`` inside doubled), so FTS5 syntax (quotes, ``NEAR(``, ``*``, ``-``) is only text.
    Nothing but quotes searches for nothing (an empty phrase matches no row)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in search.split()) or '""'


class Store:
    def __init__(self, db: Database, audio_dir: Path | None = None, actor: str = "system",
                 checkpoint: Path | None = None) -> None:
        """``checkpoint``: the audit chain's append-only anchor file (``audit.CHECKPOINT_FILE``
        beside the database); every committed event is appended to it. None: no anchor."""
        self.db = db
        self.audio_dir = audio_dir
        self.actor = actor
        self.checkpoint = checkpoint
        self._anchored = 0
        try:
            migrate(db)
        except DB_DAMAGED as e:  # damaged, unless the disk or a lock explains it
            err = _db_error(e, self._folder)
            raise (StoreError(DAMAGED) if err.message == UNREADABLE else err) from e
        self._bind_unbound_audio()
        self._anchor()  # events committed before a crash (or before the anchor existed)

    @classmethod
    def open(cls, path: Path, actor: str = "system") -> Store:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = Database(path)
            db.enable_wal()
        except sqlite3.DatabaseError as e:
            raise _db_error(e, path.parent) from e
        audio = path.parent / "audio"
        audio.mkdir(exist_ok=True)
        return cls(db, audio, actor, checkpoint=path.parent / audit.CHECKPOINT_FILE)

    @classmethod
    def memory(cls, actor: str = "system") -> Store:
        return cls(Database(memory=True), None, actor)

    def close(self) -> None:
        self.db.close()

    # --- internal -----------------------------------------------------------------------------
    def _audit(self, encounter_id: str | None, action: str, detail: str = "") -> None:
        audit.append(self.db, encounter_id, action, self.actor, utcnow(), detail)

    @property
    def _folder(self) -> Path | None:
        """The data folder (where the database and its journal live), when known."""
        return self.audio_dir.parent if self.audio_dir is not None else None

    def _write(self, fn):
        try:
            with self.db.atomic():
                result = fn()
        except DB_ERRORS as e:
            raise _db_error(e, self._folder) from e
        self._anchor()
        return result

    def _anchor(self) -> None:
        """Append the events committed since the last anchor to the checkpoint file.

        Only outside a transaction, so nothing appended can be rolled back. A failure (a full
        disk) is logged and retried after the next change; the commit itself already happened.
        """
        if self.checkpoint is None or self.db.conn.in_transaction:
            return
        try:
            start = max(self._anchored, audit.last_anchored(self.checkpoint))
            self._anchored = audit.anchor(self.db, self.checkpoint, start)
        except (OSError, *DB_ERRORS) as e:
            log.warning("audit checkpoint not written (%s); retried after the next change",
                        type(e).__name__)

    def _audio_id(self, audio_file: str | None) -> str | None:
        if self.audio_dir is None or not audio_file:
            return None
        return audio_file_id(self.audio_dir / Path(audio_file).name)

    def _bind_unbound_audio(self) -> None:
        """Bind the audio of visits from before binding existed (best effort, at open)."""
        if self.audio_dir is None:
            return
        try:
            rows = self.db.execute("SELECT id, audio_file FROM encounters WHERE audio_file IS "
                                   "NOT NULL AND audio_id IS NULL").fetchall()
            bound = [(fid, eid) for eid, name in rows if (fid := self._audio_id(name))]
            if bound:
                with self.db.atomic():
                    self.db.conn.executemany(
                        "UPDATE encounters SET audio_id = ? WHERE id = ? AND audio_id IS NULL",
                        bound)
        except DB_ERRORS as e:
            log.warning("audio binding skipped (%s)", type(e).__name__)

    def _move(self, enc: Encounter, new: Status, failure: str | None = None) -> None:
        require_move(enc.status, new)
        self.db["encounters"].update(
            enc.id,
            {"status": new.value, "failure": failure, "updated_at": utcnow().isoformat()},
        )
        self._audit(enc.id, "status", f"{enc.status.value}->{new.value}")

    # --- encounters ---------------------------------------------------------------------------
    def create_encounter(
        self,
        label: str,
        status: Status,
        audio_file: str | None = None,
        duration_s: float = 0.0,
        template: str = "soap",
        consent: bool = False,
        source: str = "recorded",
        encounter_id: str | None = None,
        identity: Identity | None = None,
    ) -> Encounter:
        label = clean_text(label).strip()  # a label or file name never carries control characters
        ident = clean_identity(identity or Identity())
        enc = Encounter(encounter_id or new_id(), utcnow(), label, status, duration_s, audio_file, None, template,
                        consent, identity=ident)

        def go() -> None:
            self.db["encounters"].insert(
                {
                    "id": enc.id,
                    "created_at": enc.created_at.isoformat(),
                    "label": label,
                    "status": status.value,
                    "duration_s": duration_s,
                    "audio_file": audio_file,
                    "failure": None,
                    "template": template,
                    "consent": int(consent),
                    "updated_at": enc.created_at.isoformat(),
                    "audio_id": self._audio_id(audio_file),
                    **_identity_row(ident),
                }
            )
            self._audit(enc.id, "created", f"{source}; status={status.value}")
            if not ident.empty:
                self._audit(enc.id, "identity_set", _identity_fields(ident))
            if consent:
                self._audit(enc.id, "consent_given")

        self._write(go)
        return enc

    def get(self, encounter_id: str) -> Encounter:
        rows = list(self.db.query("SELECT * FROM encounters WHERE id = ?", [encounter_id]))
        if not rows:
            raise NotFoundError(f"No visit with id {encounter_id}.")
        return _encounter(rows[0])

    def find(self, prefix: str) -> Encounter:
        """Resolve a full id or a unique prefix of at least 4 characters (for the CLI)."""
        if len(prefix) >= 32:
            return self.get(prefix)
        rows = list(
            self.db.query("SELECT * FROM encounters WHERE id LIKE ? LIMIT 2", [prefix + "%"])
        )
        if len(prefix) < 4 or len(rows) != 1:
            raise NotFoundError(f"No single visit matches id {prefix}.")
        return _encounter(rows[0])

    def list(self, search: str | None = None, include_discarded: bool = False) -> list[Encounter]:
        sql = "SELECT * FROM encounters"
        params: list[str] = []
        clauses = [] if include_discarded else ["status != 'discarded'"]
        if search and search.strip():
            q = fts_phrases(search)
            clauses.append(
                "(label LIKE ? OR patient_name LIKE ? OR patient_mrn LIKE ? OR id IN (SELECT encounter_id FROM transcripts WHERE rowid IN "
                "(SELECT rowid FROM transcripts_fts WHERE transcripts_fts MATCH ?)) "
                "OR id IN (SELECT encounter_id FROM notes WHERE rowid IN "
                "(SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?)))"
            )
            like = f"%{search.strip()}%"
            params += [like, like, like, q, q]
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY created_at DESC"
        try:
            return [_encounter(r) for r in self.db.query(sql, params)]
        except DB_ERRORS as e:
            raise _db_error(e, self._folder) from e

    def set_status(self, encounter_id: str, status: Status, failure: str | None = None) -> None:
        self._write(lambda: self._move(self.get(encounter_id), status, failure))

    def fail(self, encounter_id: str, reason: str) -> None:
        """Mark a visit failed with a reason the list shows (no patient text in ``reason``)."""
        self.set_status(encounter_id, Status.FAILED, reason)

    def set_audio(self, encounter_id: str, audio_file: str, duration_s: float) -> None:
        def go() -> None:
            self.get(encounter_id)
            self.db["encounters"].update(  # binds the file to the visit (see AudioVault.load)
                encounter_id, {"audio_file": audio_file, "duration_s": duration_s,
                               "audio_id": self._audio_id(audio_file)}
            )
            self._audit(encounter_id, "recorded", f"duration_s={duration_s:.1f}")

        self._write(go)

    def set_label(self, encounter_id: str, label: str) -> None:
        label = clean_text(label).strip()
        if self.get(encounter_id).status == Status.SIGNED:
            raise SignOffError("The visit is signed; its label can no longer change.")
        self._write(lambda: self.db["encounters"].update(encounter_id, {"label": label}))

    def set_identity(self, encounter_id: str, identity: Identity) -> Encounter:
        """Set the patient's identity and the visit's type and time (refused once signed).
        Audited by which fields are filled, never their values."""
        ident = clean_identity(identity)

        def go() -> Encounter:
            enc = self.get(encounter_id)
            if enc.status == Status.SIGNED:
                raise SignOffError("The visit is signed; its patient details can no longer "
                                   "change (add an addendum to correct them).")
            self.db["encounters"].update(encounter_id, _identity_row(ident))
            self._audit(encounter_id, "identity_set", _identity_fields(ident))
            return self.get(encounter_id)

        return self._write(go)

    # --- transcript ---------------------------------------------------------------------------
    def save_transcript(self, encounter_id: str, transcript: Transcript) -> None:
        """Store the transcript and move the visit on to drafting, in one transaction."""

        def go() -> None:
            enc = self.get(encounter_id)
            self.db["transcripts"].upsert(
                {
                    "encounter_id": encounter_id,
                    "model": transcript.model,
                    "json": json.dumps(transcript.to_dict()),
                    "text": transcript.text,
                },
                pk="encounter_id",
            )
            self._audit(encounter_id, "transcribed", f"segments={len(transcript.segments)}")
            self._move(enc, Status.DRAFTING)

        self._write(go)

    def replace_transcript(self, encounter_id: str, transcript: Transcript, why: str) -> None:
        """Keep the status; used when the clinician fixes speaker labels."""

        def go() -> None:
            if self.get(encounter_id).status == Status.SIGNED:
                raise SignOffError("The visit is signed; its transcript can no longer change.")
            self.db["transcripts"].update(
                encounter_id,
                {"json": json.dumps(transcript.to_dict()), "text": transcript.text},
            )
            self._audit(encounter_id, "transcript_edited", why)

        self._write(go)

    def get_transcript(self, encounter_id: str) -> Transcript | None:
        rows = list(
            self.db.query("SELECT json FROM transcripts WHERE encounter_id = ?", [encounter_id])
        )
        return Transcript.from_dict(json.loads(rows[0]["json"])) if rows else None

    # --- note ---------------------------------------------------------------------------------
    def save_draft(self, encounter_id: str, draft: NoteDraft) -> None:
        """Store an engine's draft and move the visit to review, in one transaction."""

        def go() -> None:
            enc = self.get(encounter_id)
            now = utcnow().isoformat()
            data = json.dumps(draft.to_dict())
            self.db["notes"].upsert(
                {
                    "encounter_id": encounter_id,
                    "engine": draft.engine,
                    "template": draft.template,
                    "draft_json": data,
                    "current_json": data,
                    "text": draft.text,
                    "updated_at": now,
                },
                pk="encounter_id",
            )
            self._audit(encounter_id, "drafted", f"engine={draft.engine}; template={draft.template}")
            self._move(enc, Status.IN_REVIEW)

        self._write(go)

    def get_note(self, encounter_id: str) -> NoteRecord | None:
        rows = list(self.db.query("SELECT * FROM notes WHERE encounter_id = ?", [encounter_id]))
        if not rows:
            return None
        r = rows[0]
        sig = None
        if r["signed_at"]:
            sig = Signature(r["signer"], datetime.fromisoformat(r["signed_at"]), r["sha256"],
                            r["attestation"])
        return NoteRecord(
            draft=NoteDraft.from_dict(json.loads(r["draft_json"])),
            current=NoteDraft.from_dict(json.loads(r["current_json"])),
            signature=sig,
            signed_text=r["signed_text"],
        )

    def update_note(self, encounter_id: str, current: NoteDraft) -> None:
        """Save the clinician's edits (autosave). Refused once signed."""

        def go() -> None:
            enc = self.get(encounter_id)
            if enc.status == Status.SIGNED:
                raise SignOffError("This note is signed and cannot be changed; add an addendum.")
            self.db["notes"].update(
                encounter_id,
                {
                    "current_json": json.dumps(current.to_dict()),
                    "text": current.text,
                    "updated_at": utcnow().isoformat(),
                },
            )
            self._audit(encounter_id, "edited")

        self._write(go)

    def sign(
        self,
        encounter_id: str,
        signer: str,
        attestation: str,
        acknowledged_flags: Iterable[int] = (),
    ) -> Signature:
        """Lock the note: store the exact text, its sha256, the signer and the time.

        ``acknowledged_flags`` holds the positions (in ``NoteDraft.sentences()`` order) of flagged
        sentences the clinician explicitly acknowledged; every flagged sentence must be in it.
        """
        if not signer.strip():
            raise SignOffError("Enter your name and credentials to sign.")
        acked = set(acknowledged_flags)

        def go() -> Signature:
            enc = self.get(encounter_id)
            note = self.get_note(encounter_id)
            if note is None:
                raise SignOffError("There is no note to sign yet.")
            if enc.status != Status.IN_REVIEW:
                raise SignOffError(f"A visit that is {enc.status.label.lower()} cannot be signed.")
            flagged = [i for i, s in enumerate(note.current.sentences()) if s.flags]
            missing = [i for i in flagged if i not in acked]
            if missing:
                raise SignOffError(
                    f"{len(missing)} flagged sentence(s) need your acknowledgement before signing."
                )
            text = note.current.text
            sig = Signature(signer.strip(), utcnow(), sha256_text(text), attestation)
            dropped = docs.undecided_to_removed(self.db, encounter_id)
            if dropped:  # a suggestion nobody accepted does not travel with the note
                self._audit(encounter_id, "codes_not_accepted", f"count={dropped}")
            for i in flagged:
                kinds = ",".join(f.kind for f in note.current.sentences()[i].flags)
                self._audit(encounter_id, "flag_acknowledged", f"sentence={i}; kinds={kinds}")
            self.db["notes"].update(
                encounter_id,
                {
                    "signed_text": text,
                    "signer": sig.signer,
                    "signed_at": sig.signed_at.isoformat(),
                    "sha256": sig.sha256,
                    "attestation": attestation,
                },
            )
            record = audit.record_digest(self.db, encounter_id)  # what verify recomputes
            self._audit(encounter_id, "signed", f"sha256={sig.sha256}; record={record}")
            self._move(enc, Status.SIGNED)
            return sig

        return self._write(go)

    def add_addendum(self, encounter_id: str, text: str, signer: str,
                     attestation: str) -> Addendum:
        if not text.strip():
            raise SignOffError("An addendum needs some text.")
        if not signer.strip():
            raise SignOffError("Enter your name and credentials to sign the addendum.")

        def go() -> Addendum:
            if self.get(encounter_id).status != Status.SIGNED:
                raise SignOffError("Addenda are for signed notes; edit the draft instead.")
            sig = Signature(signer.strip(), utcnow(), sha256_text(text.strip()), attestation)
            add = Addendum(new_id(), text.strip(), sig)
            self.db["addenda"].insert(
                {
                    "id": add.id,
                    "encounter_id": encounter_id,
                    "text": add.text,
                    "signer": sig.signer,
                    "signed_at": sig.signed_at.isoformat(),
                    "sha256": sig.sha256,
                    "attestation": attestation,
                }
            )
            self._audit(encounter_id, "addendum", f"id={add.id}; sha256={sig.sha256}")
            return add

        return self._write(go)

    def addenda(self, encounter_id: str) -> list[Addendum]:
        return [
            Addendum(
                r["id"],
                r["text"],
                Signature(r["signer"], datetime.fromisoformat(r["signed_at"]), r["sha256"],
                          r["attestation"]),
            )
            for r in self.db.query(
                "SELECT * FROM addenda WHERE encounter_id = ? ORDER BY signed_at", [encounter_id]
            )
        ]

    # --- flags the clinician checked, moments marked ------------------------------------------
    def check_flag(self, encounter_id: str, sentence: int) -> NoteDraft:
        """The clinician looked at a flagged sentence and marks it checked (audited with the
        sentence's position and the flags' kinds, never its text). Returns the note now."""

        def go() -> NoteDraft:
            enc = self.get(encounter_id)
            note = self.get_note(encounter_id)
            if note is None or enc.status == Status.SIGNED:
                raise SignOffError("Only a draft's flags can be checked.")
            sentences = note.current.sentences()
            if not 0 <= sentence < len(sentences) or not sentences[sentence].flags:
                raise NotFoundError("That sentence has no flag to check.")
            sentences[sentence].checked = True
            self.db["notes"].update(encounter_id, {"current_json": json.dumps(
                note.current.to_dict()), "updated_at": utcnow().isoformat()})
            kinds = ",".join(f.kind for f in sentences[sentence].flags)
            self._audit(encounter_id, "flag_checked", f"sentence={sentence}; kinds={kinds}")
            return note.current

        return self._write(go)

    def add_mark(self, encounter_id: str, at_s: float, note: str = "") -> Mark:
        """A moment marked during the visit (``at_s`` into the recording), with a side note."""
        mark = Mark(new_id(), encounter_id, max(0.0, float(at_s)), clean_text(note).strip(),
                    utcnow())

        def go() -> None:
            if self.get(encounter_id).status == Status.SIGNED:
                raise SignOffError("The visit is signed; it can no longer be marked.")
            self.db["marks"].insert({"id": mark.id, "encounter_id": encounter_id,
                                     "at_s": mark.at_s, "note": mark.note,
                                     "created_at": mark.created_at.isoformat()})
            self._audit(encounter_id, "marked", f"at_s={mark.at_s:.1f}; note={bool(mark.note)}")

        self._write(go)
        return mark

    def set_mark_note(self, mark_id: str, note: str) -> None:
        def go() -> None:
            rows = list(self.db.query("SELECT encounter_id FROM marks WHERE id = ?", [mark_id]))
            if not rows:
                raise NotFoundError("No such mark.")
            self.db["marks"].update(mark_id, {"note": clean_text(note).strip()})
            self._audit(rows[0]["encounter_id"], "mark_noted")

        self._write(go)

    def marks(self, encounter_id: str) -> list[Mark]:
        return [Mark(r["id"], r["encounter_id"], r["at_s"], r["note"] or "",
                     datetime.fromisoformat(r["created_at"]))
                for r in self.db.query("SELECT * FROM marks WHERE encounter_id = ? ORDER BY at_s",
                                       [encounter_id])]

    # --- ICD-10-CM codes ----------------------------------------------------------------------
    def codes(self, encounter_id: str) -> list[DiagnosisCode]:
        return docs.codes(self.db, encounter_id)

    def save_code_suggestions(self, encounter_id: str, suggested: Iterable[DiagnosisCode]) -> None:
        """The drafter's suggestions replace the undecided ones (decisions stay)."""
        new = list(suggested)

        def go() -> None:
            if self.get(encounter_id).status == Status.SIGNED:
                raise SignOffError("The visit is signed; its codes can no longer change.")
            now = self.codes(encounter_id)
            decided = {c.code for c in now if c.state != CodeState.SUGGESTED}
            fresh = [c for c in new if c.code not in decided]
            if [c for c in now if c.state == CodeState.SUGGESTED] == fresh:
                return  # an autosave that changed no problem: nothing to write or audit
            added = docs.merge_codes(self.db, encounter_id, new)
            self._audit(encounter_id, "codes_suggested", f"count={added}")

        self._write(go)

    def decide_code(self, encounter_id: str, code: str, accept: bool) -> None:
        """The clinician accepts or removes one suggestion before signing (audited)."""
        state = CodeState.ACCEPTED if accept else CodeState.REMOVED

        def go() -> None:
            if self.get(encounter_id).status == Status.SIGNED:
                raise SignOffError("The visit is signed; its codes can no longer change.")
            position = next((i for i, c in enumerate(self.codes(encounter_id))
                             if c.code == code), None)
            if position is None or not docs.set_code_state(self.db, encounter_id, code, state):
                raise NotFoundError("That code is not among this visit's suggestions.")
            self._audit(encounter_id, f"code_{state.value}", f"suggestion={position}")

        self._write(go)

    # --- documents written from a signed visit ------------------------------------------------
    def documents(self, encounter_id: str, kind: str | None = None) -> list[Document]:
        return docs.documents(self.db, encounter_id, kind)

    def get_document(self, doc_id: str) -> Document:
        rows = list(self.db.query("SELECT encounter_id FROM documents WHERE id = ?", [doc_id]))
        if not rows:
            raise NotFoundError("No such document.")
        return next(d for d in self.documents(rows[0]["encounter_id"]) if d.id == doc_id)

    def add_document(self, encounter_id: str, kind: str, language: str,
                     draft: NoteDraft) -> Document:
        """A new draft document (after-visit summary, referral letter) for a signed visit."""

        def go() -> Document:
            if self.get(encounter_id).status != Status.SIGNED:
                raise SignOffError("Sign the note first; the after-visit summary and letters "
                                   "are written from the signed note.")
            doc = docs.insert_document(self.db, encounter_id, kind, language, draft)
            self._audit(encounter_id, "document_drafted", f"id={doc.id}; kind={kind}")
            return doc

        return self._write(go)

    def update_document(self, doc_id: str, current: NoteDraft) -> None:
        def go() -> None:
            if self.get_document(doc_id).signed:
                raise SignOffError("This document is signed and cannot be changed.")
            docs.update_document(self.db, doc_id, current)
            self._audit(self.get_document(doc_id).encounter_id, "document_edited",
                        f"id={doc_id}")

        self._write(go)

    def sign_document(self, doc_id: str, signer: str, attestation: str) -> Signature:
        if not signer.strip():
            raise SignOffError("Enter your name and credentials to sign.")

        def go() -> Signature:
            doc = self.get_document(doc_id)
            if doc.signed:
                raise SignOffError("This document is already signed.")
            if not doc.current.sentences():
                raise SignOffError("This document is empty; there is nothing to sign.")
            sig = docs.sign_document(self.db, doc, signer.strip(), attestation)
            self._audit(doc.encounter_id, "document_signed",
                        f"id={doc.id}; kind={doc.kind}; sha256={sig.sha256}")
            return sig

        return self._write(go)

    def signed_audio_before(self, cutoff: datetime) -> list[tuple[str, str]]:
        """(visit id, audio file) of every visit signed before ``cutoff`` that still has audio."""
        rows = self.db.query(
            "SELECT e.id, e.audio_file FROM encounters e JOIN notes n ON n.encounter_id = e.id "
            "WHERE n.signed_at IS NOT NULL AND n.signed_at < ? AND e.audio_file IS NOT NULL",
            [cutoff.isoformat()],
        )
        return [(r["id"], r["audio_file"]) for r in rows]

    def forget_audio(self, encounter_id: str, why: str) -> None:
        """Record that a visit's audio file was deleted (retention); the note and transcript stay."""

        def go() -> None:
            self.db.execute("UPDATE encounters SET audio_file = NULL, audio_id = NULL WHERE id = ?",
                            [encounter_id])
            self._audit(encounter_id, "audio_deleted", why)

        self._write(go)

    def record_export(self, encounter_id: str, target: str) -> None:
        self.record_event(encounter_id, "exported", target)

    def record_event(self, encounter_id: str | None, action: str, detail: str = "") -> None:
        """Audit an action that changes no table here (an export, an enrolment)."""
        self._write(lambda: self._audit(encounter_id, action, detail))

    # --- audit and settings -------------------------------------------------------------------
    def audit_events(self, encounter_id: str | None = None) -> list[AuditEvent]:
        return audit.events(self.db, encounter_id)

    def verify_audit(self, pins: tuple[str, ...] = ()) -> audit.VerifyResult:
        """The chain, its checkpoint file (when this store has one), ``seq:hash`` pins from
        exported notes, and every signed record."""
        return audit.verify(self.db, self.checkpoint, pins)

    def audit_pin(self, encounter_id: str) -> str:
        """``seq:hash`` of the audit event of the visit's newest signature (note or addendum):
        what an export prints to pin the chain (``scribe audit verify --pin``)."""
        return audit.signature_pin(self.db, encounter_id)

    def setting(self, key: Setting) -> str | None:
        """The stored text of a setting, or None; read settings through ``Settings``."""
        rows = list(self.db.query("SELECT value FROM settings WHERE key = ?", [key.value]))
        return rows[0]["value"] if rows else None

    def set_setting(self, key: Setting, value: str) -> None:
        self._write(
            lambda: self.db["settings"].upsert({"key": key.value, "value": value}, pk="key")
        )

    @property
    def settings(self) -> Settings:
        return Settings(self)


MAX_FIELD = 200


def clean_identity(ident: Identity) -> Identity:
    """Control characters out, whitespace folded, the date checked: one sentence if it is bad."""

    def clean(value: str) -> str:
        text = " ".join(clean_text(value or "").split())
        if len(text) > MAX_FIELD:
            raise InputError(f"A patient detail is longer than {MAX_FIELD} characters; shorten "
                             "it.")
        return text

    birth = clean(ident.birth_date)
    if birth:
        try:
            born = datetime.strptime(birth, "%Y-%m-%d").date()
        except ValueError:
            raise InputError("The date of birth must be written as YYYY-MM-DD (for example "
                             "1970-03-31).") from None
        if born > utcnow().date() or born.year < 1880:
            raise InputError("The date of birth is not a possible date of birth; check it.")
    at = ident.encounter_at
    if at is not None and at.tzinfo is None:
        raise InputError("The visit time needs a time zone.")
    return Identity(clean(ident.patient_name), birth, clean(ident.mrn), clean(ident.visit_type),
                    at)


def _identity_row(ident: Identity) -> dict:
    return {
        "patient_name": ident.patient_name or None,
        "patient_birth_date": ident.birth_date or None,
        "patient_mrn": ident.mrn or None,
        "visit_type": ident.visit_type or None,
        "encounter_at": ident.encounter_at.isoformat() if ident.encounter_at else None,
    }


def _identity_fields(ident: Identity) -> str:
    """Which identity fields are filled (the audit names fields, never values)."""
    names = [n for n, v in _identity_row(ident).items() if v]
    return "fields=" + (",".join(names) or "none")


def _encounter(r: dict) -> Encounter:
    return Encounter(
        id=r["id"],
        created_at=datetime.fromisoformat(r["created_at"]),
        label=r["label"],
        status=Status(r["status"]),
        duration_s=r["duration_s"] or 0.0,
        audio_file=r["audio_file"],
        failure=r["failure"],
        template=r["template"] or "soap",
        consent=bool(r["consent"]),
        audio_id=r.get("audio_id"),
        identity=Identity(
            patient_name=r.get("patient_name") or "",
            birth_date=r.get("patient_birth_date") or "",
            mrn=r.get("patient_mrn") or "",
            visit_type=r.get("visit_type") or "",
            encounter_at=(datetime.fromisoformat(r["encounter_at"]) if r.get("encounter_at")
                          else None),
        ),
    )

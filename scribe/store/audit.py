"""A tamper-evident audit trail: each event's hash covers its fields and the previous event's hash.

Editing, removing or reordering any event breaks the chain at that event, which :func:`verify` names.
Details hold ids, hashes and status names only, never patient text.

Someone holding the database key could still drop the triggers and recompute the whole chain, so
the chain is also anchored outside the database: the store appends ``seq hash`` of every committed
event to a checkpoint file beside it (:data:`CHECKPOINT_FILE`, append-only, fsynced, mode 0600),
and :func:`verify` names the first event whose hash differs from the checkpoint's. Every export
prints the chain head (:func:`head`), so a printed or EHR copy pins the chain too. A signed visit's
``signed`` event carries a digest of what was signed (:func:`record_digest`: date, label,
template, consent, duration, transcript, note and signature), which :func:`verify` recomputes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from scribe.domain import AuditEvent, sha256_text

log = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
"""Settings row holding "count:hash" of the last event, written in the same transaction as it, so
removing the newest events (which leaves a valid but shorter chain) is detected too."""


CHECKPOINT_FILE = "audit.chain"
"""Beside the database: one ``seq hash`` line per committed event, only ever appended."""
_LINE = re.compile(r"^(\d+) ([0-9a-f]{64})$")


def event_hash(prev_hash: str, seq: int, encounter_id: str | None, action: str, actor: str,
               at: str, detail: str) -> str:
    payload = json.dumps(
        [prev_hash, seq, encounter_id, action, actor, at, detail],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(db: Database, encounter_id: str | None, action: str, actor: str, at: datetime,
           detail: str = "") -> None:
    """Append one event; call inside the same ``db.atomic()`` as the change it records."""
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    prev_seq, prev_hash = (row[0], row[1]) if row else (0, GENESIS)
    seq = prev_seq + 1
    at_s = at.isoformat()
    digest = event_hash(prev_hash, seq, encounter_id, action, actor, at_s, detail)
    db.execute(
        "INSERT INTO audit (seq, encounter_id, action, actor, at, detail, prev_hash, hash) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [seq, encounter_id, action, actor, at_s, detail, prev_hash, digest],
    )
    db.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [HEAD_KEY, f"{seq}:{digest}"],
    )
    log.info("event %d %s visit=%s actor=%s", seq, action, encounter_id, actor)  # never detail


def head(db: Database) -> str:
    """``seq:hash`` of the newest event (``0:`` and the genesis hash when there is none)."""
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return f"{row[0]}:{row[1]}" if row else f"0:{GENESIS}"


def signature_pin(db: Database, encounter_id: str) -> str:
    """``seq:hash`` of the newest event that signed this visit's note or an addendum to it.

    Printed on every export: the chain is cumulative, so the hash pins every event up to and
    including the signature, and the same note exports the same text every time.
    """
    row = db.execute("SELECT seq, hash FROM audit WHERE encounter_id = ? AND action IN "
                     "('signed', 'addendum') ORDER BY seq DESC LIMIT 1", [encounter_id]).fetchone()
    return f"{row[0]}:{row[1]}" if row else head(db)


# ---- the checkpoint outside the database ---------------------------------------------------------
def last_anchored(path: Path) -> int:
    """The highest seq the checkpoint file holds (0 when it is missing or empty)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 8192))
            tail = f.read().decode("ascii", "replace").splitlines()
    except FileNotFoundError:
        return 0
    seqs = [int(m.group(1)) for line in tail if (m := _LINE.match(line))]
    return max(seqs, default=0)


def anchor(db: Database, path: Path, after_seq: int) -> int:
    """Append ``seq hash`` of every committed event after ``after_seq``; the new last seq.

    Call only outside a transaction (what is appended can never be rolled back). Raises OSError.
    """
    rows = db.execute("SELECT seq, hash FROM audit WHERE seq > ? ORDER BY seq",
                      [after_seq]).fetchall()
    if not rows:
        return after_seq
    data = "".join(f"{seq} {digest}\n" for seq, digest in rows).encode("ascii")
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    if new and hasattr(os, "O_DIRECTORY"):  # the new file's name survives a power cut too
        dfd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    return rows[-1][0]


def _read_checkpoint(path: Path) -> tuple[dict[int, str], str]:
    """seq -> hash, and a reason when the file itself is inconsistent (two hashes for a seq)."""
    out: dict[int, str] = {}
    with open(path, encoding="ascii", errors="replace") as f:
        for n, line in enumerate(f, 1):
            m = _LINE.match(line.rstrip("\n"))
            if m is None:
                if line.endswith("\n"):  # a torn last line (power cut mid-append) is ignored
                    return out, f"line {n} of the checkpoint file {path.name} is damaged"
                continue
            seq, digest = int(m.group(1)), m.group(2)
            if out.setdefault(seq, digest) != digest:
                return out, (f"the checkpoint file {path.name} holds two different hashes "
                             f"for event {seq}")
        return out, ""


# ---- what was signed ----------------------------------------------------------------------------
def record_digest(db: Database, encounter_id: str) -> str:
    """sha256 of what a signature covers: the visit's date, label, template, consent and duration,
    its transcript, the signed note with its signer, time and attestation, and (when there are
    any) the patient's identity and the accepted ICD-10-CM codes."""
    enc = db.execute("SELECT created_at, label, template, consent, duration_s FROM encounters "
                     "WHERE id = ?", [encounter_id]).fetchone()
    tr = db.execute("SELECT json FROM transcripts WHERE encounter_id = ?",
                    [encounter_id]).fetchone()
    note = db.execute("SELECT signed_text, signer, signed_at, attestation, sha256 FROM notes "
                      "WHERE encounter_id = ?", [encounter_id]).fetchone()
    record: list = [encounter_id, list(enc) if enc else None,
                    sha256_text(tr[0]) if tr and tr[0] is not None else None,
                    [sha256_text(note[0] or ""), *note[1:]] if note else None]
    # The patient's identity and the accepted codes travel in every export, so the signature
    # covers them too; a visit without them (any visit signed before they existed) digests as
    # it always did.
    ident = db.execute("SELECT patient_name, patient_birth_date, patient_mrn, visit_type, "
                       "encounter_at FROM encounters WHERE id = ?", [encounter_id]).fetchone()
    codes = [list(r) for r in db.execute(
        "SELECT code, description FROM codes WHERE encounter_id = ? AND state = 'accepted' "
        "ORDER BY position", [encounter_id])]
    if (ident and any(ident)) or codes:
        record += [list(ident) if ident else None, codes]
    payload = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _field(detail: str, name: str) -> str | None:
    m = re.search(rf"(?:^|; ){name}=([^;]*)", detail)
    return m.group(1) if m else None


def _check_records(db: Database, count: int) -> VerifyResult | None:
    """Each signed visit and addendum must still match the event that recorded its signature."""
    signed: dict[str, tuple[int, str]] = {}
    added: dict[str, tuple[int, str]] = {}
    documents: dict[str, tuple[int, str]] = {}
    for seq, eid, action, detail in db.execute(
            "SELECT seq, encounter_id, action, detail FROM audit "
            "WHERE action IN ('signed', 'addendum', 'document_signed') ORDER BY seq"):
        if action == "signed":
            signed[eid] = (seq, detail)
        elif (aid := _field(detail, "id")) is not None:
            (added if action == "addendum" else documents)[aid] = (seq, detail)
    rows = db.execute(
        "SELECT e.id, n.signed_text, n.sha256 FROM encounters e "
        "LEFT JOIN notes n ON n.encounter_id = e.id "
        "WHERE e.status = 'signed' OR n.signed_at IS NOT NULL ORDER BY e.created_at").fetchall()
    for eid, text, sha in rows:
        visit = f"visit {eid[:8]}"
        if eid not in signed:
            return VerifyResult(False, count, None,
                                f"{visit} is marked signed but no event records its signature")
        seq, detail = signed[eid]
        if text is None or sha256_text(text) != sha or _field(detail, "sha256") != sha:
            return VerifyResult(False, count, seq,
                                f"the signed note of {visit} was changed after signing")
        record = _field(detail, "record")
        if record is not None and record != record_digest(db, eid):
            return VerifyResult(False, count, seq, f"the date, label, transcript or note of "
                                                   f"{visit} was changed after signing")
    documents_sql = ("SELECT id, encounter_id, signed_text, sha256 FROM documents "
                     "WHERE signed_at IS NOT NULL ORDER BY signed_at")
    addenda_sql = "SELECT id, encounter_id, text, sha256 FROM addenda ORDER BY signed_at"
    return (_check_signed(db, documents_sql, documents, "a document of", count)
            or _check_signed(db, addenda_sql, added, "an addendum to", count))


def _check_signed(db: Database, sql: str, recorded: dict[str, tuple[int, str]], what: str,
                  count: int) -> VerifyResult | None:
    """Each signed row (id, visit, text, sha256) must match the event that recorded its
    signature."""
    for row_id, eid, text, sha in db.execute(sql):
        if row_id not in recorded:
            return VerifyResult(False, count, None, f"{what} visit {eid[:8]} has no event "
                                                    "recording its signature")
        seq, detail = recorded[row_id]
        if sha256_text(text or "") != sha or _field(detail, "sha256") != sha:
            return VerifyResult(False, count, seq,
                                f"{what} visit {eid[:8]} was changed after signing")
    return None


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str = ""
    anchored: bool = False
    head: str = ""

    def message(self) -> str:
        if self.ok:
            pinned = " and matches its checkpoint" if self.anchored else ""
            at = f" (head {self.head})" if self.head else ""
            return f"audit trail intact: {self.events} events, hash chain verified{pinned}{at}"
        if self.first_bad_seq is None:
            return f"audit trail broken: {self.reason}"
        return f"audit trail broken at event {self.first_bad_seq}: {self.reason}"


def verify(db: Database, checkpoint: Path | None = None, pins: tuple[str, ...] = ()
           ) -> VerifyResult:
    """The chain, its head record, the checkpoint file (when given), the ``seq:hash`` pins
    (the "Audit chain" line of exported notes) and every signed record."""
    anchored = checkpoint is not None and checkpoint.exists()
    result = _verify_chain(db, checkpoint if anchored else None)
    if not result.ok:
        return result
    count = result.events
    for pin in pins:
        seq_s, _, digest = pin.strip().partition(":")
        if not seq_s.isdigit() or not re.fullmatch(r"[0-9a-f]{64}", digest):
            return VerifyResult(False, count, None, f"{pin!r} is not an 'Audit chain' line's "
                                                    "seq:hash")
        row = db.execute("SELECT hash FROM audit WHERE seq = ?", [int(seq_s)]).fetchone()
        if int(seq_s) and (row is None or row[0] != digest):
            return VerifyResult(False, count, int(seq_s), "it differs from the exported copy's "
                                                          "'Audit chain' line")
    return _check_records(db, count) or VerifyResult(
        True, count, anchored=anchored, head=head(db))


def _check_anchor(db: Database, checkpoint: Path, count: int) -> VerifyResult | None:
    try:
        anchored, damaged = _read_checkpoint(checkpoint)
    except OSError:
        return VerifyResult(False, count, None,
                            f"the checkpoint file {checkpoint.name} could not be read")
    chain = dict(db.execute("SELECT seq, hash FROM audit").fetchall())
    for seq in sorted(anchored):
        if seq > count:
            return VerifyResult(False, count, count + 1,
                                f"event missing: the trail ends at event {count} but its "
                                f"checkpoint {checkpoint.name} records event {max(anchored)}")
        if chain.get(seq) != anchored[seq]:
            return VerifyResult(False, count, seq,
                                f"it differs from its checkpoint in {checkpoint.name} (the "
                                "database was rewritten)")
    if damaged:
        return VerifyResult(False, count, None, damaged)
    return None


def _verify_chain(db: Database, checkpoint: Path | None) -> VerifyResult:
    """Each event follows the one before; then the checkpoint (it names what the database lost
    or rewrote more precisely than the head record can); then the head record."""
    prev_hash = GENESIS
    expected_seq = 1
    count = 0
    for r in db.query("SELECT * FROM audit ORDER BY seq"):
        count += 1
        if r["seq"] != expected_seq:
            return VerifyResult(False, count, expected_seq, "event missing or out of order")
        if r["prev_hash"] != prev_hash:
            return VerifyResult(False, count, r["seq"], "does not follow the previous event")
        digest = event_hash(prev_hash, r["seq"], r["encounter_id"], r["action"], r["actor"],
                            r["at"], r["detail"])
        if digest != r["hash"]:
            return VerifyResult(False, count, r["seq"], "contents were changed")
        prev_hash = r["hash"]
        expected_seq += 1
    if checkpoint is not None:
        bad = _check_anchor(db, checkpoint, count)
        if bad is not None:
            return bad
    stored = db.execute("SELECT value FROM settings WHERE key = ?", [HEAD_KEY]).fetchone()
    if stored is None:
        if count:
            return VerifyResult(False, count, 1, "the record of the newest event is missing")
    elif stored[0] != f"{count}:{prev_hash}":
        head_seq = int(stored[0].split(":", 1)[0]) if stored[0].split(":", 1)[0].isdigit() else 0
        if head_seq > count:
            return VerifyResult(False, count, count + 1,
                                f"event missing: the trail ends at event {count} but should end "
                                f"at event {head_seq}")
        return VerifyResult(False, count, count, "does not match the record of the newest event")
    return VerifyResult(True, count)


def events(db: Database, encounter_id: str | None = None) -> list[AuditEvent]:
    where: dict[str, Any] = {}
    sql = "SELECT * FROM audit"
    if encounter_id is not None:
        sql += " WHERE encounter_id = :id"
        where["id"] = encounter_id
    sql += " ORDER BY seq"
    return [
        AuditEvent(
            seq=r["seq"],
            encounter_id=r["encounter_id"],
            action=r["action"],
            actor=r["actor"],
            at=datetime.fromisoformat(r["at"]),
            detail=r["detail"],
        )
        for r in db.query(sql, where)
    ]

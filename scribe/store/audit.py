"""A tamper-evident audit trail: each event's hash covers its fields and the previous event's hash.

Editing, removing or reordering any event breaks the chain at that event, which :func:`verify` names.
Details hold ids and status names only, never patient text.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from scribe.domain import AuditEvent

log = logging.getLogger(__name__)

GENESIS = "0" * 64
HEAD_KEY = "audit_head"
"""Settings row holding "count:hash" of the last event, written in the same transaction as it, so
removing the newest events (which leaves a valid but shorter chain) is detected too."""


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


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    reason: str = ""

    def message(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.events} events, hash chain verified"
        return f"audit trail broken at event {self.first_bad_seq}: {self.reason}"


def verify(db: Database) -> VerifyResult:
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
    head = db.execute("SELECT value FROM settings WHERE key = ?", [HEAD_KEY]).fetchone()
    if head is None:
        if count:
            return VerifyResult(False, count, 1, "the record of the newest event is missing")
    elif head[0] != f"{count}:{prev_hash}":
        head_seq = int(head[0].split(":", 1)[0]) if head[0].split(":", 1)[0].isdigit() else 0
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

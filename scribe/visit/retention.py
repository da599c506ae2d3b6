"""Audio retention: a visit's audio is deleted N days after its note was signed.

Setting ``audio_retention_days`` (default 30; 0 keeps audio forever). Transcripts and notes stay.
Plaintext audio (from before encryption, or stored without a signed-in clinician) is overwritten
with zeros and synced before it is unlinked. Encrypted audio is simply unlinked: every byte of it
is AES-GCM ciphertext under a key that exists only wrapped by the passphrase, so whatever the disk
keeps of it (free blocks, SSD remaps that no overwrite reaches anyway) reads as noise.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path

from scribe.domain import utcnow
from scribe.security import crypto
from scribe.store.store import Store

log = logging.getLogger(__name__)

SETTING = "audio_retention_days"
DEFAULT_DAYS = 30


def retention_days(store: Store) -> int:
    try:
        return max(0, int(store.setting(SETTING, str(DEFAULT_DAYS)) or DEFAULT_DAYS))
    except ValueError:
        return DEFAULT_DAYS


def destroy_file(path: Path) -> None:
    """Remove an audio file so that no readable audio is left behind (see the module doc)."""
    if not path.exists():
        return
    if not crypto.is_encrypted(path):
        size = path.stat().st_size
        with open(path, "r+b") as f:
            block = b"\0" * (1 << 20)
            done = 0
            while done < size:
                n = min(len(block), size - done)
                f.write(block[:n])
                done += n
            f.flush()
            os.fsync(f.fileno())
    path.unlink()


def purge_expired_audio(store: Store, now: datetime | None = None) -> list[str]:
    """Delete the audio of visits signed more than the retention period ago; returns their ids."""
    days = retention_days(store)
    if days == 0 or store.audio_dir is None:
        return []
    cutoff = ((now or utcnow()) - timedelta(days=days)).isoformat()
    rows = list(store.db.query(
        "SELECT e.id, e.audio_file FROM encounters e JOIN notes n ON n.encounter_id = e.id "
        "WHERE n.signed_at IS NOT NULL AND n.signed_at < ? AND e.audio_file IS NOT NULL",
        [cutoff],
    ))
    done: list[str] = []
    for r in rows:
        eid, name = r["id"], r["audio_file"]
        try:
            destroy_file(store.audio_dir / Path(name).name)
        except OSError:
            log.warning("audio of visit %s could not be deleted; retried at next start", eid)
            continue

        def forget(eid: str = eid) -> None:
            store.db.execute("UPDATE encounters SET audio_file = NULL WHERE id = ?", [eid])
            store._audit(eid, "audio_deleted", f"retention_days={days}")

        store._write(forget)
        log.info("audio of visit %s deleted after %d days (retention)", eid, days)
        done.append(eid)
    return done

"""Audio retention: a visit's audio is deleted N days after its note was signed.

Setting ``AUDIO_RETENTION_DAYS`` (default 30; 0 keeps audio forever). Transcripts and notes stay.
How a file is removed so that nothing readable is left: :func:`scribe.security.destroy_file`.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from scribe.audio.vault import AudioVault
from scribe.domain import utcnow
from scribe.store.store import Store

log = logging.getLogger(__name__)


def purge_expired_audio(store: Store, vault: AudioVault, now: datetime | None = None) -> list[str]:
    """Delete the audio of visits signed more than the retention period ago; returns their ids."""
    days = store.settings.retention_days
    if days == 0:
        return []
    cutoff = (now or utcnow()) - timedelta(days=days)
    done: list[str] = []
    for eid, name in store.signed_audio_before(cutoff):
        try:
            vault.destroy(name)
        except OSError:
            log.warning("audio of visit %s could not be deleted; retried at next start", eid)
            continue
        store.forget_audio(eid, f"retention_days={days}")
        log.info("audio of visit %s deleted after %d days (retention)", eid, days)
        done.append(eid)
    return done

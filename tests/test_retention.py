"""Audio is deleted N days after signing; transcript and note stay; nothing readable is left."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript, utcnow
from scribe.security import crypto
from scribe.store.secure import open_secure_store
from scribe.visit.retention import SETTING, destroy_file, purge_expired_audio

PLANTED = "Zebulon Quartermaine"


def signed_visit(store, clip):
    enc = store.create_encounter("Visit", Status.TRANSCRIBING, consent=True)
    crypto.store_copy(clip("hello.wav"), store.audio_dir / f"{enc.id}.wav")
    store.set_audio(enc.id, f"{enc.id}.wav", 3.0)
    store.save_transcript(enc.id, Transcript((Segment(0, 0.0, 3.0, f"I am {PLANTED}."),)))
    draft = NoteDraft([Section("Subjective", [Sentence(f"{PLANTED} has a cough.", (0,))])])
    store.save_draft(enc.id, draft)
    store.sign(enc.id, "Dr A, MD", "I attest.")
    return enc.id


@pytest.fixture
def store(scribe_home):
    session = open_secure_store(scribe_home)
    yield session.store
    session.close()


def test_audio_goes_after_the_retention_period_and_the_note_stays(store, clip):
    eid = signed_visit(store, clip)
    audio = store.audio_dir / store.get(eid).audio_file
    assert purge_expired_audio(store, utcnow() + timedelta(days=29)) == []
    assert audio.exists()
    assert purge_expired_audio(store, utcnow() + timedelta(days=31)) == [eid]
    assert not audio.exists() and list(store.audio_dir.iterdir()) == []
    assert store.get(eid).audio_file is None
    assert PLANTED in store.get_transcript(eid).text
    assert PLANTED in store.get_note(eid).signed_text
    trail = store.audit_events(eid)
    assert trail[-1].action == "audio_deleted" and trail[-1].detail == "retention_days=30"
    assert store.verify_audit().ok
    assert purge_expired_audio(store, utcnow() + timedelta(days=400)) == []  # once only


def test_zero_keeps_audio_and_the_setting_changes_the_period(store, clip):
    eid = signed_visit(store, clip)
    store.set_setting(SETTING, "0")
    assert purge_expired_audio(store, utcnow() + timedelta(days=3650)) == []
    store.set_setting(SETTING, "2")
    assert purge_expired_audio(store, utcnow() + timedelta(days=3)) == [eid]


def test_unsigned_visits_keep_their_audio(store, clip):
    enc = store.create_encounter("Visit", Status.TRANSCRIBING, consent=True)
    crypto.store_copy(clip("hello.wav"), store.audio_dir / f"{enc.id}.wav")
    store.set_audio(enc.id, f"{enc.id}.wav", 3.0)
    assert purge_expired_audio(store, utcnow() + timedelta(days=365)) == []


def test_plaintext_audio_is_overwritten_before_it_is_unlinked(tmp_path, clip):
    path = tmp_path / "plain.wav"
    path.write_bytes(clip("hello.wav").read_bytes())
    alias = tmp_path / "alias.wav"
    os.link(path, alias)  # a second name for the same blocks shows what was left on them
    destroy_file(path)
    assert not path.exists()
    assert set(alias.read_bytes()) == {0}


def test_encrypted_audio_is_only_unlinked(tmp_path, clip, store):
    path = tmp_path / "enc.wav"
    crypto.store_copy(clip("hello.wav"), path)
    alias = tmp_path / "alias.wav"
    os.link(path, alias)
    destroy_file(path)
    assert not path.exists()
    raw = alias.read_bytes()  # what a disk forensics tool could find: ciphertext only
    assert raw.startswith(crypto.MAGIC) and b"RIFF" not in raw and b"WAVE" not in raw

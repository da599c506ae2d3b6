"""Audio is deleted N days after signing; transcript and note stay; nothing readable is left."""

from __future__ import annotations

import os
from datetime import timedelta

from scribe.audio.vault import AudioVault
from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript, utcnow
from scribe.security import crypto
from scribe.security.erase import destroy_file
from scribe.store.settings import Setting
from scribe.visit.retention import purge_expired_audio

PLANTED = "Zebulon Quartermaine"


def signed_visit(ws, clip):
    store = ws.store
    enc = store.create_encounter("Visit", Status.TRANSCRIBING, consent=True)
    ws.vault.store_copy(clip("hello.wav"), f"{enc.id}.wav")
    store.set_audio(enc.id, f"{enc.id}.wav", 3.0)
    store.save_transcript(enc.id, Transcript((Segment(0, 0.0, 3.0, f"I am {PLANTED}."),)))
    draft = NoteDraft([Section("Subjective", [Sentence(f"{PLANTED} has a cough.", (0,))])])
    store.save_draft(enc.id, draft)
    store.sign(enc.id, "Dr A, MD", "I attest.")
    return enc.id


def purge(ws, now):
    return purge_expired_audio(ws.store, ws.vault, now)


def test_audio_goes_after_the_retention_period_and_the_note_stays(workspace, clip):
    store = workspace.store
    eid = signed_visit(workspace, clip)
    audio = store.audio_dir / store.get(eid).audio_file
    assert audio.read_bytes().startswith(crypto.MAGIC)
    assert purge(workspace, utcnow() + timedelta(days=29)) == []
    assert audio.exists()
    assert purge(workspace, utcnow() + timedelta(days=31)) == [eid]
    assert not audio.exists() and list(store.audio_dir.iterdir()) == []
    assert store.get(eid).audio_file is None
    assert PLANTED in store.get_transcript(eid).text
    assert PLANTED in store.get_note(eid).signed_text
    trail = store.audit_events(eid)
    assert trail[-1].action == "audio_deleted" and trail[-1].detail == "retention_days=30"
    assert store.verify_audit().ok
    assert purge(workspace, utcnow() + timedelta(days=400)) == []  # once only


def test_zero_keeps_audio_and_the_setting_changes_the_period(workspace, clip):
    eid = signed_visit(workspace, clip)
    workspace.store.set_setting(Setting.AUDIO_RETENTION_DAYS, "0")
    assert workspace.settings.retention_days == 0
    assert purge(workspace, utcnow() + timedelta(days=3650)) == []
    workspace.settings.set(Setting.AUDIO_RETENTION_DAYS, 2)
    assert purge(workspace, utcnow() + timedelta(days=3)) == [eid]


def test_expired_audio_is_purged_when_the_clinician_signs_in(scribe_home, workspace, clip,
                                                            monkeypatch):
    from scribe.visit import retention
    from scribe.visit.workspace import Workspace

    eid = signed_visit(workspace, clip)
    workspace.close()
    again = Workspace.open(scribe_home, actor="test")  # signed today: nothing expires yet
    assert again.store.get(eid).audio_file is not None
    again.close()
    monkeypatch.setattr(retention, "utcnow", lambda: utcnow() + timedelta(days=31))
    later = Workspace.open(scribe_home, actor="test")
    try:
        assert later.store.get(eid).audio_file is None
        assert list(later.store.audio_dir.iterdir()) == []
        assert later.store.audit_events(eid)[-1].action == "audio_deleted"
    finally:
        later.close()


def test_unsigned_visits_keep_their_audio(workspace, clip):
    store = workspace.store
    enc = store.create_encounter("Visit", Status.TRANSCRIBING, consent=True)
    workspace.vault.store_copy(clip("hello.wav"), f"{enc.id}.wav")
    store.set_audio(enc.id, f"{enc.id}.wav", 3.0)
    assert purge(workspace, utcnow() + timedelta(days=365)) == []


def test_plaintext_audio_is_overwritten_before_it_is_unlinked(tmp_path, clip):
    path = tmp_path / "plain.wav"
    path.write_bytes(clip("hello.wav").read_bytes())
    alias = tmp_path / "alias.wav"
    os.link(path, alias)  # a second name for the same blocks shows what was left on them
    destroy_file(path)
    assert not path.exists()
    assert set(alias.read_bytes()) == {0}


def test_encrypted_audio_is_only_unlinked(tmp_path, clip):
    path = AudioVault(tmp_path, crypto.new_data_key()).store_copy(clip("hello.wav"), "enc.wav")
    alias = tmp_path / "alias.wav"
    os.link(path, alias)
    destroy_file(path)
    assert not path.exists()
    raw = alias.read_bytes()  # what a disk forensics tool could find: ciphertext only
    assert raw.startswith(crypto.MAGIC) and b"RIFF" not in raw and b"WAVE" not in raw

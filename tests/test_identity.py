"""Who signs, and guarding the passphrase: each test performs the attack or the fault for real.

A signature names the signed-in profile (``--as`` someone else is refused); wrong passphrases cost
growing waits that a new process does not reset, and are audited at the next sign-in; weak new
passphrases are refused; a passphrase change rotates the data key, so an old copy of
``profile.json`` with the old passphrase opens neither the database nor an audio file, even after a
kill -9 in the middle of the change.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import scribe.security.attempts as attempts
from scribe.cli import main
from scribe.domain import Status, Transcript
from scribe.errors import AudioFileError, AuthError, StoreError
from scribe.security import crypto
from scribe.security.profile import Profile
from scribe.store.secure import KEY_CHANGE_FILE, connect
from scribe.visit.workspace import Workspace
from tests.ui.conftest import reviewed_visit

ROOT = Path(__file__).resolve().parent.parent
PASS = "test passphrase"
NEW = "orchard lantern copper seven"


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def clock(monkeypatch):
    """The attempts clock, moved by hand (no sleeping)."""
    t = {"now": 1_900_000_000.0}
    monkeypatch.setattr(attempts, "now", lambda: t["now"])
    return t


# ---- the signer is the signed-in profile ----------------------------------------------------
def test_sign_as_someone_else_is_refused_and_the_signature_names_the_profile(scribe_home, capsys,
                                                                             monkeypatch):
    monkeypatch.setenv("SCRIBE_CLINICIAN", "Dr. Ada Lovelace")
    ws = Workspace.open(scribe_home, actor="test")
    eid = reviewed_visit(ws.store, flagged=True)
    ws.close()

    code, out, err = cli(capsys, "sign", eid, "--as", "Someone Else", "--acknowledge-flags")
    assert code == 1 and out == ""
    assert err == ("scribe: You are signed in as Dr. Ada Lovelace; only you can sign here, so the "
                   "note was not signed.\n")
    code, out, err = cli(capsys, "show", eid, "--json")
    assert json.loads(out)["signed"] is False

    code, out, err = cli(capsys, "sign", eid, "--acknowledge-flags")
    assert code == 0, err
    assert out.startswith("Signed by Dr. Ada Lovelace at ")
    code, out, err = cli(capsys, "addendum", eid, "Called back: better.", "--as", "Someone Else")
    assert code == 1 and "the addendum was not signed" in err
    assert cli(capsys, "addendum", eid, "Called back: better.")[0] == 0
    code, out, err = cli(capsys, "export", eid)
    assert code == 0, err
    assert "Electronically signed by Dr. Ada Lovelace" in out
    assert "Someone Else" not in out


# ---- waits and lockout after wrong passphrases ----------------------------------------------
def test_wrong_passphrases_then_the_right_one_waits_and_the_failures_are_audited(
        scribe_home, capsys, monkeypatch, clock):
    Workspace.open(scribe_home, actor="test").close()
    monkeypatch.setenv("SCRIBE_PASSPHRASE", "a guess at the passphrase")
    expected = ["The passphrase is wrong; try again.",
                "The passphrase is wrong; wait 2 seconds before trying again.",
                "The passphrase is wrong; wait 4 seconds before trying again.",
                "The passphrase is wrong; wait 8 seconds before trying again.",
                "The passphrase is wrong; wait 30 seconds before trying again."]
    for i, sentence in enumerate(expected):
        code, out, err = cli(capsys, "list")
        assert (code, out, err) == (1, "", f"scribe: {sentence}\n"), i
        clock["now"] += attempts.wait_after(i + 1) if i < 4 else 0

    monkeypatch.setenv("SCRIBE_PASSPHRASE", PASS)  # the right one, during the lockout
    clock["now"] += 10
    assert cli(capsys, "list") == (
        1, "", "scribe: Too many wrong passphrases; wait 20 seconds and try again.\n")
    guess = "another guess at it"
    monkeypatch.setenv("SCRIBE_PASSPHRASE", guess)  # a guess in the lockout is not even tried
    assert "Too many wrong passphrases" in cli(capsys, "list")[2]

    stored = (scribe_home / attempts.ATTEMPTS_FILE)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert "guess" not in stored.read_text() and PASS not in stored.read_text()

    clock["now"] += 21
    monkeypatch.setenv("SCRIBE_PASSPHRASE", PASS)
    assert cli(capsys, "list")[0] == 0
    ws = Workspace.open(scribe_home, actor="test")
    events = [e for e in ws.store.audit_events() if e.encounter_id is None]
    failed = [e.detail for e in events if e.action == "sign-in failed"]
    assert len(failed) == 5 and all(d.startswith("sign-in at ") for d in failed)
    assert all("guess" not in e.detail for e in events)
    assert [e.action for e in events][-1] == "unlocked"  # the sign-in that ended them
    assert ws.store.verify_audit().ok
    ws.close()
    assert attempts.Attempts(scribe_home).pending() == ([], 0)  # audited once, not again


def test_a_new_process_does_not_reset_the_lockout(scribe_home, monkeypatch):
    Workspace.open(scribe_home, actor="test").close()
    profile = Profile.load(scribe_home)
    # Five wrong tries that end now (each after the wait of the one before).
    offsets = iter([-100.0, -90.0, -80.0, -60.0, 0.0])
    for _ in range(5):
        t = time.time() + next(offsets)
        monkeypatch.setattr(attempts, "now", lambda t=t: t)
        with pytest.raises(AuthError):
            profile.open("wrong passphrase here")
    monkeypatch.undo()
    env = dict(os.environ, SCRIBE_HOME=str(scribe_home), SCRIBE_PASSPHRASE=PASS,
               PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-m", "scribe", "list"], cwd=ROOT, env=env, text=True,
                         capture_output=True, stdin=subprocess.DEVNULL, timeout=120)
    assert run.returncode == 1
    assert run.stderr.startswith("scribe: Too many wrong passphrases; wait ")
    assert run.stderr.rstrip().endswith("seconds and try again.")
    assert "Traceback" not in run.stderr


def test_signing_passphrase_shares_the_count(workspace, clock):
    for _ in range(4):
        with pytest.raises(AuthError, match="not signed"):
            workspace.confirm("not my passphrase")
        clock["now"] += 10
    with pytest.raises(AuthError, match="wait 30 seconds"):
        workspace.confirm("still not it")
    with pytest.raises(AuthError, match="Too many wrong passphrases"):
        workspace.confirm(PASS)
    clock["now"] += 31
    workspace.confirm(PASS)


def test_waits_double_to_a_cap():
    assert [attempts.wait_after(n) for n in range(1, 11)] == [
        0, 2, 4, 8, 30, 60, 120, 240, 480, 900]
    assert attempts.wait_after(40) == 900


# ---- strength of a new passphrase -----------------------------------------------------------
@pytest.mark.parametrize("weak, sentence", [
    ("12345678", "Choose a passphrase of at least 12 characters; a few unrelated words are easy "
                 "to remember."),
    ("aaaaaaaaaaaa", "That passphrase is too easy to guess; choose a few unrelated words."),
    ("123456789012", "That passphrase is too easy to guess; choose a few unrelated words."),
    ("password1234", "That passphrase is too easy to guess; choose a few unrelated words."),
    ("qwertyuiopasdf", "That passphrase is too easy to guess; choose a few unrelated words."),
])
def test_weak_passphrases_are_refused_with_the_sentence(scribe_home, capsys, monkeypatch, weak,
                                                        sentence):
    monkeypatch.setenv("SCRIBE_PASSPHRASE", weak)
    assert cli(capsys, "list") == (1, "", f"scribe: {sentence}\n")  # first start
    assert not (scribe_home / "profile.json").exists()

    monkeypatch.setenv("SCRIBE_PASSPHRASE", PASS)
    Workspace.open(scribe_home, actor="test").close()
    monkeypatch.setenv("SCRIBE_NEW_PASSPHRASE", weak)
    assert cli(capsys, "passphrase") == (1, "", f"scribe: {sentence}\n")
    assert Profile.load(scribe_home).check(PASS)


def test_an_existing_short_passphrase_keeps_working(scribe_home, capsys, monkeypatch):
    Workspace.open(scribe_home, actor="test").close()
    key = Profile.load(scribe_home).unlock(PASS)
    profile = Profile.load(scribe_home)
    profile.wrapped = crypto.wrap_key(key, "old8char")  # made before the 12-character rule
    profile.save()
    monkeypatch.setenv("SCRIBE_PASSPHRASE", "old8char")
    assert cli(capsys, "list")[0] == 0


# ---- passphrase change: a new data key ------------------------------------------------------
def _visit_with_audio(home: Path, clip) -> tuple[str, bytes]:
    ws = Workspace.open(home, actor="test")
    eid = reviewed_visit(ws.store)
    for name in ("a.wav", "b.wav", "c.wav"):
        ws.vault.store_copy(clip("hello.wav"), name)
    ws.store.set_audio(eid, "a.wav", 3.0)
    key = ws.key
    ws.close()
    return eid, key


def _assert_old_copy_opens_nothing(home: Path, old_profile: Path) -> None:
    old = Profile(old_profile, "x", "", json.loads(old_profile.read_text())["key"])
    old_key = old.unlock(PASS)  # the old copy still unwraps its (now useless) key
    with pytest.raises(StoreError, match="damaged or not a Scribe database"):
        connect(home / "scribe.db", old_key)
    for name in ("a.wav", "b.wav", "c.wav"):
        with pytest.raises(AudioFileError, match="damaged or was changed"):
            crypto.read_plaintext(home / "audio" / name, old_key)


def _assert_new_passphrase_opens_everything(home: Path, eid: str, clip) -> None:
    ws = Workspace.open(home, actor="test", passphrase=NEW)
    try:
        t = ws.store.get_transcript(eid)
        assert isinstance(t, Transcript) and "cough for four days" in t.segments[1].text
        assert ws.store.get(eid).status == Status.IN_REVIEW
        for name in ("a.wav", "b.wav", "c.wav"):
            assert crypto.read_plaintext(ws.vault.path(name), ws.key) == \
                clip("hello.wav").read_bytes()
        assert len(ws.vault.load("a.wav")) > 16000
        # Still bound to its visit: the re-sealed file keeps its id (it was refused as "replaced"
        # when the new key came with a new file id).
        enc = ws.store.get(eid)
        assert enc.audio_id and len(ws.vault.load(enc.audio_file, enc.audio_id)) > 16000
        assert ws.store.verify_audit().ok
    finally:
        ws.close()
    assert not (home / KEY_CHANGE_FILE).exists()


def test_passphrase_change_leaves_an_old_profile_copy_useless(scribe_home, capsys, monkeypatch,
                                                              tmp_path, clip):
    eid, _ = _visit_with_audio(scribe_home, clip)
    aside = tmp_path / "profile-before.json"
    shutil.copy(scribe_home / "profile.json", aside)  # a backup, or a copied folder

    monkeypatch.setenv("SCRIBE_NEW_PASSPHRASE", NEW)
    code, out, err = cli(capsys, "passphrase")
    assert code == 0, err
    assert out.startswith("Passphrase changed")

    _assert_old_copy_opens_nothing(scribe_home, aside)
    # The attacker puts the old profile back and signs in with the old passphrase.
    current = (scribe_home / "profile.json").read_bytes()
    shutil.copy(aside, scribe_home / "profile.json")
    code, out, err = cli(capsys, "list")
    assert code == 1 and err == ("scribe: The Scribe database is damaged or not a Scribe "
                                 "database; restore it from backup.\n")
    (scribe_home / "profile.json").write_bytes(current)

    assert cli(capsys, "list")[2].startswith("scribe: The passphrase is wrong")  # old one: no
    _assert_new_passphrase_opens_everything(scribe_home, eid, clip)


_KILLER = r"""
import os, signal, sys
import scribe.store.secure as secure
from scribe.visit.workspace import Workspace
at = sys.argv[1]
real_rekey, real_replace = secure.rekey_database, secure.os.replace
def rekey(conn, key):
    if at == "before database":
        os.kill(os.getpid(), signal.SIGKILL)
    real_rekey(conn, key)
replaced = []
def replace(src, dst):
    real_replace(src, dst)
    if str(src).endswith(".rekey.tmp"):
        replaced.append(dst)
        if at == "mid audio" and len(replaced) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
secure.rekey_database = rekey
secure.os.replace = replace
ws = Workspace.open(actor="cli", passphrase="test passphrase")
ws.change_passphrase("test passphrase", sys.argv[2])
"""


@pytest.mark.parametrize("at", ["before database", "mid audio"])
@pytest.mark.parametrize("typed", [PASS, NEW])
def test_kill_9_during_a_passphrase_change_is_finished_at_the_next_sign_in(
        scribe_home, tmp_path, clip, at, typed):
    eid, _ = _visit_with_audio(scribe_home, clip)
    aside = tmp_path / "profile-before.json"
    shutil.copy(scribe_home / "profile.json", aside)
    env = dict(os.environ, SCRIBE_HOME=str(scribe_home), PYTHONPATH=str(ROOT))
    run = subprocess.run([sys.executable, "-c", _KILLER, at, NEW], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == -9, run.stderr
    assert (scribe_home / KEY_CHANGE_FILE).exists()  # cut short: the journal is there

    # Whichever passphrase the clinician types next, the change is finished at sign-in.
    Workspace.open(scribe_home, actor="test", passphrase=typed).close()
    assert not (scribe_home / KEY_CHANGE_FILE).exists()
    assert not list((scribe_home / "audio").glob("*.tmp"))
    _assert_old_copy_opens_nothing(scribe_home, aside)
    _assert_new_passphrase_opens_everything(scribe_home, eid, clip)
    assert not Profile.load(scribe_home).check(PASS)

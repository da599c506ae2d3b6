"""Sign-in, auto-lock after idle time (recording goes on), passphrase before a signature."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow

from scribe.audio.recorder import Recorder
from scribe.security.profile import Profile
from scribe.visit.workspace import Workspace
from tests.audio_stack import DATA, FakeMicrophone
from ui import profile_dialog
from ui.lock_screen import AutoLock
from ui.profile_dialog import PassphraseDialog, ProfileDialog, confirm_passphrase, sign_in

PASS = "test passphrase"


@pytest.fixture
def session(scribe_home):
    """Signed in as the app is (the passphrase typed on the lock screen)."""
    s = Workspace.open(scribe_home, actor="app", passphrase=PASS)
    yield s
    s.close()


@pytest.fixture
def window(qtbot):
    w = QMainWindow()
    w.setCentralWidget(QLabel("Visit of a patient"))
    qtbot.addWidget(w)
    w.resize(600, 400)
    w.show()
    return w


def test_idle_window_locks_hides_content_keeps_recording_and_unlocks(qtbot, window, session,
                                                                     tmp_path):
    assert session.settings.lock_minutes == 10
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = Recorder(tmp_path, stream_factory=mic.factory)
    rec.start()
    lock = AutoLock(window, session, minutes=0.001)  # 60 ms idle
    qtbot.waitUntil(lambda: lock.locked, timeout=3000)
    assert not window.centralWidget().isVisible() and lock.screen.isVisible()

    mic.feed(16000)  # the microphone goes on while locked
    qtbot.waitUntil(lambda: rec.frames_written >= 16000, timeout=3000)

    lock.screen.passphrase.setText("wrong passphrase")
    lock.screen.button.click()
    assert lock.locked and lock.screen.error.isVisible()
    lock.screen.passphrase.setText(PASS)
    lock.screen.button.click()
    assert not lock.locked and window.centralWidget().isVisible()
    assert rec.stop().duration_s == pytest.approx(1.0)
    assert session.store.audit_events()[-1].action == "unlocked"
    assert session.store.verify_audit().ok


def test_zero_minutes_never_locks(qtbot, window, session):
    lock = AutoLock(window, session, minutes=0)
    assert not lock.timer.isActive() and not lock.locked


def test_profile_form_explains_what_is_missing(qtbot):
    dlg = ProfileDialog()
    qtbot.addWidget(dlg)
    assert "name" in dlg.problem()
    dlg.name.setText("Dr. Ada Lovelace")
    dlg.passphrase.setText("12345678")
    assert dlg.problem() == ("Choose a passphrase of at least 12 characters; a few unrelated "
                             "words are easy to remember.")
    dlg.passphrase.setText("aaaaaaaaaaaa")
    assert dlg.problem() == "That passphrase is too easy to guess; choose a few unrelated words."
    dlg.passphrase.setText("long enough words")
    dlg.repeat.setText("long enough wordS")
    assert "differ" in dlg.problem()
    dlg.repeat.setText("long enough words")
    assert dlg.problem() is None


def test_first_start_creates_the_profile_then_signs_in(qtbot, monkeypatch, tmp_path):
    home = tmp_path / "fresh"

    def fill_profile(self):
        self.name.setText("Dr. Ada Lovelace")
        self.credentials.setText("MD")
        self.passphrase.setText("a good passphrase")
        self.repeat.setText("a good passphrase")
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ProfileDialog, "exec", fill_profile)
    session = sign_in(home)
    assert session is not None and session.profile.signer == "Dr. Ada Lovelace, MD"
    session.close()
    assert Profile.load(home).check("a good passphrase")

    answers = iter(["wrong one", "a good passphrase"])

    def type_passphrase(self):
        self.passphrase.setText(next(answers))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(PassphraseDialog, "exec", type_passphrase)
    session = sign_in(home)
    assert session is not None
    assert [e.detail for e in session.store.audit_events() if e.action == "unlocked"] == [
        "profile created", "sign-in"]
    session.close()


def test_signing_asks_for_the_passphrase_again(qtbot, monkeypatch, session):
    typed = iter(["nope nope", PASS])

    def type_once(self):
        self.passphrase.setText(next(typed))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(profile_dialog.PassphraseDialog, "exec", type_once)
    assert confirm_passphrase(session) is True  # after one wrong try

    monkeypatch.setattr(profile_dialog.PassphraseDialog, "exec",
                        lambda self: QDialog.DialogCode.Rejected)
    assert confirm_passphrase(session) is False


def test_lock_screen_guessing_is_slowed_locked_out_and_audited(qtbot, window, session,
                                                             monkeypatch):
    import scribe.security.attempts as attempts

    t = {"now": 1_900_000_000.0}
    monkeypatch.setattr(attempts, "now", lambda: t["now"])
    lock = AutoLock(window, session, minutes=0)
    lock.lock()
    for i in range(5):  # five guesses typed at the lock screen, each after the last wait
        lock.screen.passphrase.setText(f"guess number {i}")
        lock.screen.button.click()
        assert lock.locked
        t["now"] += attempts.wait_after(i + 1) if i < 4 else 0
    assert lock.screen.error.text() == (
        "The passphrase is wrong; wait 30 seconds before trying again.")
    t["now"] += 5
    lock.screen.passphrase.setText(PASS)  # the right passphrase, during the lockout
    lock.screen.button.click()
    assert lock.locked and lock.screen.error.text() == (
        "Too many wrong passphrases; wait 25 seconds and try again.")
    assert lock.screen.passphrase.text() == ""
    t["now"] += 25
    lock.screen.passphrase.setText(PASS)
    lock.screen.button.click()
    assert not lock.locked and window.centralWidget().isVisible()
    failed = [e.detail for e in session.store.audit_events() if e.action == "sign-in failed"]
    assert len(failed) == 5 and all(d.startswith("lock screen at ") for d in failed)
    assert all("guess" not in e.detail for e in session.store.audit_events())


def test_change_passphrase_dialog_rotates_the_key(qtbot, monkeypatch, session, tmp_path):
    import json
    import shutil

    from scribe.store.secure import connect
    from ui.profile_dialog import ChangePassphraseDialog, change_passphrase

    home = session.home
    aside = tmp_path / "profile-before.json"
    shutil.copy(home / "profile.json", aside)
    answers = iter([("not it at all", "orchard lantern copper"), (PASS, "aaaaaaaaaaaa"),
                    (PASS, "orchard lantern copper")])
    shown = []

    def fill(self):  # the user types, clicks "Change passphrase"; the dialog stays while wrong
        while True:
            if not self.error.isHidden():
                shown.append(self.error.text())
                self.error.hide()
            cur, new = next(answers)
            self.current.setText(cur)
            self.new.setText(new)
            self.repeat.setText(new)
            self.on_accept()
            if self.error.isHidden():
                return QDialog.DialogCode.Accepted

    monkeypatch.setattr(ChangePassphraseDialog, "exec", fill)
    assert change_passphrase(session) is True
    assert shown == ["The current passphrase is wrong; try again.",
                     "That passphrase is too easy to guess; choose a few unrelated words."]
    old_key = Profile(aside, "x", "", json.loads(aside.read_text())["key"]).unlock(PASS)
    import pytest as _pytest

    from scribe.errors import StoreError
    with _pytest.raises(StoreError):
        connect(home / "scribe.db", old_key)
    # The open window keeps working under the new key.
    assert session.store.verify_audit().ok
    assert Profile.load(home).check("orchard lantern copper")

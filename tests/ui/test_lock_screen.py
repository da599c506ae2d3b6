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
    dlg.passphrase.setText("short")
    assert "at least 8" in dlg.problem()
    dlg.passphrase.setText("long enough")
    dlg.repeat.setText("long enougH")
    assert "differ" in dlg.problem()
    dlg.repeat.setText("long enough")
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

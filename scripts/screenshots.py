"""Screenshots of the desktop app for the README: record view, review view, signed note.

Runs the real app on a throw-away, encrypted data directory with the fast model (tiny.en), real
clips from tests/data and the tests' fake microphone (tests/ui/conftest.py), which plays a clip in
real time, over and over, so the level meter and the clock show a visit in progress::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py   # or under xvfb-run

PNGs go to docs/screenshots/ (record.png, review.png, review_flagged.png, settings.png,
signed.png).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"
OUT = ROOT / "docs" / "screenshots"
CLIP = "visit_two_voices.wav"  # two clearly different voices: the speaker labels show


def wait_until(app, cond, timeout: float = 180.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise TimeoutError("the app did not get there in time")
        app.processEvents()
        time.sleep(0.01)


def settle(app, seconds: float = 0.3) -> None:  # noqa: ANN001
    """Let layouts finish (editors fit their height once they know their width)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def flagged_visit(store) -> str:  # noqa: ANN001
    """A visit whose draft states a wrong dose; the fact check flags it (amber)."""
    from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript
    from scribe.note.checks import check_note

    segs = (
        Segment(0, 0.0, 2.5, "What medications do you take?", "clinician"),
        Segment(1, 2.5, 6.0, "I take lisinopril, ten milligrams daily, for blood pressure.",
                "patient"),
        Segment(2, 6.0, 8.5, "Any allergies?", "clinician"),
        Segment(3, 8.5, 11.0, "Penicillin gives me a rash.", "patient"),
        Segment(4, 11.0, 14.0, "Your lungs are clear. You have acute bronchitis.", "clinician"),
    )
    transcript = Transcript(segs, model="tiny.en", duration=14.0)
    note = NoteDraft([
        Section("Subjective", [Sentence("Takes lisinopril 20 mg daily for blood pressure.", (1,)),
                               Sentence("Allergic to penicillin (rash).", (3,))]),
        Section("Objective", [Sentence("Lungs are clear.", (4,))]),
        Section("Assessment", [Sentence("Acute bronchitis.", (4,))]),
        Section("Plan", [Sentence("Rest and fluids.", ())]),
    ])
    enc = store.create_encounter("Room 7, blood pressure review", Status.TRANSCRIBING,
                                 duration_s=14.0)
    store.save_transcript(enc.id, transcript)
    store.save_draft(enc.id, check_note(note, transcript))
    return enc.id


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="scribe-shots-"))
    os.environ["SCRIBE_HOME"] = str(home)
    os.environ["SCRIBE_ASR_MODEL"] = "tiny.en"  # read by Workspace.engines()
    from PySide6.QtWidgets import QDialog

    from scribe.domain import Identity
    from scribe.security.profile import Profile
    from scribe.visit.workspace import Workspace
    from tests.ui.conftest import WavStreamFactory
    from ui.app import build_window, create_app

    app = create_app([])
    # Signed in as the app is after its first start: a profile, the encrypted store and vault.
    _, key = Profile.create(home, "Dana Smith", "MD", "screenshot passphrase")
    ws = Workspace.open(home, actor="app", key=key)
    store = ws.store
    window = build_window(ws, stream_factory=WavStreamFactory(DATA / CLIP, realtime=True,
                                                              loop=True))
    window.resize(1280, 800)
    window.show()
    ctrl = window.controller
    OUT.mkdir(parents=True, exist_ok=True)

    # A visit imported earlier, so the list is not empty.
    clip = home / "Cough, four days.wav"
    shutil.copyfile(DATA / CLIP, clip)
    ready: list[str] = []
    ctrl.draft_ready.connect(ready.append)
    window.import_file(str(clip), Identity("Maria Lopez", "1958-07-14", "MRN-20417",
                                           "Follow-up"))
    wait_until(app, lambda: ready)
    visit = ready[0]

    # 1. Record view, mid-recording.
    window.on_new_visit()
    panel = window.record
    panel.label_edit.setText("Room 2, follow-up")
    panel.consent.setChecked(True)
    panel.record_btn.click()
    # The live transcript grows while recording: wait for a few committed sentences, each turn
    # headed by its speaker.
    wait_until(app, lambda: len(panel.committed_text.split()) >= 25, timeout=120)
    wait_until(app, lambda: "PATIENT:" in panel.live.toPlainText(), timeout=60)
    wait_until(app, lambda: panel.meter.value() > 40, timeout=10)
    window.grab().save(str(OUT / "record.png"))
    panel.stop_btn.click()
    wait_until(app, lambda: len(ready) == 2)

    # 2. Review view: a sentence selected, its evidence highlighted in the transcript.
    window.select(visit)
    view = window.review
    editor = next(ed for ed in view.editor.editors if ed.toPlainText().strip())
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.Start)
    editor.setTextCursor(cursor)
    view.editor.on_cursor(view.editor.editors.index(editor))
    settle(app)
    window.grab().save(str(OUT / "review.png"))

    # 2b. A flagged sentence (amber): the note says 20 mg where the transcript says 10 mg.
    flagged = flagged_visit(store)
    window.refresh()
    window.select(flagged)
    editor = view.editor.editors[0]
    line = next(i for i, t in enumerate(editor.toPlainText().splitlines()) if "20 mg" in t)
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(line).position())
    editor.setFocus()
    editor.setTextCursor(cursor)
    view.editor.on_cursor(0)
    settle(app)
    window.grab().save(str(OUT / "review_flagged.png"))

    # 2c. Settings.
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(ws, parent=window)
    dialog.resize(680, 560)
    dialog.show()
    settle(app)
    dialog.grab().save(str(OUT / "settings.png"))
    dialog.reject()

    # 2d. Codes & documents before signing: the ICD-10-CM suggestions to tick.
    window.select(visit)
    view.tabs.setCurrentIndex(1)
    settle(app)
    window.grab().save(str(OUT / "codes.png"))
    from PySide6.QtCore import Qt

    codes = view.handoff.codes
    for row in range(codes.count()):  # the clinician accepts the suggestion before signing
        if codes.item(row).flags() & Qt.ItemFlag.ItemIsUserCheckable:
            codes.item(row).setCheckState(Qt.CheckState.Checked)
    view.tabs.setCurrentIndex(0)

    # 3. Signed note with an addendum.
    window.select(visit)
    def sign(dialog) -> int:  # noqa: ANN001
        dialog.signer.name.setText("Dana Smith")
        dialog.signer.credentials.setText("MD")
        for _, box in getattr(dialog, "flag_boxes", []):
            box.setChecked(True)
        if hasattr(dialog, "text"):
            dialog.text.setPlainText("Patient called back on day 3: cough improving, no fever.")
        return QDialog.DialogCode.Accepted

    view.dialog_exec = sign
    view.sign_btn.click()
    view.addendum_btn.click()
    settle(app)
    window.grab().save(str(OUT / "signed.png"))

    # 4. The after-visit summary written from the signed note, signed in turn.
    view.tabs.setCurrentIndex(1)
    view.handoff.summary_btn.click()
    view.handoff.sign_doc_btn.click()
    wait_until(app, lambda: "grade" in view.handoff.grade.text(), timeout=30)
    settle(app)
    window.grab().save(str(OUT / "summary.png"))

    # 5. A clinic server set by IT (issue 17): its settings tab and the status bar indicator.
    from scribe.store.settings import Setting
    from scribe.visit.server_admin import configure_server

    configure_server(ws, {Setting.SERVER_TRANSCRIPTION_URL: "https://scribe-gpu.clinic.lan:8443",
                          Setting.SERVER_CHAT_URL: "https://scribe-gpu.clinic.lan:8443",
                          Setting.SERVER_CHAT_MODEL: "qwen2.5-coder-1.5b",
                          Setting.SERVER_API_KEY: "not-a-real-key"})
    window.update_server_label()
    view.tabs.setCurrentIndex(0)
    settle(app)
    window.grab().save(str(OUT / "clinic_server.png"))
    dialog = SettingsDialog(ws, parent=window)
    dialog.resize(680, 560)
    dialog.tabs.setCurrentWidget(dialog.server)
    dialog.show()
    settle(app)
    dialog.grab().save(str(OUT / "settings_clinic_server.png"))
    dialog.reject()

    window.close()
    ws.close()
    shutil.rmtree(home, ignore_errors=True)
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Screenshots of the desktop app for the README: record view, review view, signed note.

Runs the real app on a throw-away data directory with the fast model (tiny.en), real clips from
tests/data and a sound device that plays a clip (no microphone needed)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots.py   # or under xvfb-run

PNGs go to docs/screenshots/ (record.png, review.png, signed.png).
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = ROOT / "tests" / "data"
OUT = ROOT / "docs" / "screenshots"


class ClipStream:
    """A stand-in microphone: plays a WAV in real time through the recorder's callback."""

    def __init__(self, path: Path, callback, finished_callback=None, **_kw) -> None:  # noqa: ANN001
        import soundfile as sf

        self.data = sf.read(str(path), dtype="int16", always_2d=True)[0][:, :1]
        self.callback = callback
        self.active = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self.active = True
        self._thread.start()

    def _run(self) -> None:
        block = 800
        i = 0
        while not self._stop.wait(block / 16000):
            chunk = self.data[i % len(self.data):][:block]
            self.callback(chunk, len(chunk), None, None)
            i += len(chunk)

    def stop(self) -> None:
        self._stop.set()
        self.active = False

    def close(self) -> None:
        self.stop()


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


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="scribe-shots-"))
    os.environ["SCRIBE_HOME"] = str(home)
    os.environ["SCRIBE_ASR_MODEL"] = "tiny.en"
    from PySide6.QtWidgets import QDialog

    from scribe.paths import audio_dir, db_path
    from scribe.store import Store
    from ui.app import build_window, create_app

    app = create_app([])
    store = Store.open(db_path(), actor="app")
    window = build_window(store, audio_dir=audio_dir(),
                          stream_factory=lambda **kw: ClipStream(DATA / "hello.wav", **kw))
    window.resize(1280, 800)
    window.show()
    ctrl = window.controller
    OUT.mkdir(parents=True, exist_ok=True)

    # A visit imported earlier, so the list is not empty.
    clip = home / "Cough, four days.wav"
    shutil.copyfile(DATA / "visit_short.wav", clip)
    ready: list[str] = []
    ctrl.draft_ready.connect(ready.append)
    window.import_file(str(clip))
    wait_until(app, lambda: ready)
    visit = ready[0]

    # 1. Record view, mid-recording.
    window.on_new_visit()
    panel = window.record
    panel.label_edit.setText("Room 2, follow-up")
    panel.consent.setChecked(True)
    panel.record_btn.click()
    wait_until(app, lambda: ctrl.recorder is not None and ctrl.recorder.elapsed_s > 2.6)
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

    # 3. Signed note with an addendum.
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

    window.close()
    store.close()
    shutil.rmtree(home, ignore_errors=True)
    print("\n".join(str(p.relative_to(ROOT)) for p in sorted(OUT.glob("*.png"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

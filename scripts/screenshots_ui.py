"""Screenshots of the look for the README: the dark theme, and the window at 1024×700.

Runs the real app on a throw-away, encrypted data directory with a hand-made visit in review (a
transcript, a draft whose dose the fact check flags, two marked moments): no speech model runs::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_ui.py

PNGs go to docs/screenshots/ (dark.png, small_1024x700.png); ``--extra DIR`` also saves the record
screen, Help, About and the walkthrough there, light and dark, to look at.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def settle(app, seconds: float = 0.3) -> None:  # noqa: ANN001
    """Let layouts finish (editors fit their height once they know their width)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def reviewed_visit(store) -> str:  # noqa: ANN001
    """A visit in review: who said what, a draft with a wrong dose (flagged), marked moments."""
    from scribe.domain import Identity, NoteDraft, Section, Segment, Sentence, Status, Transcript
    from scribe.note.checks import check_note

    segs = (
        Segment(0, 0.0, 3.0, "Good morning. What brings you in today?", "clinician"),
        Segment(1, 3.0, 7.5, "I have had a dry cough for four days, worse at night.", "patient"),
        Segment(2, 7.5, 10.0, "What medications do you take?", "clinician"),
        Segment(3, 10.0, 14.5, "I take lisinopril, ten milligrams daily, for blood pressure.",
                "patient"),
        Segment(4, 14.5, 16.5, "Any allergies?", "clinician"),
        Segment(5, 16.5, 19.0, "Penicillin gives me a rash.", "patient"),
        Segment(6, 19.0, 24.0, "Your lungs are clear. This looks like acute bronchitis.",
                "clinician"),
        Segment(7, 24.0, 28.0, "Rest, fluids, and come back if you get a fever.", "clinician"),
    )
    transcript = Transcript(segs, model="tiny.en", duration=28.0)
    note = NoteDraft([
        Section("Subjective", [
            Sentence("Dry cough for 4 days, worse at night.", (1,)),
            Sentence("Takes lisinopril 20 mg daily for blood pressure.", (3,)),
            Sentence("Allergic to penicillin (rash).", (5,)),
        ]),
        Section("Objective", [Sentence("Lungs are clear.", (6,))]),
        Section("Assessment", [Sentence("Acute bronchitis.", (6,))]),
        Section("Plan", [Sentence("Rest and fluids; return if fever develops.", (7,))]),
    ])
    enc = store.create_encounter(
        "Room 2, cough", Status.TRANSCRIBING, duration_s=28.0,
        identity=Identity("Maria Lopez", "1958-07-14", "MRN-20417", "Follow-up"))
    store.save_transcript(enc.id, transcript)
    store.save_draft(enc.id, check_note(note, transcript))
    store.add_mark(enc.id, 11.0, "Check the lisinopril dose with the pharmacy")
    store.add_mark(enc.id, 20.0)
    return enc.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--extra", type=Path, help="also save more screens here, to look at")
    args = parser.parse_args()
    if not os.environ.get("DISPLAY"):  # under xvfb-run a real X server draws (as users see)
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="scribe-shots-"))
    os.environ["SCRIBE_HOME"] = str(home)

    from scribe.security.profile import Profile
    from scribe.visit.workspace import Workspace
    from ui import theme
    from ui.app import build_window, create_app

    app = create_app([])
    _, key = Profile.create(home, "Dana Smith", "MD", "screenshot passphrase")
    ws = Workspace.open(home, actor="app", key=key)
    reviewed_visit(ws.store)  # an older visit, so the list is not a single row
    visit = reviewed_visit(ws.store)
    window = build_window(ws)
    window.resize(1024, 700)
    window.show()
    window.refresh()
    window.select(visit)
    view = window.review
    editor = view.editor.editors[0]
    editor.setFocus()
    cursor = editor.textCursor()
    cursor.setPosition(editor.document().findBlockByNumber(1).position())
    editor.setTextCursor(cursor)
    settle(app)
    OUT.mkdir(parents=True, exist_ok=True)
    shots = [OUT / "small_1024x700.png"]
    window.grab().save(str(shots[0]))

    window.set_theme(theme.DARK_NAME)
    window.resize(1280, 800)
    window.select(visit)
    editor = view.editor.editors[0]
    editor.setFocus()
    editor.setTextCursor(cursor)
    settle(app)
    shots.append(OUT / "dark.png")
    window.grab().save(str(shots[1]))

    if args.extra:
        shots += extra_screens(app, window, args.extra)
    window.set_theme(theme.SYSTEM)
    window.close()
    ws.close()
    shutil.rmtree(home, ignore_errors=True)
    print("\n".join(str(p) for p in shots))
    return 0


def extra_screens(app, window, folder: Path) -> list[Path]:  # noqa: ANN001
    """The record screen, Help, About and the walkthrough, light and dark."""
    from ui import theme
    from ui.help_dialog import AboutDialog, HelpDialog

    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    for name in (theme.LIGHT_NAME, theme.DARK_NAME):
        window.set_theme(name)
        window.resize(1024, 700)
        window.on_new_visit()
        window.record.consent.setChecked(True)
        settle(app)
        saved.append(folder / f"record_{name}.png")
        window.grab().save(str(saved[-1]))
        for dialog in (HelpDialog(window.controller, window.shortcuts(), window),
                       AboutDialog(window.controller, window)):
            dialog.show()
            settle(app)
            saved.append(folder / f"{type(dialog).__name__}_{name}.png")
            dialog.grab().save(str(saved[-1]))
            dialog.reject()
        window.show_walkthrough()
        settle(app)
        saved.append(folder / f"walkthrough_{name}.png")
        window.walkthrough.grab().save(str(saved[-1]))
        window.walkthrough.reject()
    return saved


if __name__ == "__main__":
    sys.exit(main())

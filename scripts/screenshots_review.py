"""Screenshot of the review screen with its flags panel, for the README (issue 18).

A hand-made visit (a transcript and a draft written here, the real fact checks run on it; no speech
model), on a throw-away encrypted data directory, the app's own main window::

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python scripts/screenshots_review.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshots_review.py   # also works

Writes docs/screenshots/review_flags.png: one flag already marked checked (✓), the cursor on the
next (F8), its evidence lit in the transcript, each reason written under its section.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
SIZE = (1600, 1000)


def settle(app, seconds: float = 0.4) -> None:  # noqa: ANN001
    """Let layouts finish (editors fit their height once they know their width)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def flagged_visit(store) -> str:  # noqa: ANN001
    """A blood-pressure follow-up whose draft has a wrong dose, a wrong side and an invented plan."""
    from scribe.domain import Identity, NoteDraft, Section, Segment, Sentence, Status, Transcript
    from scribe.note.checks import check_note

    said = [
        ("clinician", "Good morning. What brings you in today?"),
        ("patient", "My blood pressure has been high on the home monitor, around one fifty."),
        ("clinician", "Are you still taking the lisinopril?"),
        ("patient", "Yes, ten milligrams every morning."),
        ("clinician", "Any headaches or chest pain?"),
        ("patient", "Some headaches, no chest pain."),
        ("clinician", "Any allergies to medicines?"),
        ("patient", "Penicillin gives me a rash."),
        ("clinician", "And the knee pain you mentioned last time?"),
        ("patient", "It's my left knee, it aches on the stairs."),
        ("clinician", "Your blood pressure today is one forty eight over ninety two."),
        ("clinician", "Let's check your kidney function and see you again in four weeks."),
    ]
    segs, t = [], 0.0
    for i, (who, text) in enumerate(said):
        length = 2.0 + len(text) / 18
        segs.append(Segment(i, t, t + length, text, who))
        t += length
    transcript = Transcript(tuple(segs), model="hand-made", duration=t)
    note = NoteDraft([
        Section("Subjective", [
            Sentence("Home blood pressure readings around 150 systolic.", (1,)),
            Sentence("Takes lisinopril 20 mg every morning.", (2, 3)),
            Sentence("Reports headaches; denies chest pain.", (4, 5)),
            Sentence("Allergic to penicillin (rash).", (6, 7)),
            Sentence("Right knee aches on stairs.", (8, 9)),
        ]),
        Section("Objective", [Sentence("Blood pressure 148/92 in clinic.", (10,))]),
        Section("Assessment", [Sentence("Hypertension, not at goal on current dose.", (1, 10))]),
        Section("Plan", [
            Sentence("Check kidney function.", (11,)),
            Sentence("Start amlodipine 5 mg daily.", ()),
            Sentence("Follow up in four weeks.", (11,)),
        ]),
    ], template="soap")
    enc = store.create_encounter("Room 4, blood pressure follow-up", Status.TRANSCRIBING,
                                 duration_s=t, identity=Identity("Maria Lopez", "1958-07-14",
                                                                 "MRN-20417", "Follow-up"))
    store.save_transcript(enc.id, transcript)
    store.save_draft(enc.id, check_note(note, transcript))
    return enc.id


def main() -> int:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="scribe-shots-"))
    os.environ["SCRIBE_HOME"] = str(home)
    from scribe.security.profile import Profile
    from scribe.visit.workspace import Workspace
    from ui.app import build_window, create_app

    app = create_app([])
    _, key = Profile.create(home, "Dana Smith", "MD", "screenshot passphrase")
    ws = Workspace.open(home, actor="app", key=key)
    try:
        eid = flagged_visit(ws.store)
        window = build_window(ws)
        window.resize(*SIZE)
        window.show()
        window.refresh()
        window.select(eid)
        view = window.review
        settle(app)
        view.on_next_flag()  # F8: the first flag ...
        view.on_check_flag()  # Ctrl+K: ... looked at and marked checked
        view.on_next_flag()  # F8: the next one, its evidence lit in the transcript
        settle(app)
        OUT.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(OUT / "review_flags.png"))
        window.close()
    finally:
        ws.close()
        shutil.rmtree(home, ignore_errors=True)
    print(OUT / "review_flags.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())

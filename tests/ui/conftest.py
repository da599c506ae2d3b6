"""Fixtures for the app tests: a real (encrypted) workspace, the fast speech model, a sound device
that plays a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._feed import FileMicrophone
from scribe.domain import Flag, NoteDraft, Section, Segment, Sentence, Status, Support, Transcript
from scribe.store.store import Store

DATA = Path(__file__).parent.parent / "data"


def WavStreamFactory(path: Path, *, realtime: bool = False, loop: bool = False) -> FileMicrophone:  # noqa: N802
    """A ``stream_factory`` for the recorder that plays ``path`` (the benches' microphone).

    By default 50× faster than real time, then quiet blocks keep the stream alive (as a real
    microphone would) until the recorder stops it; ``realtime`` paces it as a microphone would
    (the screenshots show the level meter and the clock mid-visit); ``loop`` plays it again and
    again instead of going quiet.
    """
    return FileMicrophone.from_file(path, speed=1.0 if realtime else 50.0, loop=loop)


@pytest.fixture
def app_ws(scribe_home, monkeypatch):
    """The encrypted workspace as the app signs in to it, for Ada Lovelace."""
    from scribe.visit.workspace import Workspace

    monkeypatch.setenv("SCRIBE_CLINICIAN", "Ada Lovelace")
    ws = Workspace.open(scribe_home, actor="app")
    yield ws
    ws.close()


@pytest.fixture
def ws(workspace):
    """The test's encrypted workspace, as the app signs in to it."""
    return workspace


@pytest.fixture
def store(workspace):
    """The workspace's store (most tests only read and write visits)."""
    return workspace.store


@pytest.fixture
def make_window(qtbot, workspace):
    """Build the main window over the test workspace (fast model, fake microphone, no real
    devices)."""
    from ui.app import create_app
    from ui.controller import Controller
    from ui.main_window import MainWindow
    from ui.record_panel import RecordPanel

    create_app([])
    made = []

    def make(stream_factory=None):
        ctrl = Controller(workspace, model="tiny.en",
                          stream_factory=stream_factory or WavStreamFactory(DATA / "hello.wav"))
        w = MainWindow(ctrl, RecordPanel(ctrl, devices=lambda: []))
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    for w in made:
        w.close()
        # A live job can be mid-way through a long backlog when a test fails; let it end here,
        # not in the next test (and not after the workspace is closed).
        w.controller.lane.wait(60_000)


@pytest.fixture
def transcript_view(qtbot):
    """An empty transcript view, shown at a small window's size."""
    from ui.transcript_view import TranscriptView

    v = TranscriptView()
    qtbot.addWidget(v)
    v.resize(520, 420)
    v.show()
    return v


def reviewed_visit(store: Store, flagged: bool = False) -> str:
    """A visit in review with a hand-written transcript and note (no model needed)."""
    segs = (
        Segment(0, 0.0, 2.0, "What brings you in today?", "clinician"),
        Segment(1, 2.0, 5.0, "I have had a cough for four days.", "patient"),
        Segment(2, 5.0, 8.0, "I take lisinopril ten milligrams daily.", "patient"),
        Segment(3, 8.0, 10.0, "Your lungs are clear.", "clinician"),
    )
    flags = (Flag("dose", "The transcript says 10 mg, the note says 20 mg."),) if flagged else ()
    note = NoteDraft([
        Section("Subjective", [
            Sentence("Reports cough for 4 days.", (1,)),
            Sentence("Takes lisinopril 20 mg daily." if flagged else
                     "Takes lisinopril 10 mg daily.", (2,), Support.PARTLY, flags),
        ]),
        Section("Objective", [Sentence("Lungs are clear.", (3,))]),
        Section("Assessment", []),
        Section("Plan", [Sentence("Follow up in one week.", (), Support.UNSUPPORTED)]),
    ])
    enc = store.create_encounter("Room 3", Status.TRANSCRIBING, duration_s=10.0)
    store.save_transcript(enc.id, Transcript(segs, model="test", duration=10.0))
    store.save_draft(enc.id, note)
    return enc.id


class EventLoopProbe:
    """Ticks every 20 ms on the UI thread and keeps the gaps: a long gap is a stalled window."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.gaps: list[float] = []
        self._last = 0.0
        self._timer = QTimer()
        self._timer.setInterval(20)
        self._timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        import time

        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> EventLoopProbe:
        import time

        self._last = time.perf_counter()
        self._timer.start()
        return self

    def stop(self) -> float:
        """Stop ticking; the longest gap in seconds."""
        self._timer.stop()
        return max(self.gaps, default=0.0)

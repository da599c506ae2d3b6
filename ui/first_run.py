"""The first-run walkthrough: consent, record, review, sign, in four short steps.

Shown once (``Preferences.walkthrough_seen``), skippable at any step, reopened from Help.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.record_panel import MARK_KEYS, RECORD_KEYS, STOP_KEYS

STEPS: tuple[tuple[str, str], ...] = (
    ("Consent",
     "Ask the patient before you record. Tick “Patient agreed to recording” on the new visit; "
     "Record stays off until you do. Everything stays on this computer, encrypted."),
    ("Record",
     f"New visit (Ctrl+N), then Record ({RECORD_KEYS[0]}; press it again to pause). The "
     f"transcript appears as you speak. {MARK_KEYS[0]} marks a moment, and a side note typed "
     f"during the visit is kept at its time. Stop ({STOP_KEYS[0]}) keeps every second and "
     "drafts the note."),
    ("Review",
     "The transcript sits beside the draft. Click a sentence to see and hear what was said. A "
     "flagged sentence says why in words; edit it or mark it checked. Your marked moments show "
     "at their time."),
    ("Sign",
     "Sign with your passphrase: the note is locked, and later changes are signed addenda. Then "
     "copy or export it; nothing leaves Scribe before it is signed. Help (F1) lists every "
     "shortcut."),
)


class WalkthroughDialog(QDialog):
    """Four steps with Back / Next; Skip (or Esc) closes it at any step."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Scribe")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(520, 260)
        self.pages = QStackedWidget()
        for n, (title, text) in enumerate(STEPS, 1):
            page = QWidget()
            head = QLabel(f"{n}. {title}")
            head.setObjectName("viewTitle")
            body = QLabel(text)
            body.setWordWrap(True)
            body.setAlignment(Qt.AlignmentFlag.AlignTop)
            lay = QVBoxLayout(page)
            lay.addWidget(head)
            lay.addWidget(body, 1)
            page.setAccessibleName(f"Step {n}: {title}. {text}")
            self.pages.addWidget(page)
        self.step = QLabel()
        self.step.setObjectName("subtitle")
        self.skip_btn = QPushButton("Skip")
        self.skip_btn.setAccessibleName("Skip the walkthrough")
        self.back_btn = QPushButton("Back")
        self.next_btn = QPushButton("Next")
        self.next_btn.setDefault(True)
        self.skip_btn.clicked.connect(self.reject)
        self.back_btn.clicked.connect(lambda: self.go(self.pages.currentIndex() - 1))
        self.next_btn.clicked.connect(self.on_next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.step)
        buttons.addStretch(1)
        for b in (self.skip_btn, self.back_btn, self.next_btn):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.addWidget(self.pages, 1)
        lay.addLayout(buttons)
        self.go(0)

    def go(self, index: int) -> None:
        index = max(0, min(index, len(STEPS) - 1))
        self.pages.setCurrentIndex(index)
        self.step.setText(f"Step {index + 1} of {len(STEPS)}")
        self.back_btn.setEnabled(index > 0)
        last = index == len(STEPS) - 1
        self.next_btn.setText("Start" if last else "Next")
        self.next_btn.setAccessibleName("Finish the walkthrough" if last else "Next step")
        self.next_btn.setFocus()

    def on_next(self) -> None:
        if self.pages.currentIndex() == len(STEPS) - 1:
            self.accept()
        else:
            self.go(self.pages.currentIndex() + 1)

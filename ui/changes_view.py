"""Changes since draft: the note now (or as signed) against what the engine drafted, sentence by
sentence, each change marked by a word and a sign as well as a colour.

Sentences are aligned per section with difflib (the same alignment the editor uses to carry
evidence over an edit); a replaced sentence that is still similar reads as "changed", with the
words that differ struck through (was) and underlined (now).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from difflib import SequenceMatcher

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QTextEdit, QVBoxLayout, QWidget

from scribe.domain import NoteDraft
from scribe.note.editing import SIMILAR, similarity
from ui import theme

# The theme roles (text, background) of each mark: WCAG AA in every theme (tests/ui/test_theme.py
# checks the pairs, tests/ui/test_flags_panel.py that these are among them).
ADDED = ("signature_fg", "signature_bg")
REMOVED = ("error_fg", "error_bg")
CHANGED = ("flag_fg", "flag_bg")


@dataclass(frozen=True)
class Change:
    kind: str  # "same" | "added" | "removed" | "changed"
    section: str
    old: str = ""
    new: str = ""


def sentence_changes(draft: NoteDraft, current: NoteDraft) -> list[Change]:
    """Every sentence of ``current`` and of ``draft``, section by section, marked by what changed."""
    drafted = {sec.title: [s.text for s in sec.sentences] for sec in draft.sections}
    out: list[Change] = []
    titles = [sec.title for sec in current.sections]
    for sec in current.sections:
        out += _section_changes(sec.title, drafted.get(sec.title, []),
                                [s.text for s in sec.sentences])
    for sec in draft.sections:
        if sec.title not in titles:
            out += [Change("removed", sec.title, old=s.text) for s in sec.sentences]
    return out


def _section_changes(title: str, old: list[str], new: list[str]) -> list[Change]:
    out = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            out += [Change("same", title, old=t, new=t) for t in new[j1:j2]]
            continue
        was, now = old[i1:i2], new[j1:j2]
        for k in range(max(len(was), len(now))):
            a = was[k] if k < len(was) else None
            b = now[k] if k < len(now) else None
            if a is not None and b is not None and similarity(a, b) >= SIMILAR:
                out.append(Change("changed", title, old=a, new=b))
                continue
            if a is not None:
                out.append(Change("removed", title, old=a))
            if b is not None:
                out.append(Change("added", title, new=b))
    return out


def counts(changes: list[Change]) -> str:
    n = {k: sum(1 for c in changes if c.kind == k) for k in ("changed", "added", "removed")}
    if not any(n.values()):
        return "No changes: the note reads as the engine drafted it."
    return (f"{n['changed']} changed, {n['added']} added, {n['removed']} removed "
            "since the draft.")


def _word_diff(old: str, new: str) -> tuple[str, str]:
    """Both sentences as HTML, the words that differ struck through (old) or underlined (new)."""
    a, b = old.split(), new.split()
    was, now = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left = html.escape(" ".join(a[i1:i2]))
        right = html.escape(" ".join(b[j1:j2]))
        if tag == "equal":
            was.append(left)
            now.append(right)
            continue
        if left:
            was.append(f"<s><b>{left}</b></s>")
        if right:
            now.append(f"<u><b>{right}</b></u>")
    return " ".join(was), " ".join(now)


def _line(roles: tuple[str, str] | None, label: str, body: str) -> str:
    c = theme.current()
    style = (f"color:{getattr(c, roles[0])}; background-color:{getattr(c, roles[1])};"
             if roles else "")
    return (f'<tr><td width="130" style="{style} padding:2px 8px; white-space:nowrap;">'
            f"<b>{label}</b></td>"
            f'<td style="{style} padding:2px 8px;">{body}</td></tr>')


def changes_html(changes: list[Change]) -> str:
    rows: list[str] = []
    section = None
    for c in changes:
        if c.section != section:
            section = c.section
            rows.append(f'<tr><td colspan="2" style="padding-top:10px;"><b>'
                        f"{html.escape(section.upper())}</b></td></tr>")
        if c.kind == "same":
            rows.append(_line(None, "", html.escape(c.new)))
        elif c.kind == "added":
            rows.append(_line(ADDED, "+ added", html.escape(c.new)))
        elif c.kind == "removed":
            rows.append(_line(REMOVED, "− removed", f"<s>{html.escape(c.old)}</s>"))
        else:
            was, now = _word_diff(c.old, c.new)
            rows.append(_line(CHANGED, "✎ changed, was", was))
            rows.append(_line(CHANGED, "now", now))
    return f'<table cellspacing="0" width="100%">{"".join(rows)}</table>'


class ChangesView(QWidget):
    """Read-only: what the clinician changed in the engine's draft."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.text = QTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Changes since draft")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse |
                                          Qt.TextInteractionFlag.TextSelectableByKeyboard)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.summary)
        lay.addWidget(self.text, 1)
        self.changes: list[Change] = []

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange and self.changes:
            self._render()  # the theme changed

    def show_changes(self, draft: NoteDraft, current: NoteDraft, *, signed: bool) -> None:
        self.title.setText("The engine's draft against the signed note" if signed else
                           "The engine's draft against the note now (your edits)")
        self.changes = sentence_changes(draft, current)
        self.summary.setText(counts(self.changes))
        self._render()

    def _render(self) -> None:
        bar = self.text.verticalScrollBar().value()
        self.text.setHtml(changes_html(self.changes))
        self.text.verticalScrollBar().setValue(bar)

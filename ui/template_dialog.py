"""Note templates: pick one, edit its sections (title, instructions, order), save as the clinic's own.

Templates are data (``scribe.drafting.templates``): saving writes a JSON file to the user's templates
folder, where it overrides a built-in of the same id; deleting a user template brings the built-in
back.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scribe.drafting.templates import (
    BUILTIN_DIR,
    Template,
    TemplateSection,
    available_templates,
    save_user_template,
)
from scribe.errors import ScribeError


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "section"


class TemplateDialog(QDialog):
    def __init__(self, templates_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note templates")
        self.resize(820, 480)
        self.templates_dir = templates_dir
        self.current: Template | None = None

        self.list = QListWidget()
        self.list.currentItemChanged.connect(self.on_selected)
        new_btn = QPushButton("New from this…")
        new_btn.clicked.connect(self.on_new)
        self.delete_btn = QPushButton("Delete mine")
        self.delete_btn.clicked.connect(self.on_delete)
        left = QVBoxLayout()
        left.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(new_btn)
        row.addWidget(self.delete_btn)
        left.addLayout(row)

        self.name = QLineEdit()
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Section title", "Instructions for the drafter"])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 200)
        buttons = QHBoxLayout()
        for text, slot in (("Add section", self.on_add), ("Remove", self.on_remove),
                           ("Move up", lambda: self.on_move(-1)),
                           ("Move down", lambda: self.on_move(1))):
            b = QPushButton(text)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.save_btn = QPushButton("Save as my template")
        self.save_btn.clicked.connect(self.on_save)
        buttons.addWidget(self.save_btn)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.table, 1)
        right.addLayout(buttons)
        right.addWidget(self.status)

        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addLayout(right, 3)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        outer = QVBoxLayout(self)
        outer.addLayout(body)
        outer.addWidget(close)
        self.reload()

    # --- list ---------------------------------------------------------------------------------
    def is_mine(self, template_id: str) -> bool:
        return (self.templates_dir / f"{template_id}.json").is_file()

    def reload(self, select: str | None = None) -> None:
        self.list.clear()
        for t in available_templates(self.templates_dir).values():
            mine = " (yours)" if self.is_mine(t.id) else ""
            item = QListWidgetItem(f"{t.name}{mine}")
            item.setData(256, t)
            self.list.addItem(item)
            if t.id == (select or (self.current.id if self.current else "soap")):
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)

    def on_selected(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        self.show_template(item.data(256))

    def show_template(self, template: Template) -> None:
        self.current = template
        self.name.setText(template.name)
        self.table.setRowCount(0)
        for sec in template.sections:
            self._append_row(sec.title, sec.instructions, sec.key)
        self.delete_btn.setEnabled(self.is_mine(template.id))
        self.status.setText("")

    # --- sections -----------------------------------------------------------------------------
    def _append_row(self, title: str, instructions: str, key: str = "") -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        title_item = QTableWidgetItem(title)
        title_item.setData(256, key)
        self.table.setItem(r, 0, title_item)
        self.table.setItem(r, 1, QTableWidgetItem(instructions))

    def on_add(self) -> None:
        self._append_row("New section", "")
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)

    def on_remove(self) -> None:
        if self.table.currentRow() >= 0:
            self.table.removeRow(self.table.currentRow())

    def on_move(self, step: int) -> None:
        r = self.table.currentRow()
        target = r + step
        if r < 0 or not 0 <= target < self.table.rowCount():
            return
        rows = [self._row(i) for i in range(self.table.rowCount())]
        rows[r], rows[target] = rows[target], rows[r]
        self.table.setRowCount(0)
        for title, instructions, key in rows:
            self._append_row(title, instructions, key)
        self.table.setCurrentCell(target, 0)

    def _row(self, i: int) -> tuple[str, str, str]:
        title = self.table.item(i, 0)
        instr = self.table.item(i, 1)
        return (
            title.text().strip() if title else "",
            instr.text().strip() if instr else "",
            (title.data(256) or "") if title else "",
        )

    def edited(self) -> Template:
        """The template as shown in the form (raises ScribeError when it cannot be saved)."""
        assert self.current is not None
        sections = []
        used: set[str] = set()
        for i in range(self.table.rowCount()):
            title, instructions, key = self._row(i)
            if not title:
                raise ScribeError(f"Section {i + 1} needs a title.")
            key = key or _slug(title)
            while key in used:
                key += "_2"
            used.add(key)
            sections.append(TemplateSection(key, title, instructions))
        if not sections:
            raise ScribeError("A template needs at least one section.")
        name = self.name.text().strip() or self.current.name
        return Template(self.current.id, name, tuple(sections))

    # --- save / new / delete ------------------------------------------------------------------
    def on_save(self) -> None:
        try:
            template = self.edited()
            save_user_template(template, self.templates_dir)
        except (ScribeError, OSError) as e:
            self.status.setText(getattr(e, "message", None) or "The template could not be saved.")
            return
        self.current = template
        self.reload(template.id)
        self.status.setText(f"Saved “{template.name}”. New visits can use it now.")

    def on_new(self) -> None:
        if self.current is None:
            return
        existing = set(available_templates(self.templates_dir))
        n = 1
        while f"custom{n}" in existing:
            n += 1
        copy = Template(f"custom{n}", f"{self.current.name} (copy)", self.current.sections)
        save_user_template(copy, self.templates_dir)
        self.reload(copy.id)

    def on_delete(self) -> None:
        if self.current is None or not self.is_mine(self.current.id):
            return
        (self.templates_dir / f"{self.current.id}.json").unlink(missing_ok=True)
        builtin = (BUILTIN_DIR / f"{self.current.id}.json").is_file()
        self.current = None
        self.reload()
        self.status.setText("Deleted; the built-in template is back." if builtin else "Deleted.")

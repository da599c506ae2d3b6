"""Note templates: pick one, edit its sections (title, instructions, order), save as the clinic's own,
or make one from an example note the clinician pastes (its headings and their order; none of its text).

Templates are data (``scribe.drafting.templates``): saving writes a JSON file to the user's templates
folder, where it overrides a built-in of the same id; deleting a user template brings the built-in
back.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from scribe.drafting.templates import (
    BUILTIN_DIR,
    PROSE,
    STANDARD_SECTIONS,
    Template,
    TemplateSection,
    available_templates,
    from_example,
    save_user_template,
    slug,
    template_problems,
    unique_id,
)
from scribe.errors import ScribeError

# Where a row keeps what the table does not show: the section's key, style and standard source.
KEY_ROLE, STYLE_ROLE, MAPS_ROLE = 256, 257, 258


def filled_from(section: TemplateSection) -> str:
    """What feeds a section, in words: "History of present illness", "by problem"…"""
    standard = STANDARD_SECTIONS.get(section.source)
    words = standard[0] if standard else "its own section"
    return f"{words}, by problem" if section.problem_oriented else words


class ExampleNoteDialog(QDialog):
    """Paste an example note, see the headings learned from it, save them as a template."""

    saved = Signal(object)  # the Template written

    def __init__(self, templates_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Template from an example note")
        self.resize(760, 520)
        self.templates_dir = templates_dir
        self.learned: Template | None = None
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Knee follow-up")
        self.name.textChanged.connect(self.on_example_changed)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(
            "Paste a note written the way you like. Only its headings and their order are kept; "
            "none of its text, names or dates."
        )
        self.text.textChanged.connect(self.on_example_changed)
        self.preview = QListWidget()
        self.preview.setAccessibleName("Headings learned from the example")
        self.status = QLabel("Paste an example note to see its headings.")
        self.status.setWordWrap(True)
        self.save_btn = QPushButton("Save as my template")
        self.save_btn.setEnabled(False)
        self.save_btn.clicked.connect(self.on_save)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        form = QFormLayout()
        form.addRow("Name", self.name)
        panes = QHBoxLayout()
        panes.addWidget(self.text, 3)
        side = QVBoxLayout()
        side.addWidget(QLabel("Sections, in order:"))
        side.addWidget(self.preview, 1)
        panes.addLayout(side, 2)
        row = QHBoxLayout()
        row.addWidget(self.status, 1)
        row.addWidget(cancel)
        row.addWidget(self.save_btn)
        outer = QVBoxLayout(self)
        outer.addLayout(form)
        outer.addLayout(panes, 1)
        outer.addLayout(row)

    def on_example_changed(self) -> None:
        self.preview.clear()
        self.learned = None
        text = self.text.toPlainText()
        if not text.strip():
            self.status.setText("Paste an example note to see its headings.")
            self.save_btn.setEnabled(False)
            return
        try:
            self.learned = from_example(text, self.name.text() or "Example")
        except ScribeError as e:
            self.status.setText(e.message)
            self.save_btn.setEnabled(False)
            return
        for sec in self.learned.sections:
            self.preview.addItem(f"{sec.title}  —  {filled_from(sec)}")
        n = len(self.learned.sections)
        need_name = "" if self.name.text().strip() else " Give it a name to save it."
        self.status.setText(f"{n} section(s) learned from the headings.{need_name}")
        self.save_btn.setEnabled(bool(self.name.text().strip()))

    def on_save(self) -> None:
        try:
            learned = from_example(self.text.toPlainText(), self.name.text())
            taken = available_templates(self.templates_dir)
            template = Template(unique_id(learned.id, taken), learned.name, learned.sections)
            save_user_template(template, self.templates_dir)
        except ScribeError as e:
            self.status.setText(e.message)
            return
        except OSError:
            self.status.setText("The template could not be saved; check the data folder.")
            return
        self.saved.emit(template)
        self.accept()


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
        self.example_btn = QPushButton("From an example note…")
        self.example_btn.setToolTip("Learn the headings and their order from a note you paste")
        self.example_btn.clicked.connect(self.on_from_example)
        self.example_dialog: ExampleNoteDialog | None = None
        self.problems = QLabel("")  # a template file of the user's that cannot be used
        self.problems.setWordWrap(True)
        left = QVBoxLayout()
        left.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(new_btn)
        row.addWidget(self.delete_btn)
        left.addLayout(row)
        left.addWidget(self.example_btn)
        left.addWidget(self.problems)

        self.name = QLineEdit()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(
            ["Section title", "Instructions for the drafter", "Filled from"]
        )
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(2, 180)
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
        broken = template_problems(self.templates_dir)
        self.problems.setText(" ".join(f"{p} It is not offered." for p in broken))

    def on_selected(self, item: QListWidgetItem | None, _previous=None) -> None:
        if item is None:
            return
        self.show_template(item.data(256))

    def show_template(self, template: Template) -> None:
        self.current = template
        self.name.setText(template.name)
        self.table.setRowCount(0)
        for sec in template.sections:
            self._append_row(sec)
        self.delete_btn.setEnabled(self.is_mine(template.id))
        self.status.setText("")

    # --- sections -----------------------------------------------------------------------------
    def _append_row(self, sec: TemplateSection) -> None:
        r = self.table.rowCount()
        self.table.insertRow(r)
        title_item = QTableWidgetItem(sec.title)
        title_item.setData(KEY_ROLE, sec.key)
        title_item.setData(STYLE_ROLE, sec.style)
        title_item.setData(MAPS_ROLE, sec.maps_to)
        self.table.setItem(r, 0, title_item)
        self.table.setItem(r, 1, QTableWidgetItem(sec.instructions))
        source = QTableWidgetItem(filled_from(sec) if sec.key else "")
        source.setFlags(source.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(r, 2, source)

    def on_add(self) -> None:
        self._append_row(TemplateSection("", "New section"))
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
        for sec in rows:
            self._append_row(sec)
        self.table.setCurrentCell(target, 0)

    def _row(self, i: int) -> TemplateSection:
        """Row ``i`` as a section (its key may be empty: a new row gets one at saving)."""
        title = self.table.item(i, 0)
        instr = self.table.item(i, 1)
        if title is None:
            return TemplateSection("", "", instr.text().strip() if instr else "")
        return TemplateSection(
            title.data(KEY_ROLE) or "",
            title.text().strip(),
            instr.text().strip() if instr else "",
            title.data(STYLE_ROLE) or PROSE,
            title.data(MAPS_ROLE) or "",
        )

    def edited(self) -> Template:
        """The template as shown in the form (raises ScribeError when it cannot be saved)."""
        assert self.current is not None
        sections = []
        used: set[str] = set()
        for i in range(self.table.rowCount()):
            sec = self._row(i)
            if not sec.title:
                raise ScribeError(f"Section {i + 1} needs a title.")
            key = unique_id(sec.key or slug(sec.title), used)
            used.add(key)
            sections.append(TemplateSection(key, sec.title, sec.instructions, sec.style,
                                            sec.maps_to))
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

    def on_from_example(self) -> None:
        """Open the example-note pane; a template saved there is selected here."""
        self.example_dialog = ExampleNoteDialog(self.templates_dir, self)
        self.example_dialog.saved.connect(self.on_example_saved)
        self.example_dialog.open()

    def on_example_saved(self, template: Template) -> None:
        self.current = template
        self.reload(template.id)
        self.status.setText(f"Saved “{template.name}” from the example's headings; its text was "
                            "not kept. New visits can use it now.")

    def on_delete(self) -> None:
        if self.current is None or not self.is_mine(self.current.id):
            return
        (self.templates_dir / f"{self.current.id}.json").unlink(missing_ok=True)
        builtin = (BUILTIN_DIR / f"{self.current.id}.json").is_file()
        self.current = None
        self.reload()
        self.status.setText("Deleted; the built-in template is back." if builtin else "Deleted.")

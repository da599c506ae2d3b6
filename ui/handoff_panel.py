"""Codes and documents of a visit: ICD-10-CM suggestions to accept or remove before signing; once
signed, the after-visit summary and referral letters (drafted, edited, signed like the note), a
PDF for the patient, and hand-off to the EHR (FHIR, HL7 v2, the clinic's drop folder).

No rules here: every action is a ``scribe.visit`` call; a refusal is the core's one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import CodeState, DiagnosisCode, Document
from scribe.errors import ScribeError
from scribe.export.summary import reading_grade
from scribe.note.signoff import DEFAULT_ATTESTATION
from scribe.visit.documents import draft_document
from scribe.visit.handoff import EXTENSIONS, deliver_to_folder, export_document
from ui.controller import Controller
from ui.note_editor import NoteEditor
from ui.off_thread import run_off_thread

CODE_ROLE = Qt.ItemDataRole.UserRole + 1
MARKS = {CodeState.ACCEPTED: "✔ accepted", CodeState.REMOVED: "✖ removed",
         CodeState.SUGGESTED: "? not decided"}


class HandoffPanel(QWidget):
    """``evidence_selected(segments)`` when a code is chosen (the transcript shows why)."""

    evidence_selected = Signal(tuple)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.encounter_id: str | None = None
        self.signed = False
        self.docs: list[Document] = []
        self.save_path: Callable[[str, str], str] = self._ask_path  # tests answer without a dialog

        self.codes_title = QLabel("ICD-10-CM suggestions — tick the codes that apply before "
                                  "signing; only ticked codes travel with the note")
        self.codes_title.setObjectName("paneTitle")
        self.codes_title.setWordWrap(True)
        self.codes = QListWidget()
        self.codes.setAccessibleName("ICD-10-CM suggestions")
        self.codes.itemChanged.connect(self.on_code_changed)
        self.codes.currentItemChanged.connect(self.on_code_selected)
        self.codes.setMaximumHeight(150)

        self.docs_title = QLabel("After-visit summary and letters (written from the signed note)")
        self.docs_title.setObjectName("paneTitle")
        self.summary_btn = QPushButton("Write after-visit summary")
        self.summary_btn.clicked.connect(lambda: self.on_draft("summary"))
        self.referral_btn = QPushButton("Write referral letter")
        self.referral_btn.clicked.connect(lambda: self.on_draft("referral"))
        self.doc_combo = QComboBox()
        self.doc_combo.setAccessibleName("Documents")
        self.doc_combo.currentIndexChanged.connect(self.on_doc_chosen)
        self.grade = QLabel()
        self.grade.setObjectName("subtitle")
        self.editor = NoteEditor()
        self.editor.edited.connect(self.on_doc_edited)
        self.editor.sentence_selected.connect(self.evidence_selected)
        self.doc_state = QLabel()
        self.doc_state.setObjectName("signature")
        self.doc_state.setWordWrap(True)
        self.sign_doc_btn = QPushButton("Sign document…")
        self.sign_doc_btn.clicked.connect(self.on_sign_doc)
        self.pdf_btn = QPushButton("Save as PDF…")
        self.pdf_btn.clicked.connect(self.on_pdf)
        self.fhir_btn = QPushButton("Export FHIR…")
        self.fhir_btn.setToolTip("The signed note as a FHIR R4 DocumentReference (JSON)")
        self.fhir_btn.clicked.connect(lambda: self.on_export("fhir"))
        self.hl7_btn = QPushButton("Export HL7…")
        self.hl7_btn.setToolTip("The signed note as an HL7 v2.5.1 MDM^T02 message")
        self.hl7_btn.clicked.connect(lambda: self.on_export("hl7"))
        self.drop_btn = QPushButton("Send to EHR folder")
        self.drop_btn.setToolTip("Every signed document of this visit into the drop folder your "
                                 "IT set in Settings")
        self.drop_btn.clicked.connect(self.on_drop)

        draft_row = QHBoxLayout()
        for w in (self.summary_btn, self.referral_btn, self.doc_combo):
            draft_row.addWidget(w)
        draft_row.addStretch(1)
        doc_row = QHBoxLayout()
        for w in (self.sign_doc_btn, self.pdf_btn):
            doc_row.addWidget(w)
        doc_row.addStretch(1)
        ehr_title = QLabel("Hand-off to the EHR (signed documents only, each export audited)")
        ehr_title.setObjectName("paneTitle")
        ehr_row = QHBoxLayout()
        for w in (self.fhir_btn, self.hl7_btn, self.drop_btn):
            ehr_row.addWidget(w)
        ehr_row.addStretch(1)

        lay = QVBoxLayout(self)
        lay.addWidget(self.codes_title)
        lay.addWidget(self.codes)
        lay.addWidget(ehr_title)
        lay.addLayout(ehr_row)
        lay.addWidget(self.docs_title)
        lay.addLayout(draft_row)
        lay.addWidget(self.grade)
        lay.addWidget(self.editor)
        lay.addWidget(self.doc_state)
        lay.addLayout(doc_row)
        lay.addStretch(1)

    # --- loading ------------------------------------------------------------------------------
    def load(self, encounter_id: str, signed: bool) -> None:
        self.encounter_id, self.signed = encounter_id, signed
        self.load_codes()
        self.load_documents()
        for b in (self.summary_btn, self.referral_btn, self.fhir_btn, self.hl7_btn,
                  self.drop_btn):
            b.setEnabled(signed)

    def load_codes(self) -> None:
        assert self.encounter_id is not None
        codes = self.controller.store.codes(self.encounter_id)
        self.codes.blockSignals(True)
        self.codes.clear()
        for c in codes:
            item = QListWidgetItem(_code_text(c))
            item.setData(CODE_ROLE, c)
            flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
            if not self.signed:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
            item.setFlags(flags)
            item.setCheckState(Qt.CheckState.Checked if c.state == CodeState.ACCEPTED
                               else Qt.CheckState.Unchecked)
            item.setToolTip(f"From the assessed problem: {c.problem}")
            self.codes.addItem(item)
        if not codes:
            self.codes.addItem(QListWidgetItem("No suggestions: the assessment names no problem "
                                               "Scribe can code."))
        self.codes.blockSignals(False)

    def load_documents(self, select: str | None = None) -> None:
        assert self.encounter_id is not None
        self.docs = self.controller.store.documents(self.encounter_id)
        self.doc_combo.blockSignals(True)
        self.doc_combo.clear()
        for d in self.docs:
            name = "After-visit summary" if d.kind == "summary" else "Referral letter"
            state = "signed" if d.signed else "draft"
            self.doc_combo.addItem(f"{name} ({state}, {d.created_at.astimezone():%H:%M})", d.id)
        self.doc_combo.blockSignals(False)
        self.doc_combo.setVisible(bool(self.docs))
        if self.docs:
            index = self.doc_combo.findData(select) if select else len(self.docs) - 1
            self.doc_combo.setCurrentIndex(max(index, 0))
            self.on_doc_chosen(self.doc_combo.currentIndex())
        else:
            self.editor.hide()
            self.doc_state.hide()
            self.grade.hide()
            self.sign_doc_btn.hide()
            self.pdf_btn.hide()

    @property
    def document(self) -> Document | None:
        i = self.doc_combo.currentIndex()
        return self.docs[i] if 0 <= i < len(self.docs) else None

    # --- codes --------------------------------------------------------------------------------
    def on_code_changed(self, item: QListWidgetItem) -> None:
        code: DiagnosisCode | None = item.data(CODE_ROLE)
        if code is None or self.encounter_id is None:
            return
        accept = item.checkState() == Qt.CheckState.Checked
        try:
            self.controller.store.decide_code(self.encounter_id, code.code, accept)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
        self.load_codes()

    def on_code_selected(self, item: QListWidgetItem | None, _prev: object = None) -> None:
        code = item.data(CODE_ROLE) if item is not None else None
        if code is not None:
            self.evidence_selected.emit(tuple(code.evidence))

    # --- documents ----------------------------------------------------------------------------
    def on_draft(self, kind: str) -> None:
        if self.encounter_id is None:
            return
        try:
            doc = draft_document(self.controller.ws, self.encounter_id, kind)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.load_documents(doc.id)

    def on_doc_chosen(self, _index: int) -> None:
        doc = self.document
        if doc is None:
            return
        self.editor.set_note(doc.current, doc.draft, read_only=doc.signed)
        self.editor.show()
        self.grade.setVisible(doc.kind == "summary")
        if doc.kind == "summary":  # textstat reads its dictionary the first time: off the UI thread
            self.grade.setText("Reading level: measuring…")
            text, shown = doc.current.text, doc.id
            run_off_thread(lambda: reading_grade(text), lambda g: self._show_grade(shown, g),
                           lambda _t: self.grade.setText(""), self)
        if doc.signature is not None:
            when = doc.signature.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.doc_state.setText(f"Signed by {doc.signature.signer} at {when}")
        self.doc_state.setVisible(doc.signed)
        self.sign_doc_btn.setVisible(not doc.signed)
        self.pdf_btn.setVisible(True)
        self.pdf_btn.setEnabled(doc.signed)

    def _show_grade(self, doc_id: str, grade: float) -> None:
        if self.document is not None and self.document.id == doc_id:
            self.grade.setText(f"Reading level: about grade {grade:.0f} (aim for 6–8)")

    def on_doc_edited(self) -> None:
        doc = self.document
        if doc is None or doc.signed or self.editor.note is None:
            return
        try:
            self.controller.store.update_document(doc.id, self.editor.note)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")

    def on_sign_doc(self) -> None:
        doc = self.document
        if doc is None or doc.signed:
            return
        self.on_doc_edited()
        signer = self.controller.signature_for("the document was not signed")
        if signer is None:
            return
        try:
            self.controller.store.sign_document(doc.id, signer, DEFAULT_ATTESTATION)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.controller.message.emit("Document signed.", "info")
        self.load_documents(doc.id)

    # --- hand-off -----------------------------------------------------------------------------
    def _ask_path(self, title: str, suggested: str) -> str:
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / suggested))
        return path

    def on_export(self, fmt: str) -> None:
        if self.encounter_id is None:
            return
        path = self.save_path(f"Export {fmt.upper()}",
                              f"scribe-note-{self.encounter_id[:8]}{EXTENSIONS[fmt]}")
        if not path:
            return
        try:
            export_document(self.controller.ws, self.encounter_id, fmt, path=Path(path))
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.controller.message.emit(f"Saved {Path(path).name}.", "info")

    def on_drop(self) -> None:
        if self.encounter_id is None:
            return
        try:
            files = deliver_to_folder(self.controller.ws, self.encounter_id)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.controller.message.emit(f"Sent {len(files)} document(s) to the EHR folder.", "info")

    def on_pdf(self) -> None:
        """The signed document printed to PDF with Qt (audited before the file is written)."""
        doc = self.document
        if doc is None or not doc.signed or self.encounter_id is None:
            return
        path = self.save_path("Save as PDF", f"{doc.kind}-{doc.id[:8]}.pdf")
        if not path:
            return
        try:
            export_document(self.controller.ws, self.encounter_id, "text", which=doc.id,
                            target="pdf", write=lambda text: print_pdf(text, Path(path)))
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.controller.message.emit(f"Saved {Path(path).name}.", "info")


def _code_text(c: DiagnosisCode) -> str:
    return f"{c.code}  {c.description}   — {MARKS[c.state]} (from: {c.problem})"


def print_pdf(text: str, path: Path) -> None:
    """Qt's printing: the text laid out on A4/Letter pages as a PDF file."""
    from PySide6.QtGui import QPageSize
    from PySide6.QtPrintSupport import QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.Letter))
    printer.setOutputFileName(str(path))
    doc = QTextDocument()
    doc.setPlainText(text)
    doc.print_(printer)
    if not path.is_file():
        raise ScribeError("The PDF could not be written there; choose another folder.")

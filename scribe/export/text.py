"""Export of signed notes as plain text (clipboard / file). An unsigned note is never exported."""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from scribe.domain import Document, Encounter
from scribe.errors import DiskFullError, ScribeError, SignOffError
from scribe.paths import sync_folder
from scribe.store.store import Store


def export_text(store: Store, encounter_id: str) -> str:
    """The signed note, its signature block, then each addendum with its own signature."""
    enc = store.get(encounter_id)
    note = store.get_note(encounter_id)
    if note is None or note.signature is None or note.signed_text is None:
        raise SignOffError("This note is not signed; it must be signed before it can be exported.")
    parts = [
        identity_header(enc),
        note.signed_text,
        note.signature.block(),
    ]
    for add in store.addenda(encounter_id):
        parts.append(f"ADDENDUM\n{add.text}\n{add.signature.block()}")
    # The audit chain at the newest signature: a printed or EHR copy pins the whole trail up to
    # it, so a database rewritten later (its hashes recomputed) no longer matches this line
    # (`scribe audit verify --pin SEQ:HASH`); the same note exports the same text every time.
    parts.append(f"Audit chain: {store.audit_pin(encounter_id)}")
    return "\n\n".join(parts) + "\n"


def identity_header(enc: Encounter) -> str:
    """The first lines of every text export: the visit, and the patient when their details were
    given ("Patient: Jane Doe · MRN 123 · DOB 1970-03-31", then the visit type)."""
    lines = [f"VISIT {enc.encounter_at.strftime('%Y-%m-%d')} — {enc.label}"]
    who = enc.identity.summary()
    if who:
        lines.append(f"Patient: {who}")
    if enc.identity.visit_type:
        lines.append(f"Visit type: {enc.identity.visit_type}")
    return "\n".join(lines)


def document_text(store: Store, doc: Document) -> str:
    """A signed after-visit summary or letter as text: header, the signed text, its signature."""
    if doc.signature is None or doc.signed_text is None:
        raise SignOffError("This document is not signed; it must be signed before it can be "
                           "exported.")
    return "\n\n".join([identity_header(store.get(doc.encounter_id)), doc.signed_text,
                         doc.signature.block()]) + "\n"


TEMP_PREFIX = ".scribe-export-"
O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def temp_path(folder: Path) -> Path:
    """A fresh, unguessable name for the temporary file beside the target (names no patient)."""
    return folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.tmp"


class PrivateFile:
    """A new file at ``path``, written atomically and safely against files planted beside it.

    Opening checks the target and creates the temporary file (``O_CREAT|O_EXCL|O_NOFOLLOW``, mode
    0600, a random name in the target's folder) without writing a byte, so the caller can audit
    the export before anything leaves; :meth:`commit` writes, fsyncs and ``os.replace``-s it onto
    the target. Leaving the ``with`` block without a commit removes the temporary file. Every
    failure is one sentence (a :class:`ScribeError`) and leaves nothing behind.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise ScribeError("The export target is a folder, not a file; nothing was written.")
        self.tmp = temp_path(self.path.parent)
        try:
            self.fd: int | None = os.open(
                self.tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | O_CLOEXEC, 0o600)
        except OSError as e:
            raise _refused(e) from None

    def __enter__(self) -> PrivateFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def commit(self, text: str) -> None:
        """Write ``text``, make it durable, then put it in place of the target in one step."""
        assert self.fd is not None, "commit once"
        fd, self.fd = self.fd, None
        try:
            try:
                data = memoryview(text.encode("utf-8"))
                while data:
                    data = data[os.write(fd, data):]
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(self.tmp, self.path)
        except OSError as e:
            self.tmp.unlink(missing_ok=True)
            raise _refused(e) from None
        sync_folder(self.path.parent)

    def discard(self) -> None:
        """Remove the temporary file unless it was committed (harmless twice)."""
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        self.tmp.unlink(missing_ok=True)


def _refused(e: OSError) -> ScribeError:
    """One sentence for a refused write (never the path: its folders can name a patient)."""
    if e.errno == errno.ENOSPC or e.errno == errno.EDQUOT:
        return DiskFullError("The disk is full; the note was not exported.")
    if e.errno in (errno.ENOENT, errno.ENOTDIR):
        return ScribeError("The folder to export into does not exist; nothing was written.")
    if e.errno in (errno.EEXIST, errno.ELOOP):
        return ScribeError("A file Scribe did not make is in the way in that folder; nothing was "
                           "written.")
    if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return ScribeError("Scribe may not write in that folder; choose another one (nothing was "
                           "written).")
    if e.errno == errno.EISDIR:
        return ScribeError("The export target is a folder, not a file; nothing was written.")
    return ScribeError("The note could not be written there; nothing was written.")



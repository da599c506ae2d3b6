"""Export of signed notes as plain text (clipboard / file). An unsigned note is never exported."""

from __future__ import annotations

from pathlib import Path

from scribe.errors import SignOffError
from scribe.store.store import Store


def export_text(store: Store, encounter_id: str) -> str:
    """The signed note, its signature block, then each addendum with its own signature."""
    enc = store.get(encounter_id)
    note = store.get_note(encounter_id)
    if note is None or note.signature is None or note.signed_text is None:
        raise SignOffError("This note is not signed; it must be signed before it can be exported.")
    parts = [
        f"VISIT {enc.created_at.strftime('%Y-%m-%d')} — {enc.label}",
        note.signed_text,
        note.signature.block(),
    ]
    for add in store.addenda(encounter_id):
        parts.append(f"ADDENDUM\n{add.text}\n{add.signature.block()}")
    return "\n\n".join(parts) + "\n"


def export_to_file(store: Store, encounter_id: str, path: Path) -> None:
    text = export_text(store, encounter_id)  # raises before anything is written
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    store.record_export(encounter_id, "file")

"""Database schema as sqlite-utils migrations, with the rules the database itself enforces."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("scribe")


@migrations()
def m001_initial(db: Database) -> None:
    db["encounters"].create(
        {
            "id": str,
            "created_at": str,
            "label": str,
            "status": str,
            "duration_s": float,
            "audio_file": str,
            "failure": str,
            "template": str,
            "consent": int,
            "updated_at": str,
        },
        pk="id",
    )
    db["encounters"].create_index(["created_at"])
    db["transcripts"].create(
        {"encounter_id": str, "model": str, "json": str, "text": str},
        pk="encounter_id",
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    db["notes"].create(
        {
            "encounter_id": str,
            "engine": str,
            "template": str,
            "draft_json": str,  # what the engine wrote, kept to measure the clinician's edits
            "current_json": str,  # what the clinician has now
            "text": str,
            "signed_text": str,
            "signer": str,
            "signed_at": str,
            "sha256": str,
            "attestation": str,
            "updated_at": str,
        },
        pk="encounter_id",
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    db["addenda"].create(
        {
            "id": str,
            "encounter_id": str,
            "text": str,
            "signer": str,
            "signed_at": str,
            "sha256": str,
            "attestation": str,
        },
        pk="id",
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    db.execute(
        """CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            encounter_id TEXT,
            action TEXT NOT NULL,
            actor TEXT NOT NULL,
            at TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT '',
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )"""
    )
    db["settings"].create({"key": str, "value": str}, pk="key")
    # Immutability is enforced by the database, not only by Python.
    db.executescript(
        """
        CREATE TRIGGER notes_signed_no_update BEFORE UPDATE ON notes
        WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed note is immutable'); END;
        CREATE TRIGGER notes_signed_no_delete BEFORE DELETE ON notes
        WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed note is immutable'); END;
        CREATE TRIGGER addenda_no_update BEFORE UPDATE ON addenda
        BEGIN SELECT RAISE(ABORT, 'addendum is immutable'); END;
        CREATE TRIGGER addenda_no_delete BEFORE DELETE ON addenda
        BEGIN SELECT RAISE(ABORT, 'addendum is immutable'); END;
        CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
        CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
        CREATE TRIGGER encounters_final_status BEFORE UPDATE OF status ON encounters
        WHEN OLD.status IN ('signed', 'discarded') AND NEW.status != OLD.status
        BEGIN SELECT RAISE(ABORT, 'signed or discarded visit cannot change status'); END;
        """
    )
    db["transcripts"].enable_fts(["text"], create_triggers=True)
    db["notes"].enable_fts(["text"], create_triggers=True)


def migrate(db: Database) -> None:
    migrations.apply(db)

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


_SIGNED = "(SELECT status FROM encounters WHERE id = {eid}) = 'signed'"


@migrations()
def m002_signed_visits_are_sealed(db: Database) -> None:
    """Every row of a signed visit refuses UPDATE, DELETE and REPLACE, in the database itself.

    ``INSERT OR REPLACE`` deletes the row it replaces without firing delete triggers, but it runs
    the BEFORE INSERT triggers first: those refuse an insert that would land on a protected row
    (by key or by rowid). ``UPDATE OR REPLACE`` is stopped by refusing any change of a row's key.
    What stays possible: signing (the note's row, then the visit's status, in one transaction),
    adding an addendum, and retention clearing a signed visit's ``audio_file`` (and its binding).
    ``audio_id`` binds a visit to its audio file (the file's id in its encrypted header).
    """
    db["encounters"].add_column("audio_id", str)
    signed_new = _SIGNED.format(eid="NEW.encounter_id")
    signed_old = _SIGNED.format(eid="OLD.encounter_id")
    db.executescript(
        f"""
        CREATE TRIGGER encounters_no_rekey BEFORE UPDATE ON encounters
        WHEN NEW.id IS NOT OLD.id OR NEW.rowid IS NOT OLD.rowid
        BEGIN SELECT RAISE(ABORT, 'a visit id is immutable'); END;
        CREATE TRIGGER encounters_signed_no_update BEFORE UPDATE ON encounters
        WHEN OLD.status = 'signed' AND NOT (
            NEW.created_at IS OLD.created_at AND NEW.label IS OLD.label
            AND NEW.status IS OLD.status AND NEW.duration_s IS OLD.duration_s
            AND NEW.failure IS OLD.failure AND NEW.template IS OLD.template
            AND NEW.consent IS OLD.consent AND NEW.updated_at IS OLD.updated_at
            AND (NEW.audio_file IS OLD.audio_file OR NEW.audio_file IS NULL)
            AND (NEW.audio_id IS OLD.audio_id OR NEW.audio_id IS NULL
                 OR (OLD.audio_id IS NULL AND NEW.audio_file IS OLD.audio_file)))
        BEGIN SELECT RAISE(ABORT, 'signed visit is immutable'); END;
        CREATE TRIGGER encounters_signed_no_delete BEFORE DELETE ON encounters
        WHEN OLD.status = 'signed'
        BEGIN SELECT RAISE(ABORT, 'signed visit is immutable'); END;
        CREATE TRIGGER encounters_signed_no_replace BEFORE INSERT ON encounters
        WHEN EXISTS (SELECT 1 FROM encounters WHERE (id = NEW.id OR rowid = NEW.rowid)
                     AND status = 'signed')
        BEGIN SELECT RAISE(ABORT, 'signed visit is immutable'); END;

        CREATE TRIGGER notes_no_rekey BEFORE UPDATE ON notes
        WHEN NEW.encounter_id IS NOT OLD.encounter_id OR NEW.rowid IS NOT OLD.rowid
        BEGIN SELECT RAISE(ABORT, 'a note''s visit is immutable'); END;
        CREATE TRIGGER notes_signed_no_replace BEFORE INSERT ON notes
        WHEN {signed_new} OR EXISTS (
            SELECT 1 FROM notes WHERE (encounter_id = NEW.encounter_id OR rowid = NEW.rowid)
            AND (signed_at IS NOT NULL OR {_SIGNED.format(eid="notes.encounter_id")}))
        BEGIN SELECT RAISE(ABORT, 'signed note is immutable'); END;

        CREATE TRIGGER transcripts_signed_no_update BEFORE UPDATE ON transcripts
        WHEN {signed_old} OR NEW.encounter_id IS NOT OLD.encounter_id
             OR NEW.rowid IS NOT OLD.rowid
        BEGIN SELECT RAISE(ABORT, 'transcript of a signed visit is immutable'); END;
        CREATE TRIGGER transcripts_signed_no_delete BEFORE DELETE ON transcripts
        WHEN {signed_old}
        BEGIN SELECT RAISE(ABORT, 'transcript of a signed visit is immutable'); END;
        CREATE TRIGGER transcripts_signed_no_replace BEFORE INSERT ON transcripts
        WHEN {signed_new} OR EXISTS (
            SELECT 1 FROM transcripts WHERE (encounter_id = NEW.encounter_id OR rowid = NEW.rowid)
            AND {_SIGNED.format(eid="transcripts.encounter_id")})
        BEGIN SELECT RAISE(ABORT, 'transcript of a signed visit is immutable'); END;

        CREATE TRIGGER addenda_no_replace BEFORE INSERT ON addenda
        WHEN EXISTS (SELECT 1 FROM addenda WHERE id = NEW.id OR rowid = NEW.rowid)
             OR (SELECT status FROM encounters WHERE id = NEW.encounter_id) IS NOT 'signed'
        BEGIN SELECT RAISE(ABORT, 'addendum is immutable'); END;

        CREATE TRIGGER audit_append_only BEFORE INSERT ON audit
        WHEN NEW.seq IS NULL OR NEW.seq IS NOT (SELECT coalesce(max(seq), 0) + 1 FROM audit)
        BEGIN SELECT RAISE(ABORT, 'audit trail is append-only'); END;
        """
    )


def _frozen_with_visit(db: Database, table: str) -> None:
    """Rows of ``table`` (keyed to a visit by ``encounter_id``) refuse every change, removal and
    addition once their visit is signed, and never move to another visit."""
    new, old = _SIGNED.format(eid="NEW.encounter_id"), _SIGNED.format(eid="OLD.encounter_id")
    refuse = f"BEGIN SELECT RAISE(ABORT, '{table} of a signed visit are immutable'); END;"
    db.executescript(
        f"""
        CREATE TRIGGER {table}_signed_no_update BEFORE UPDATE ON {table}
        WHEN {old} OR NEW.encounter_id IS NOT OLD.encounter_id OR NEW.rowid IS NOT OLD.rowid
        {refuse}
        CREATE TRIGGER {table}_signed_no_delete BEFORE DELETE ON {table} WHEN {old} {refuse}
        CREATE TRIGGER {table}_signed_no_insert BEFORE INSERT ON {table} WHEN {new} {refuse}
        """
    )


IDENTITY_COLUMNS = ("patient_name", "patient_birth_date", "patient_mrn", "visit_type",
                    "encounter_at")


@migrations()
def m003_identity_codes_and_documents(db: Database) -> None:
    """The patient's identity on the visit, ICD-10-CM suggestions, and the visit's other documents
    (after-visit summary, referral letter), each sealed like the note once signed.

    Identity columns join the columns a signed visit refuses to change (the trigger of m002 is
    recreated with them). A code row of a signed visit is frozen. A document row is frozen once
    it is signed itself; an unsigned document of a signed visit may still be edited (an
    after-visit summary is written after the note is signed).
    """
    for col in IDENTITY_COLUMNS:
        db["encounters"].add_column(col, str)
    db.executescript(
        """
        DROP TRIGGER encounters_signed_no_update;
        CREATE TRIGGER encounters_signed_no_update BEFORE UPDATE ON encounters
        WHEN OLD.status = 'signed' AND NOT (
            NEW.created_at IS OLD.created_at AND NEW.label IS OLD.label
            AND NEW.status IS OLD.status AND NEW.duration_s IS OLD.duration_s
            AND NEW.failure IS OLD.failure AND NEW.template IS OLD.template
            AND NEW.consent IS OLD.consent AND NEW.updated_at IS OLD.updated_at
            AND NEW.patient_name IS OLD.patient_name
            AND NEW.patient_birth_date IS OLD.patient_birth_date
            AND NEW.patient_mrn IS OLD.patient_mrn AND NEW.visit_type IS OLD.visit_type
            AND NEW.encounter_at IS OLD.encounter_at
            AND (NEW.audio_file IS OLD.audio_file OR NEW.audio_file IS NULL)
            AND (NEW.audio_id IS OLD.audio_id OR NEW.audio_id IS NULL
                 OR (OLD.audio_id IS NULL AND NEW.audio_file IS OLD.audio_file)))
        BEGIN SELECT RAISE(ABORT, 'signed visit is immutable'); END;
        """
    )
    db["codes"].create(
        {
            "encounter_id": str,
            "code": str,
            "description": str,
            "problem": str,
            "sentence": int,
            "evidence": str,  # JSON list of transcript segment indices
            "state": str,  # suggested | accepted | removed
            "position": int,
        },
        pk=("encounter_id", "code"),
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    db["documents"].create(
        {
            "id": str,
            "encounter_id": str,
            "kind": str,  # summary | referral
            "language": str,
            "draft_json": str,
            "current_json": str,
            "text": str,
            "signed_text": str,
            "signer": str,
            "signed_at": str,
            "sha256": str,
            "attestation": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    _frozen_with_visit(db, "codes")
    db.executescript(
        """
        CREATE TRIGGER documents_signed_no_update BEFORE UPDATE ON documents
        WHEN OLD.signed_at IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.rowid IS NOT OLD.rowid
             OR NEW.encounter_id IS NOT OLD.encounter_id
        BEGIN SELECT RAISE(ABORT, 'signed document is immutable'); END;
        CREATE TRIGGER documents_signed_no_delete BEFORE DELETE ON documents
        WHEN OLD.signed_at IS NOT NULL
        BEGIN SELECT RAISE(ABORT, 'signed document is immutable'); END;
        CREATE TRIGGER documents_signed_no_replace BEFORE INSERT ON documents
        WHEN EXISTS (SELECT 1 FROM documents WHERE (id = NEW.id OR rowid = NEW.rowid)
                     AND signed_at IS NOT NULL)
             OR (SELECT status FROM encounters WHERE id = NEW.encounter_id) IS NOT 'signed'
        BEGIN SELECT RAISE(ABORT, 'signed document is immutable'); END;
        """
    )


@migrations()
def m004_marks(db: Database) -> None:
    """Moments the clinician marked while recording, each with an optional side note; frozen
    with the rest of a signed visit."""
    db["marks"].create(
        {"id": str, "encounter_id": str, "at_s": float, "note": str, "created_at": str},
        pk="id",
        foreign_keys=[("encounter_id", "encounters", "id")],
    )
    _frozen_with_visit(db, "marks")


def migrate(db: Database) -> None:
    migrations.apply(db)

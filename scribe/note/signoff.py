"""Sign-off wording shared by the app and the CLI. The rules themselves live in the store."""

DEFAULT_ATTESTATION = (
    "I have reviewed this note, corrected it where needed, and attest that it accurately "
    "reflects the visit."
)

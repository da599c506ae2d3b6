"""Scribe core: audio, transcription, drafting, storage, sign-off, export. Never imports Qt."""

__version__ = "0.1.0"

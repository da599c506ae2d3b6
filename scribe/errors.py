"""Typed errors. Each message is one sentence a clinician can act on; it never carries patient text."""

from __future__ import annotations


class ScribeError(Exception):
    """Base of every error Scribe shows to a user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AudioFileError(ScribeError):
    """An audio file is empty, unreadable, truncated or not audio."""


class AudioDeviceError(ScribeError):
    """The microphone is missing, busy, or disappeared while recording."""


class DiskFullError(ScribeError):
    """The disk filled up while writing."""


class ModelUnavailableError(ScribeError):
    """A model is not installed, incomplete, or fails its checksum."""


class StoreError(ScribeError):
    """The database refused an operation or is unreadable."""


class IllegalTransitionError(StoreError):
    """A visit cannot move from its current status to the requested one."""


class NotFoundError(StoreError):
    """No visit with that id."""


class SignOffError(ScribeError):
    """Signing or exporting is not allowed in the note's current state."""


class InputError(ScribeError):
    """A value typed by the user cannot be used (a date that is not a date, say)."""


class AuthError(ScribeError):
    """Wrong passphrase or locked profile."""


class Cancelled(ScribeError):
    """The user cancelled a long operation. Never shown as an error."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)

"""A cancel token shared between a front end and a long-running core generator."""

from __future__ import annotations

import threading

from scribe.errors import Cancelled


class CancelToken:
    """Thread-safe flag; core loops call :meth:`check` between small units of work."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise :class:`Cancelled` if cancellation was requested."""
        if self._event.is_set():
            raise Cancelled()


NEVER = CancelToken()
"""A token nobody cancels, for callers that do not offer Cancel."""

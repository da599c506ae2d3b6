"""The interface every drafting engine implements."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from scribe.cancel import NEVER, CancelToken
from scribe.domain import NoteDraft, Transcript
from scribe.drafting.templates import Template

ProgressFn = Callable[[float, str], None]
"""Called with (fraction done 0..1, a short status or streamed text)."""


class Drafter(Protocol):
    """Turns a transcript into a note draft whose every sentence carries its evidence segments."""

    name: str

    def draft(
        self,
        transcript: Transcript,
        template: Template,
        cancel: CancelToken = NEVER,
        progress: ProgressFn | None = None,
    ) -> NoteDraft: ...

    def review(self, checked: NoteDraft) -> NoteDraft:
        """The engine's last word once the fact checks have flagged its draft (they run once,
        for every engine, in ``scribe.visit.pipeline``); most engines return it unchanged."""
        ...

"""Drafting: turn a transcript into a note draft through an engine behind the ``Drafter`` interface."""

from __future__ import annotations

from scribe.drafting.base import Drafter, ProgressFn
from scribe.drafting.templates import Template, available_templates, load_template

__all__ = ["Drafter", "ProgressFn", "Template", "available_templates", "get_drafter", "load_template"]


def get_drafter(engine: str = "offline") -> Drafter:
    """Return the drafting engine by name: ``offline`` (default, no LLM), ``llm`` or ``auto``."""
    from scribe.drafting.offline import OfflineDrafter

    if engine in ("offline", "auto"):
        return OfflineDrafter()
    from scribe.errors import ScribeError

    raise ScribeError(f"Unknown drafting engine '{engine}'. Use offline, llm or auto.")

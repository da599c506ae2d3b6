"""What the model lane needs to process a visit, resolved once from the workspace.

Workers never touch the store (STYLE.md, "Threads in the Qt app"), so the thread that owns the
workspace reads the settings, the voice print and the clinician's words into an :class:`Engines`
and hands that to the lane.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from scribe.remote import ClinicServer, RequestHook
from scribe.speakers import VoiceProfile
from scribe.speech.transcriber import TranscribeOptions

__all__ = ["Engines"]


@dataclass(frozen=True)
class Engines:
    model: str = "base"
    """Speech model: a catalog id (``base``, ``tiny.en``…) or a model folder."""
    device: str = "auto"
    engine: str = "offline"
    """Drafting engine: ``offline``, ``llm``, ``llm:ID`` or ``auto``."""
    models_root: Path | None = None
    templates_dir: Path | None = None
    hotwords: str | None = None
    """The clinician's own words, offered to the recogniser (a short list; see speech.vocabulary)."""
    enrolment: np.ndarray | None = field(default=None, compare=False, repr=False)
    """The clinician's voice print: makes the clinician's label certain."""
    label_speakers: bool = True
    voice_profiles: tuple[VoiceProfile, ...] = field(default=(), compare=False, repr=False)
    """The clinic's staff voices, named once (recognised at Stop and on import)."""
    key: bytes | None = field(default=None, compare=False, repr=False)
    """The data key, to read the visit's stored audio (a worker never opens the store)."""
    server: ClinicServer | None = None
    """The clinic's servers IT configured (None: everything runs on this workstation)."""
    on_request: RequestHook | None = field(default=None, compare=False, repr=False)
    """Audits a server request before it is sent (kind, host); without it nothing is sent."""
    on_notice: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    """Told in one sentence when a step falls back from the server to this workstation."""

    def transcribe_options(self) -> TranscribeOptions:
        return TranscribeOptions(model=self.model, device=self.device, hotwords=self.hotwords,
                                 models_root=self.models_root)

    def with_(self, **changes: object) -> Engines:
        return replace(self, **changes)  # type: ignore[arg-type]

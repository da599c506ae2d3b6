"""What the catalog describes: a model entry and the packaged files its weights are built from.

Plain data, shared by the speech catalog (``models.catalog``) and the LLM one (``models.llm_catalog``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["BundledPart", "CatalogEntry"]


@dataclass(frozen=True)
class BundledPart:
    """A file shipped inside a Python package (``package`` importable, ``relpath`` under it)."""

    package: str
    relpath: str


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    kind: str  # "asr" | "llm"
    name: str
    source: str  # where it comes from, in words
    size_mb: int
    licence: str
    # sha256 of the main weights file (model.bin for CTranslate2 Whisper, the .gguf for LLMs).
    sha256: str | None = None
    weights_file: str = "model.bin"
    # For bundled models: the weight parts to join (in order) and the side files to copy.
    parts: tuple[BundledPart, ...] = ()
    side_files: tuple[BundledPart, ...] = ()
    bundled: bool = False
    english_only: bool = False
    # Rough real-time factor on a 2-core CPU with int8 (seconds of compute per second of audio).
    cpu_rtf: float | None = None
    notes: str = ""
    extra: dict[str, str] = field(default_factory=dict)

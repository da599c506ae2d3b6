"""File transcription with faster-whisper: VAD, word timestamps; models loaded once per process.

The model store folder is an input (``TranscribeOptions.models_root``): nothing here looks at the
environment or the data directory. The device comes from :mod:`scribe.speech.hardware`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from models import cache
from models.store import ModelStore
from scribe.audio.files import duration_s, load_audio
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.errors import ModelUnavailableError, ScribeError
from scribe.nlp.safe_text import clean_text
from scribe.speech.hardware import detect_device

ProgressFn = Callable[[float], None]

CONDITION = True
"""Whisper's ``condition_on_previous_text`` for the file path and the full pass: on four ACI-Bench
train clips (two voice pairings, 90 s, with the term pass) mean WER 0.107 with it against 0.124
without (raw faster-whisper 0.114), and the same term recall (issue 13 measured 9 points of term
recall and 0.03 WER lost without it). Live steps keep it off (their prompt is the committed text)."""


@dataclass(frozen=True)
class TranscribeOptions:
    """Options with their defaults; ``model`` is a catalog id or a model folder path, and
    ``models_root`` the model store a catalog id resolves in (None: only a folder path works)."""

    model: str = "base"
    device: str = "auto"
    language: str | None = "en"  # None: Whisper detects the language
    task: str = "transcribe"  # or "translate": English text of speech in another language
    beam_size: int = 5
    vad_filter: bool = True
    word_timestamps: bool = True
    hotwords: str | None = None
    initial_prompt: str | None = None
    models_root: Path | None = None
    cpu_threads: int | None = None
    """Threads on a CPU (None: the machine's cores); the background pass uses one."""
    term_pass: bool = True
    """Re-check words that may be clinical terms heard wrong (:mod:`scribe.speech.terms`); English
    transcription only."""


def resolve_model_path(model: str, models_root: Path | None = None) -> Path:
    """An existing folder is used as it is; a catalog id resolves in the store at ``models_root``
    (a bundled model is assembled there on first use)."""
    p = Path(model)
    if p.is_dir():
        return p
    if models_root is None:
        raise ModelUnavailableError(
            f"The speech model '{model}' cannot be found: no model store folder was given, and "
            "it is not a model folder."
        )
    return ModelStore(Path(models_root)).path(model)


def load_model(model: str = "base", device: str = "auto", models_root: Path | None = None,
               cpu_threads: int | None = None):
    """The faster_whisper.WhisperModel for ``model`` on ``device``, loaded once per process
    (``models.cache`` family ``"whisper"``; another ``cpu_threads`` is another instance)."""
    info = detect_device(device)
    if cpu_threads is not None and info.device == "cpu":
        info = replace(info, cpu_threads=cpu_threads)
    path = resolve_model_path(model, models_root)

    def load():
        from faster_whisper import WhisperModel

        try:
            return WhisperModel(
                str(path),
                device=info.device,
                compute_type=info.compute_type,
                cpu_threads=info.cpu_threads,
            )
        except Exception:  # noqa: BLE001 - CTranslate2 and tokenizers raise bare Exception too
            raise ModelUnavailableError(_damaged(model)) from None

    key = (str(path), info.device, info.compute_type, info.cpu_threads)
    return cache.cached("whisper", key, load)


def _model_name(model: str) -> str:
    """How a model is named to the clinician: its catalog id, or its folder's name."""
    p = Path(model)
    return p.name if p.is_dir() and p.name else model


def _damaged(model: str) -> str:
    return (f"The speech model '{_model_name(model)}' could not be loaded: one of its files is "
            "empty or damaged; reinstall it or import it again.")


def _to_segment(index: int, seg, offset: float = 0.0) -> Segment:
    # What the recogniser writes is text from outside: no control character goes further.
    words = tuple(
        Word(start=w.start + offset, end=w.end + offset, word=clean_text(w.word),
             probability=getattr(w, "probability", None))
        for w in (seg.words or [])
    )
    return Segment(
        index=index,
        start=seg.start + offset,
        end=seg.end + offset,
        text=clean_text(seg.text).strip(),
        words=words,
    )


def term_pass_for(model, opts: TranscribeOptions):  # noqa: ANN202
    """The clinical-term pass for these options, or None (off, or not English transcription)."""
    if not opts.term_pass or opts.task != "transcribe" or opts.language not in ("en", None):
        return None
    from scribe.speech.terms import TermPass

    return TermPass(model, user_words=(opts.hotwords or "").split())


class Transcriber:
    """Transcribes audio to timestamped segments; ``segments()`` is a lazy, cancellable generator."""

    def __init__(self, options: TranscribeOptions | None = None) -> None:
        self.options = options or TranscribeOptions()
        self._terms: tuple[TranscribeOptions, object] | None = None

    @property
    def model(self):
        opts = self.options
        return load_model(opts.model, opts.device, opts.models_root, opts.cpu_threads)

    def term_pass(self):  # noqa: ANN201
        """This transcriber's clinical-term pass (one per model and options), or None."""
        if self._terms is None or self._terms[0] != self.options:
            self._terms = (self.options, term_pass_for(self.model, self.options))
        return self._terms[1]

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
        model = self.model
        from scribe.speech.vocabulary import is_inserted

        terms = self.term_pass()
        # With the term pass the clinician's words are proposed per span and confirmed by the
        # audio; a free decode biased by them replaced a sentence with two of them (issue 13).
        hotwords = None if terms is not None else opts.hotwords
        index = first_index
        try:
            raw, info = model.transcribe(
                audio,
                language=opts.language,
                task=opts.task,
                beam_size=opts.beam_size,
                vad_filter=opts.vad_filter,
                word_timestamps=opts.word_timestamps,
                hotwords=hotwords,
                initial_prompt=opts.initial_prompt,
                condition_on_previous_text=CONDITION,
            )
            if getattr(info, "language", "en") != "en":
                terms = None  # detected another language: the term lists are English
            for seg in raw:  # decoding happens lazily as this loop pulls segments
                cancel.check()
                if not clean_text(seg.text).strip() or is_inserted(seg, hotwords):
                    continue  # blank, or vocabulary biasing writing words into noise (issue 3)
                segment = _to_segment(index, seg, offset)
                if terms is not None and segment.words:
                    segment = terms.segment(segment, audio, offset)
                yield segment
                index += 1
                if progress:
                    progress(min(seg.end / total, 1.0))
        except ScribeError:  # Cancelled, or the model could not be loaded
            raise
        except Exception:  # noqa: BLE001 - CTranslate2/tokenizers fail with bare types mid-decode
            raise ModelUnavailableError(
                f"The speech model '{_model_name(opts.model)}' failed while transcribing; process "
                "the visit again, and reinstall the model if it keeps failing."
            ) from None
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

"""Transcription on a clinic server: OpenAI-compatible ``POST /v1/audio/transcriptions``.

The visit's audio goes as FLAC (lossless, about half the bytes of WAV) in a multipart form with
``response_format=verbose_json`` and ``timestamp_granularities[]=word``. Servers differ in what
they send back, and each shape is read:

- words with their own times (OpenAI's top-level ``words``, speaches' and vLLM's per-segment
  ``words`` with ``probability``): kept as they are;
- segments only (``faster-whisper-server`` 0.0.3): each segment's words are spread evenly over
  its time and carry no confidence (``probability`` None: unknown, never "sure").

``task="translate"`` uses ``/v1/audio/translations`` (Whisper's translate task, into English).
"""

from __future__ import annotations

import io
import math
import uuid

import numpy as np
import soundfile as sf

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.nlp.safe_text import clean_text
from scribe.remote.wire import Endpoint, RemoteError, RequestHook, post

__all__ = ["encode_audio", "multipart", "parse_transcript", "transcribe"]

RATE = 16000


def encode_audio(audio: np.ndarray) -> bytes:
    """16 kHz mono float32 → FLAC bytes (16-bit)."""
    buf = io.BytesIO()
    sf.write(buf, np.clip(audio, -1.0, 1.0), RATE, format="FLAC", subtype="PCM_16")
    return buf.getvalue()


def multipart(fields: list[tuple[str, str]], file_field: str, filename: str, data: bytes,
              file_type: str) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its content type."""
    boundary = f"scribe-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields:
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  f"{value}\r\n".encode())
    out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
              f'filename="{filename}"\r\nContent-Type: {file_type}\r\n\r\n'.encode())
    out.write(data)
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def transcribe(endpoint: Endpoint, audio: np.ndarray, *, language: str | None = "en",
               task: str = "transcribe", hotwords: str | None = None,
               on_request: RequestHook | None = None,
               cancel: CancelToken = NEVER) -> Transcript:
    """The server's transcript of ``audio`` (times in seconds from its start)."""
    cancel.check()
    duration = len(audio) / RATE
    fields = [("model", endpoint.model or "whisper-1"),
              ("model_name", endpoint.model or "whisper-1"),  # faster-whisper-server's name
              ("response_format", "verbose_json"),
              ("timestamp_granularities[]", "word"),
              ("timestamp_granularities[]", "segment"),
              ("temperature", "0")]
    if language and task == "transcribe":
        fields.append(("language", language))
    if hotwords:
        fields.append(("prompt", hotwords))  # the API's one way to offer vocabulary
    body, ctype = multipart(fields, "file", "visit.flac", encode_audio(audio), "audio/flac")
    path = "/audio/translations" if task == "translate" else "/audio/transcriptions"
    answer = post(endpoint, path, body, ctype, kind=task, on_request=on_request, cancel=cancel)
    return parse_transcript(answer, endpoint, duration)


def parse_transcript(answer: object, endpoint: Endpoint, duration: float) -> Transcript:
    """A verbose_json answer → :class:`Transcript`; anything else is one sentence."""
    if not isinstance(answer, dict) or not isinstance(answer.get("segments", []), list):
        raise RemoteError(f"The clinic server {endpoint.host} sent a transcript Scribe cannot "
                          "read.")
    top_words = [w for w in answer.get("words") or [] if isinstance(w, dict)]
    segments: list[Segment] = []
    try:
        raw_segments = answer.get("segments") or []
        if not raw_segments and str(answer.get("text", "")).strip():
            raw_segments = [{"start": 0.0, "end": duration, "text": answer["text"]}]
        for raw in raw_segments:
            text = clean_text(str(raw.get("text", ""))).strip()
            if not text:
                continue
            start, end = float(raw["start"]), float(raw["end"])
            if not (math.isfinite(start) and math.isfinite(end)) or end < start:
                raise ValueError("bad times")
            own = [w for w in raw.get("words") or [] if isinstance(w, dict)]
            if not own and top_words:
                own = [w for w in top_words
                       if start - 0.01 <= float(w.get("start", -1)) < end + 0.01]
            words = _words(own) if own else _spread(text, start, end)
            segments.append(Segment(index=len(segments), start=start, end=end, text=text,
                                    words=words))
    except (KeyError, TypeError, ValueError):
        raise RemoteError(f"The clinic server {endpoint.host} sent a transcript Scribe cannot "
                          "read.") from None
    model = f"server:{endpoint.model or 'whisper'}@{endpoint.host}"
    language = str(answer.get("language") or "en").lower()
    language = _LANGUAGE_NAMES.get(language, language if len(language) <= 3 else "en")
    return Transcript(segments=tuple(segments), language=language, model=model,
                      duration=float(answer.get("duration") or duration))


# OpenAI's verbose_json names the language ("english"); faster-whisper servers send its code.
_LANGUAGE_NAMES = {"english": "en", "spanish": "es", "french": "fr", "german": "de",
                   "portuguese": "pt", "italian": "it", "chinese": "zh", "vietnamese": "vi"}


def _words(raw: list[dict]) -> tuple[Word, ...]:
    out = []
    for w in raw:
        text = clean_text(str(w.get("word", "")))
        if not text.strip():
            continue
        prob = w.get("probability")
        out.append(Word(start=float(w["start"]), end=float(w["end"]),
                        word=text if text.startswith(" ") else " " + text,
                        probability=float(prob) if isinstance(prob, (int, float)) else None))
    return tuple(out)


def _spread(text: str, start: float, end: float) -> tuple[Word, ...]:
    """Words of a segment the server timed only as a whole: even shares of its time."""
    tokens = text.split()
    step = (end - start) / max(len(tokens), 1)
    return tuple(Word(start=round(start + k * step, 3), end=round(start + (k + 1) * step, 3),
                      word=" " + tok, probability=None) for k, tok in enumerate(tokens))

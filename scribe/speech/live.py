"""Live transcription while a visit is recorded, so only a few seconds are left to do after Stop.

Streaming policy: LocalAgreement-2 from ufal/whisper_streaming (D. Macháček, R. Dabre, O. Bojar,
"Turning Whisper into Real-Time Transcription System", IJCNLP-AACL 2023 system demonstrations,
arXiv:2307.14743). Each step re-transcribes a window of recent audio; a word becomes *committed*
(final, never rewritten) once two consecutive hypotheses agree on it, in order, after the last
committed word. The window is trimmed once it passes ``trim_s`` (so audio in RAM stays under
``max_buffer_s`` however long the visit is). Deviations from the reference, each measured
(docs/benchmarks.md): words are compared ignoring case and punctuation, and fillers ("mm-hmm",
"uh") match each other or may be missing from one hypothesis; VAD stays on (it keeps vocabulary
biasing from writing words into silence); the window is cut in a pause after committed words (not
at a segment's end time, which can fall inside a word) and keeps at least 4 s; live steps decode
greedily with no temperature fallback and a bounded output, and drop a repetition loop, so one
doubtful window cannot stall the live text for seconds; and a step encodes the window plus 7 s
of padding instead of 30 s (whisper.cpp's ``audio_ctx``), which makes a step fast enough to run
on every 0.5 s of new audio on a 2-core CPU (except the visit's first 6 s, with no committed text
to prompt with, where the full 30 s did better).
"""

from __future__ import annotations

import ctypes
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from scribe.audio.files import SAMPLE_RATE
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.nlp import bare_word, is_hesitation
from scribe.speech.transcriber import TranscribeOptions, load_model, term_pass_for

__all__ = ["LiveTranscriber", "LiveUpdate", "group_words"]

_PROMPT_CHARS = 200  # committed text given as initial_prompt, as whisper_streaming does
_NGRAM = 5  # longest repeat of the committed tail removed from a new hypothesis
_TRIM_EVERY = 10  # decode steps between returns of freed native memory to the OS
_ENCODER_STEP_FRAMES = 200  # encoder input rounded up to 2 s (200 frames)
_FINISH_CONTEXT_S = 3.0  # committed audio decoded with the tail at Stop
_MIN_PAUSE_S = 0.15  # the window is cut only in a pause at least this long
_KEEP_S = 4.0  # ... and keeps at least this much audio after the cut
FULL_CONTEXT_FIRST_S = 6.0  # the visit's first window is encoded with 30 s until this long
_JITTER_S = 1.0  # how far Whisper's time for a word can move between two steps
_LOOP_RATIO = 2.4  # faster-whisper's compression-ratio threshold for a repetition loop


def _bounded_decoding(window_s: float) -> dict:
    """Decoding of a live step and of the tail at Stop: no temperature fallback, bounded output.

    Fallback re-decodes a doubtful window up to five times (a 14 s step was measured, and a 14.5 s
    Stop on a 1.3 s tail); a live step is redone a second later anyway. Speech runs ~4.5 tokens a
    second, so 6 a second plus room for timestamps cuts a repetition loop short without cutting
    speech.
    """
    return {"temperature": 0.0, "max_new_tokens": int(6 * window_s) + 16}


def _short_context_view(model, pad_s: float):
    """``model`` (shared, not copied) with an encoder that sees the audio plus ``pad_s``, not 30 s.

    Whisper encodes a fixed 30 s window; faster-whisper pads a shorter window's features with
    zeros to 3000 frames. CTranslate2's encoder takes fewer frames, and on a 2-core CPU a 10 s
    input encodes in about a quarter of the time (0.09 s against 0.38 s for base). This is
    whisper.cpp's ``audio_ctx`` (ggml-org/whisper.cpp#137, its ``stream`` example, and
    ggml-org/whisper.cpp#1855, which sizes it from the audio's length). Whisper was trained on 30 s,
    and with too little padding the decoder can loop; with 7 s, WER against the script over three
    ACI-Bench dialogues stayed where full 30 s steps had it (docs/benchmarks.md), and a loop is
    bounded anyway (:func:`_bounded_decoding`).
    """
    from faster_whisper import WhisperModel

    class _ShortContext(WhisperModel):
        def encode(self, features: np.ndarray):
            frames = features.shape[-1]
            used = np.flatnonzero(np.any(features.reshape(-1, frames) != 0, axis=0))
            keep = (int(used[-1]) + 1 if len(used) else 0) + int(pad_s * 100)
            # Steps of 2 s (even, as the encoder's convolution halves the frames): a few input
            # shapes, not one per step, so the allocator reuses its buffers instead of growing.
            keep = -(-keep // _ENCODER_STEP_FRAMES) * _ENCODER_STEP_FRAMES
            if keep < frames:
                features = features[..., :keep]
            return super().encode(features)

    view = _ShortContext.__new__(_ShortContext)
    view.__dict__.update(model.__dict__)
    return view


def _detect_language(model, audio: np.ndarray) -> str | None:
    """The language Whisper hears in ``audio`` (kept for the visit), or None to try again later."""
    try:
        language, probability, _all = model.detect_language(audio)
    except (ValueError, RuntimeError, AttributeError):
        return None
    return language if probability >= 0.5 else None


def _release_freed_memory() -> None:
    """Hand freed heap back to the OS: glibc keeps what CTranslate2 frees, so RSS creeps up."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):
            pass


@dataclass
class LiveUpdate:
    new_committed: list[Segment]
    pending_text: str
    audio_s: float
    committed_until_s: float


_norm = bare_word  # two hypotheses agree on a word when its bare forms are equal

# Backchannels and hesitations (scribe.nlp.HESITATIONS). Whisper writes the same "mm-hmm" as "MM",
# "-hmm." or "Mhm" from one step to the next, or leaves it out, and one such flip at the front of the
# window stalls every word behind it; in the agreement any filler matches any filler and a filler may
# be missing from one of the two hypotheses (docs/benchmarks.md). They are still transcribed:
# "mm-hmm" can be an answer.
_filler = is_hesitation


class _Hypotheses:
    """LocalAgreement-2 state (whisper_streaming's ``HypothesisBuffer``)."""

    def __init__(self) -> None:
        self.committed_tail: list[Word] = []  # committed words still inside the audio window
        self.previous: list[Word] = []  # the last hypothesis after the committed point
        self.last_time = 0.0  # end of the last committed word

    def insert(self, words: list[Word]) -> list[Word]:
        """Words of a new hypothesis after the committed point, minus a repeat of the tail."""
        cut = sum(1 for w in words if w.start <= self.last_time - 0.1)
        early, new = words[:cut], words[cut:]
        if early and self.committed_tail:
            # whisper_streaming drops every word timed before the committed point, but Whisper's
            # word times jitter: a new word ("bronchitis" right after a committed "acute") can be
            # timed early and would be lost. Keep the early words that follow the committed tail.
            # Only words timed within the jitter of the committed point: the hypothesis also
            # re-transcribes the committed audio before it, and a one-word match there ("Hi" at
            # 0 s against a committed "Hi" at 5.4 s) once committed 11 words a second time.
            tail = [_norm(w.word) for w in self.committed_tail]
            said = [_norm(w.word) for w in early]
            for k in range(len(early), 0, -1):
                if k < len(early) and early[k].start < self.last_time - _JITTER_S:
                    break
                m = min(k, len(tail), _NGRAM)
                if said[k - m : k] == tail[-m:]:
                    new = early[k:] + new
                    break
        if new and self.committed_tail and abs(new[0].start - self.last_time) < _JITTER_S:
            for n in range(min(len(self.committed_tail), len(new), _NGRAM), 0, -1):
                tail = [_norm(w.word) for w in self.committed_tail[-n:]]
                if tail == [_norm(w.word) for w in new[:n]]:
                    new = new[n:]
                    break
        return new

    def agree(self, words: list[Word]) -> list[Word]:
        """Commit the longest common prefix of the previous and this hypothesis (fillers aside)."""
        new = self.insert(words)
        i = j = agreed = 0  # agreed: words of ``new`` up to and including the last agreement
        prev = self.previous
        while i < len(prev) and j < len(new):
            a, b = prev[i].word, new[j].word
            if _norm(a) == _norm(b) or (_filler(a) and _filler(b)):
                i, j, agreed = i + 1, j + 1, j + 1
            elif _filler(b):
                j += 1  # a filler only this hypothesis has: kept if agreement follows it
            elif _filler(a):
                i += 1
            else:
                break
        commit = new[:agreed]
        self.commit(commit)
        self.previous = new[agreed:]
        return commit

    def commit(self, words: list[Word]) -> None:
        if words:
            self.committed_tail.extend(words)
            self.last_time = words[-1].end

    def forget_before(self, t: float) -> None:
        self.committed_tail = [w for w in self.committed_tail if w.end > t]


def group_words(words: list[Word], first_index: int = 0, max_words: int = 40) -> list[Segment]:
    """Segments of ``words``: a new one after a sentence end, a pause over 1 s, or ``max_words``."""
    segments: list[Segment] = []
    current: list[Word] = []

    def close() -> None:
        if current:
            text = "".join(w.word for w in current).strip()
            segments.append(
                Segment(
                    first_index + len(segments),
                    current[0].start,
                    current[-1].end,
                    text,
                    words=tuple(current),
                )
            )
            current.clear()

    for w in words:
        if current and (w.start - current[-1].end > 1.0 or len(current) >= max_words):
            close()
        current.append(w)
        if w.word.rstrip().endswith((".", "?", "!")):
            close()
    close()
    return segments


_UNHEARD_S = 1.0  # this much audio no hypothesis reached before a forced cut is decoded alone
_SILENT_FRAME = 1e-7 * (SAMPLE_RATE // 50)  # a 20 ms frame this quiet is silence (-70 dBFS)


class LiveTranscriber:
    """Feeds a growing recording through faster-whisper; committed text is final, a tail pends.

    Args:
        options: model, device, language, beam size, hotwords (``options.hotwords`` is used as is
            unless ``vocabulary`` is given).
        min_chunk_s: new audio needed before a decode step runs.
        max_buffer_s: the audio window never holds more than this (memory is flat).
        vocabulary: ``committed_text -> hotwords``, re-evaluated as text is committed
            (e.g. ``lambda text: scribe.speech.vocabulary.hotwords_for(text, user_words)``).
        prompt_context: pass committed text that ends before the window as ``initial_prompt``
            (as whisper_streaming does; text inside the window made Whisper skip words).
        step_beam_size: beam size of live steps; greedy (1) halves a step on a CPU and changed
            live-vs-batch WER little (docs/benchmarks.md). ``finish`` uses the options' beam size.
        trim_s: cut the window in a pause after committed words once it is longer than this.
        step_fallback: let live steps use faster-whisper's temperature fallback (off: a doubtful
            window was re-decoded up to 14 s on a 2-core CPU; the next step redoes it anyway).
        encoder_pad_s: live steps encode the window plus this much padding instead of Whisper's
            full 30 s (:func:`_short_context_view`), once the visit's first window holds 6 s;
            ``None`` encodes the full 30 s.
        background: run the full pass (:mod:`scribe.speech.background`) behind the live text, in
            chunks of ``chunk_s`` or more cut in a pause; at Stop it gets ``finish_wait_s`` to end
            the chunk in flight, and the final transcript is its text where it got to, the live
            text after that (clinical-term pass included). ``"terms"``: only the clinical-term pass
            over each committed segment, behind the live text (few cores).

    Threads: ``feed`` and ``finish`` run on one worker thread; ``committed`` and ``pending_text``
    may be read from any thread (the lock is held only while lists change, never while decoding).
    """

    def __init__(
        self,
        options: TranscribeOptions,
        min_chunk_s: float = 0.5,
        max_buffer_s: float = 15.0,
        *,
        vocabulary: Callable[[str], str] | None = None,
        prompt_context: bool = True,
        step_beam_size: int = 1,
        trim_s: float | None = None,
        step_fallback: bool = False,
        encoder_pad_s: float | None = 7.0,
        background: bool | str = False,
        chunk_s: float = 20.0,
        finish_wait_s: float = 1.0,
    ) -> None:
        self.options = options
        self.min_chunk_s = min_chunk_s
        self.max_buffer_s = max_buffer_s
        self.trim_s = min(trim_s if trim_s is not None else 8.0, max_buffer_s)
        self.encoder_pad_s = encoder_pad_s
        self._view: tuple[object, object] | None = None  # (model, its short-context view)
        self._vocabulary = vocabulary
        self._prompt_context = prompt_context
        self._step_beam = step_beam_size
        self._step_fallback = step_fallback
        self._hotwords = options.hotwords if vocabulary is None else vocabulary("")
        self._buffer = np.zeros(0, dtype=np.float32)
        self._buffer_start_s = 0.0
        self._received = 0  # samples fed in total
        self._unprocessed = 0  # samples fed since the last decode step
        self._steps = 0
        self._hyp = _Hypotheses()
        self._words: list[Word] = []  # every committed word, in order
        self._committed: list[Segment] = []
        self._lock = threading.Lock()  # guards what the UI thread reads
        self._language = options.language  # None: detected from the first seconds, then kept
        self.chunk_s = chunk_s
        self.finish_wait_s = finish_wait_s
        self._background = None
        self._terms_only = background == "terms"
        if background:
            from scribe.speech.background import BackgroundPass

            # The term pass alone scores on the live model itself (no second model beside the
            # live steps); the full pass decodes on a one-thread model of its own.
            self._background = BackgroundPass(
                options, threads=options.cpu_threads if self._terms_only else 1)
        self._kept: list[np.ndarray] = []  # audio not yet covered by the full pass
        self._kept_start_s = 0.0  # ... from this recording time
        self._sent_s = 0.0  # audio up to here is queued for the full pass

    # ---- what the UI reads ----------------------------------------------------------------
    @property
    def committed(self) -> list[Segment]:
        with self._lock:
            return list(self._committed)

    @property
    def pending_text(self) -> str:
        with self._lock:
            return "".join(w.word for w in self._hyp.previous).strip()

    @property
    def audio_s(self) -> float:
        return self._received / SAMPLE_RATE

    @property
    def committed_until_s(self) -> float:
        return self._hyp.last_time

    @property
    def buffer_s(self) -> float:
        """Seconds of audio held in the window now (≤ ``max_buffer_s`` after every feed)."""
        return len(self._buffer) / SAMPLE_RATE

    # ---- feeding --------------------------------------------------------------------------
    def feed(self, audio: np.ndarray) -> LiveUpdate:
        """Add new 16 kHz mono float32 samples; decode when ``min_chunk_s`` of new audio is in.

        A long block (a worker that fell behind) is decoded in as few steps as the window allows,
        so the live text catches up instead of falling further behind.
        """
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        new: list[Segment] = []
        at = 0
        while at < len(audio):
            room = int(self.max_buffer_s * SAMPLE_RATE) - len(self._buffer)
            block = audio[at : at + max(room, int(self.min_chunk_s * SAMPLE_RATE))]
            at += len(block)
            self._buffer = np.concatenate([self._buffer, block])
            if self._background is not None and not self._terms_only:
                self._kept.append(block)
            self._received += len(block)
            self._unprocessed += len(block)
            if (
                self._unprocessed >= self.min_chunk_s * SAMPLE_RATE
                or self.buffer_s > self.max_buffer_s
            ):
                new.extend(self._step())
        return LiveUpdate(new, self.pending_text, self.audio_s, self.committed_until_s)

    def _step(self) -> list[Segment]:
        self._unprocessed = 0
        self._steps += 1
        if self._steps % _TRIM_EVERY == 0:
            _release_freed_memory()
        raw = self._decode(
            self._buffer,
            self._buffer_start_s,
            self._step_beam,
            NEVER,
            bounded=not self._step_fallback,
            # The visit's first seconds have no committed text to prompt with, and there
            # Whisper did better with its full 30 s context (a step on a short window is cheap).
            short_context=self._buffer_start_s > 0 or self.buffer_s >= FULL_CONTEXT_FIRST_S,
        )
        words = [w for seg in raw for w in seg]
        with self._lock:
            commit = self._hyp.agree(words)
            added = self._add_committed(commit)
        if added and self._background is not None:
            if self._terms_only:
                self._send_segments(added)
            else:
                self._send_chunk()
        return added + self._trim()

    # ---- the full pass behind the live text ---------------------------------------------------
    def _kept_audio(self) -> np.ndarray:
        if len(self._kept) > 1:
            self._kept = [np.concatenate(self._kept)]
        return self._kept[0] if self._kept else np.zeros(0, dtype=np.float32)

    def _send_segments(self, segments: list[Segment]) -> None:
        """Queue each committed segment with its audio for the term pass (the window holds it)."""
        for seg in segments:
            lo = max(0, int((seg.start - 0.5 - self._buffer_start_s) * SAMPLE_RATE))
            hi = int((seg.end + 0.5 - self._buffer_start_s) * SAMPLE_RATE)
            if hi > lo:
                self._background.submit(self._buffer[lo:hi], self._buffer_start_s + lo / SAMPLE_RATE,
                                        segment=seg)

    def _send_chunk(self) -> None:
        """Queue committed audio from ``_sent_s`` to a pause once ``chunk_s`` of it is committed."""
        done = self._hyp.last_time
        if done - self._sent_s < self.chunk_s:
            return
        cut = None
        for before, after in zip(self._words, self._words[1:]):  # the latest pause in range
            if before.end < self._sent_s + self.chunk_s / 2 or after.start > done:
                continue
            if after.start - before.end >= 0.3:
                cut = (before.end + after.start) / 2
        if cut is None:
            return
        audio = self._kept_audio()
        a = int(round((self._sent_s - self._kept_start_s) * SAMPLE_RATE))
        b = int(round((cut - self._kept_start_s) * SAMPLE_RATE))
        self._background.submit(audio[a:b], self._sent_s)
        self._sent_s = cut
        self._forget_covered()

    def _forget_covered(self) -> None:
        """Drop kept audio the full pass has finished with."""
        covered = self._background.covered_s
        drop = int(round((covered - self._kept_start_s) * SAMPLE_RATE))
        if drop > 0:
            self._kept = [self._kept_audio()[drop:].copy()]
            self._kept_start_s = covered

    def _add_committed(self, words: list[Word]) -> list[Segment]:
        """Append committed words as one or more new segments (caller holds the lock)."""
        if not words:
            return []
        self._words.extend(words)
        added = group_words(words, first_index=len(self._committed))
        self._committed.extend(added)
        if self._vocabulary is not None:
            self._hotwords = self._vocabulary(self._committed_text())
        return added

    def _committed_text(self) -> str:
        return " ".join(s.text for s in self._committed[-20:])

    def _prompt_before(self, t: float) -> str:
        """Committed text that ends before the window (text inside it would be skipped)."""
        out: list[str] = []
        size = 0
        for w in reversed(self._words):
            if w.end > t:
                continue
            if size + len(w.word) > _PROMPT_CHARS:
                break
            out.append(w.word)
            size += len(w.word)
        return "".join(reversed(out)).strip()

    def _decode(
        self,
        audio: np.ndarray,
        offset: float,
        beam: int,
        cancel: CancelToken,
        bounded: bool,
        short_context: bool = False,
    ) -> list[list[Word]]:
        """Words per kept Whisper segment, in recording time (segments judged silence dropped).

        ``bounded``: one pass at temperature 0 with a capped output, dropping a repetition loop
        (:func:`_bounded_decoding`), so the call's time is bounded by the audio's length.
        ``short_context``: encode only the audio plus ``encoder_pad_s`` (:func:`_short_context_view`).
        """
        from scribe.speech.vocabulary import is_inserted

        if len(audio) < SAMPLE_RATE // 10:
            return []
        opts = self.options
        prompt = self._prompt_before(offset) if self._prompt_context else None
        model = load_model(opts.model, opts.device, opts.models_root)
        if short_context and self.encoder_pad_s is not None:
            if self._view is None or self._view[0] is not model:
                self._view = (model, _short_context_view(model, self.encoder_pad_s))
            model = self._view[1]
        if self._language is None and self.audio_s >= FULL_CONTEXT_FIRST_S:
            self._language = _detect_language(model, audio)
        segments, _info = model.transcribe(
            audio,
            language=self._language,
            task=opts.task,
            beam_size=beam,
            vad_filter=True,  # keeps hotwords from writing vocabulary into silence
            word_timestamps=True,
            hotwords=self._hotwords,
            initial_prompt=prompt or opts.initial_prompt,
            condition_on_previous_text=False,
            **(_bounded_decoding(len(audio) / SAMPLE_RATE) if bounded else {}),
        )
        out: list[list[Word]] = []
        for seg in segments:
            cancel.check()
            if not seg.words or is_inserted(seg, self._hotwords):
                continue
            if bounded and seg.compression_ratio > _LOOP_RATIO:
                continue  # a repetition loop (fallback would retry it); the next step redoes it
            out.append([Word(w.start + offset, w.end + offset, w.word,
                             probability=getattr(w, "probability", None)) for w in seg.words])
        return out

    def _trim(self) -> list[Segment]:
        """Drop audio before a pause after committed words; force room when past the cap.

        Returns the segments committed to make room (shown live like any other).
        """
        end_s = self._buffer_start_s + self.buffer_s
        if self.buffer_s > self.trim_s:
            cut = self._pause_after_committed()
            if cut is not None:
                self._cut(cut)
        if self.buffer_s > self.max_buffer_s:
            # Nothing committed to cut at (noise, or a long unstable stretch): commit what the
            # latest hypothesis says about the oldest half, so no speech is silently lost.
            cut = end_s - self.max_buffer_s / 2
            floor = end_s - self.max_buffer_s  # at least this much goes, whatever the words say
            with self._lock:
                early = [w for w in self._hyp.previous if w.end <= cut]
                self._hyp.previous = self._hyp.previous[len(early) :]
                self._hyp.commit(early)
                forced = self._add_committed(early)
                if self._hyp.previous:  # keep a pending word that starts before the cut
                    cut = max(floor, min(cut, self._hyp.previous[0].start))
            # In the quietest spot of the last two seconds before it, not inside a word.
            at = self._quietest(max(floor, cut - 2.0), cut)
            forced += self._unheard_before(at)
            self._cut(at)
            return forced
        return []

    def _unheard_before(self, cut: float) -> list[Segment]:
        """Speech the hypotheses never reached before a forced cut, decoded on its own.

        Whisper can end a window's text early: on drug_names.wav with 2 s steps every hypothesis
        stopped at 14.1 s while "She takes furosemide" followed, and the forced cut at 16.8 s
        dropped it unheard. What lies between the last word committed and the cut is decoded
        once, as a window of its own, and committed (its audio is about to go).
        """
        heard = self._hyp.last_time
        lo = int(round((heard - self._buffer_start_s) * SAMPLE_RATE))
        hi = int(round((cut - self._buffer_start_s) * SAMPLE_RATE))
        lo = max(0, lo)
        if hi - lo < _UNHEARD_S * SAMPLE_RATE:
            return []
        raw = self._decode(self._buffer[lo:hi], self._buffer_start_s + lo / SAMPLE_RATE,
                           self._step_beam, NEVER, bounded=True, short_context=True)
        words = [w for seg in raw for w in seg if w.start >= heard - 0.05 and w.end <= cut + 0.1]
        if not words:
            return []
        with self._lock:
            self._hyp.commit(words)
            return self._add_committed(words)

    def _pause_after_committed(self) -> float | None:
        """Where to cut the window: in the latest pause after committed words that leaves at least
        ``_KEEP_S`` of audio in it (None when there is none).

        whisper_streaming cuts at a committed segment's end time, but Whisper also ends segments
        inside a sentence ("so to|day is Tuesday") and its word times jitter: a cut with no pause
        behind it clipped the next word, and the clipped window lost the five words after it. A
        cut that left only a second or two of audio made the next steps' hypotheses worse
        (docs/benchmarks.md).
        """
        end = self._buffer_start_s + self.buffer_s
        words = self._hyp.committed_tail + self._hyp.previous[:1]
        for before, after in reversed(list(zip(words, words[1:]))):
            if after.start - before.end >= _MIN_PAUSE_S and end - after.start >= _KEEP_S:
                return self._quietest(before.end, after.start)
        return None

    def _quietest(self, a: float, b: float) -> float:
        """Centre of the quietest 20 ms of the window between times ``a`` and ``b``."""
        frame = SAMPLE_RATE // 50
        lo = max(0, int((a - self._buffer_start_s) * SAMPLE_RATE))
        hi = min(len(self._buffer), int((b - self._buffer_start_s) * SAMPLE_RATE))
        n = (hi - lo) // frame
        if n < 2:
            return a
        energy = np.square(self._buffer[lo : lo + n * frame].reshape(n, frame)).sum(axis=1)
        # The middle of the longest run of frames near the quietest, not the first quiet frame:
        # word times jitter, and a cut at a quiet run's edge lands next to a word's first sound.
        quiet = energy <= max(4.0 * float(energy.min()), _SILENT_FRAME)
        best, run, best_end = 0, 0, int(np.argmin(energy)) + 1
        for k, q in enumerate(quiet):
            run = run + 1 if q else 0
            if run > best:
                best, best_end = run, k + 1
        at = lo + (best_end - max(best, 1) / 2) * frame
        return self._buffer_start_s + int(at) / SAMPLE_RATE

    def _cut(self, t: float) -> None:
        drop = int(round((t - self._buffer_start_s) * SAMPLE_RATE))
        drop = max(0, min(drop, len(self._buffer)))
        self._buffer = self._buffer[drop:].copy()
        self._buffer_start_s += drop / SAMPLE_RATE
        self._hyp.forget_before(self._buffer_start_s)

    # ---- after Stop -----------------------------------------------------------------------
    def finish(self, cancel: CancelToken = NEVER, rest: np.ndarray | None = None) -> Transcript:
        """Transcribe only the uncommitted tail; return committed + tail as the final Transcript.

        ``rest``: audio read after Stop, added without a decode step of its own.
        """
        cancel.check()
        if rest is not None and len(rest):
            self._buffer = np.concatenate([self._buffer, np.asarray(rest, dtype=np.float32)])
            self._received += len(rest)
        # The tail is decoded with a few seconds of committed audio before it: alone, a short
        # tail (a word cut off by Stop) made Whisper repeat the prompt's committed text as new
        # words. Words already committed are dropped again by time and by the n-gram check.
        start = max(self._buffer_start_s, self._hyp.last_time - _FINISH_CONTEXT_S)
        tail = self._buffer[int(round((start - self._buffer_start_s) * SAMPLE_RATE)) :]
        raw = self._decode(tail, start, self.options.beam_size, cancel, bounded=True)
        with self._lock:
            tail_words = self._hyp.insert([w for seg in raw for w in seg])
            tail_segments = self._add_committed(tail_words)
            self._hyp.previous = []
            segments = group_words(self._words)
        if self._terms_only:
            segments = self._with_term_pass(tail_segments, tail, start, cancel)
        elif self._background is not None:
            segments = self._with_full_pass(segments, cancel)
        return Transcript(
            tuple(segments),
            language=self._language or self.options.language or "en",
            model=self.options.model,
            duration=self.audio_s,
        )

    def _with_full_pass(self, live: list[Segment], cancel: CancelToken) -> list[Segment]:
        """The full pass's segments where it got to by Stop, then the live text (term-checked)."""
        full = self._background.finish(self.finish_wait_s, cancel)
        covered = self._background.covered_s if full else 0.0
        rest = [w for w in self._words if w.start >= covered - 0.05]
        tail = group_words(rest, first_index=len(full))
        audio, start = self._kept_audio(), self._kept_start_s
        if covered > start:  # the kept audio starts at the full pass's end
            audio = audio[int(round((covered - start) * SAMPLE_RATE)) :]
            start = covered
        opts = replace(self.options, language=self._language or self.options.language)
        terms = term_pass_for(load_model(opts.model, opts.device, opts.models_root), opts)
        if terms is not None:
            tail = [terms.segment(seg, audio, start) for seg in tail]
        return [*full, *tail]

    def _with_term_pass(self, tail: list[Segment], audio: np.ndarray, start: float,
                        cancel: CancelToken) -> list[Segment]:
        """The committed words with the term pass's changes, the tail checked here at Stop."""
        pending = {id(s) for s in tail}
        self._background.finish(self.finish_wait_s, cancel)
        changes = [(old, new) for old, new in self._background.revised if id(old) not in pending]
        opts = replace(self.options, language=self._language or self.options.language)
        terms = term_pass_for(load_model(opts.model, opts.device, opts.models_root), opts)
        if terms is not None:
            for seg in tail:
                new = terms.segment(seg, audio, start)
                if new.words != seg.words:
                    changes.append((seg, new))
        words = list(self._words)
        position = {id(w): k for k, w in enumerate(words)}
        for old, new in sorted(changes, key=lambda c: -c[0].start):  # right to left
            at = position.get(id(old.words[0])) if old.words else None
            if at is None or tuple(words[at : at + len(old.words)]) != old.words:
                continue
            words[at : at + len(old.words)] = new.words
        return group_words(words)

    def close(self) -> None:
        """End the full pass without waiting (a visit discarded or cancelled)."""
        if self._background is not None:
            self._background.close()


"""The background full pass: committed audio re-transcribed at full quality while the visit runs.

On a machine with few cores the full pass cannot keep up beside the live steps (measured on 2
cores: Stop -> final 6.2 s with it against 4.5 s without); there the same thread runs only the
clinical-term pass over each committed segment (``submit(..., segment=...)``), which costs far less.

The live pass decodes greedily on a short window to keep up; on unseen visits its text was about
0.2 WER from a full pass (issue 13). This pass takes the audio the live pass has committed, in
chunks cut in a pause (``chunk_s`` or more), and transcribes each as a file is transcribed (beam
search, VAD, word confidence, the clinical-term pass) on its own thread, one CPU thread, at a lower
scheduling priority, so the live steps keep the cores they need. Its own model instance: two
threads sharing one CTranslate2 model queue behind each other, which would stall the live text.

At Stop, :meth:`BackgroundPass.finish` waits a bounded time for the chunk in flight; what the pass
has covered by then comes from it, the rest (the tail) stays as the live pass heard it. A closed
pass stops at the chunk's next segment, and at exit every pass is closed and joined first: a
thread still inside CTranslate2 when the interpreter ends crashed the process (measured).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
import weakref
from dataclasses import replace

import numpy as np

from scribe.audio.files import SAMPLE_RATE
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment
from scribe.errors import Cancelled, ScribeError
from scribe.speech.transcriber import TranscribeOptions, Transcriber

__all__ = ["BackgroundPass"]

log = logging.getLogger(__name__)

NICE = 10  # how much lower the pass's threads run than the live steps (Linux, per thread)
_RUNNING: weakref.WeakSet[BackgroundPass] = weakref.WeakSet()


class BackgroundPass:
    """Full-quality transcription of committed audio, behind the live text.

    ``submit(audio, start_s)`` queues a chunk (recording time ``start_s``); ``segments`` are the
    chunks done so far, in order; ``covered_s`` is where they end. Thread-safe.
    """

    def __init__(self, options: TranscribeOptions, threads: int | None = 1) -> None:
        self.options = replace(options, cpu_threads=threads)
        self._queue: queue.Queue[tuple[np.ndarray, float, Segment | None] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._segments: list[Segment] = []
        self._revised: list[tuple[Segment, Segment]] = []
        self._covered_s = 0.0
        self._busy = threading.Event()
        self._failed = False  # the model failed: nothing more is done
        self._closed = False  # Stop: what is done is final, nothing more is taken
        self._stop = CancelToken()
        self._thread = threading.Thread(target=self._run, name="scribe-full-pass", daemon=True)
        self._thread.start()
        _RUNNING.add(self)

    @property
    def segments(self) -> list[Segment]:
        with self._lock:
            return list(self._segments)

    @property
    def covered_s(self) -> float:
        with self._lock:
            return self._covered_s

    @property
    def failed(self) -> bool:
        return self._failed

    def submit(self, audio: np.ndarray, start_s: float, segment: Segment | None = None) -> None:
        """Queue ``audio`` (from recording time ``start_s``) for a full pass, or with ``segment``
        only the clinical-term pass over that committed segment (``revised`` gets the result)."""
        if not (self._failed or self._closed):
            self._busy.set()
            self._queue.put((np.asarray(audio, dtype=np.float32).copy(), start_s, segment))

    @property
    def revised(self) -> list[tuple[Segment, Segment]]:
        """(committed segment, the same after the term pass) for each segment that changed."""
        with self._lock:
            return list(self._revised)

    def pending(self) -> int:
        return self._queue.qsize() + (1 if self._busy.is_set() else 0)

    def finish(self, wait_s: float, cancel: CancelToken = NEVER) -> list[Segment]:
        """Stop taking chunks; wait up to ``wait_s`` for those queued; the segments done."""
        deadline = time.monotonic() + wait_s
        while self.pending() and time.monotonic() < deadline:
            cancel.check()
            time.sleep(0.02)
        self.close()
        return self.segments

    def close(self) -> None:
        """Drop the chunks not started; the one in flight ends on its own and is not used."""
        self._closed = True
        self._stop.cancel()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._queue.put(None)

    def _run(self) -> None:
        _lower_priority()
        transcriber = Transcriber(self.options)
        while True:
            item = self._queue.get()
            if item is None:
                self._busy.clear()
                return
            audio, start_s, segment = item
            if segment is not None:
                self._check_terms(transcriber, segment, audio, start_s)
                continue
            try:
                with self._lock:
                    first = len(self._segments)
                done = list(transcriber.segments(audio, self._stop, offset=start_s,
                                                 first_index=first))
            except Cancelled:
                self._busy.clear()
                return
            except ScribeError as e:  # the model failed: the live text stands
                log.warning("full pass stopped: %s", type(e).__name__)
                self._failed = True
                self._busy.clear()
                return
            with self._lock:
                if not self._closed:
                    self._segments.extend(done)
                    self._covered_s = start_s + len(audio) / SAMPLE_RATE
            if self._queue.empty():
                self._busy.clear()


    def _check_terms(self, transcriber: Transcriber, segment: Segment, audio: np.ndarray,
                     start_s: float) -> None:
        try:
            terms = transcriber.term_pass()
            new = terms.segment(segment, audio, start_s) if terms is not None else segment
        except ScribeError as e:
            log.warning("term pass stopped: %s", type(e).__name__)
            self._failed = True
            new = segment
        with self._lock:
            if new is not segment and new.words != segment.words and not self._closed:
                self._revised.append((segment, new))
        if self._queue.empty():
            self._busy.clear()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


@atexit.register
def _close_all() -> None:
    for p in list(_RUNNING):
        p.close()
    for p in list(_RUNNING):
        p.join(30.0)


def _lower_priority() -> None:
    """Run this thread (and the threads it starts: CTranslate2's workers) at a lower priority."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except (AttributeError, OSError):  # not Linux, or not allowed: the pass runs at normal priority
        pass

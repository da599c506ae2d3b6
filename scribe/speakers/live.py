"""Speaker labels while a visit records (issue 6): the live transcript shows who is speaking.

The voice model and the rules are those of :mod:`scribe.speakers.labels`, which labels the whole
recording at Stop (those final labels may refine what was shown live). Live, as committed words arrive:

- voice embeddings are computed once for each new voiced 1.6 s window (every 0.25 s), from a ring
  of the last ``RING_S`` seconds of audio, so memory stays flat however long the visit is;
- the voices are fitted again after every ``REFIT_WINDOWS`` new windows (10 s of speech; 2.5 s
  while they cannot yet be told apart), from at
  most ``MAX_FIT_WINDOWS`` windows spread over the visit, and then every committed word is labelled
  again (roles can change early in a visit, when the "who asks the questions" rule has little to
  go on); between fits only the new words are labelled, continuing the previous speaker path;
- the same "cannot tell who is who" rule applies: without an enrolment, too little speech or two
  voices too alike leave the words unlabelled rather than guessed.

Not done live: the short-phrase embeddings and the centroid refinement of the final pass. At
Stop, :meth:`LiveSpeakers.labelling` hands what was shown, with how sure it was, to that pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from scribe.domain import Segment, Transcript
from scribe.speakers.certainty import Labelling, unlabelled
from scribe.speakers.embeddings import (
    HOP_FRAMES,
    SAMPLE_RATE,
    WINDOW_FRAMES,
    embed_windows,
    loudness_gain,
    unit,
    voice_encoder,
    voiced_window_starts,
)
from scribe.speakers.labels import margins_of, regroup
from scribe.speakers.voices import (
    MIN_WINDOWS_FOR_TWO,
    assign_roles,
    fit_voices,
    smooth_path,
    word_scores,
)

if TYPE_CHECKING:
    from models.speaker_encoder import VoiceEncoder

__all__ = ["LIVE_THREADS", "LiveSpeakers", "Turn", "live_encoder", "turns"]


RING_S = 30.0  # audio kept for embedding windows (the live transcriber commits within ~15 s)
REFIT_WINDOWS = 40  # fit the voices again after this many new voiced windows (10 s of speech)
MAX_FIT_WINDOWS = 1200  # a fit uses at most this many windows, evenly spread (cost stays flat)
CONTEXT_WORDS = 30  # labelled words before the new ones that the Viterbi pass continues from
# The encoder's threads live: it embeds a few windows at a time, where a thread pool costs more
# than it gives (measured: 1.46 CPU-s per minute of audio on one thread, 3.05 on two), and the live
# transcriber needs the other core.
LIVE_THREADS = 1
_HOP_SAMPLES = HOP_FRAMES * 160  # the window grid in samples (ring cuts stay on it), 0.25 s


def live_encoder(models_root: Path | None = None) -> VoiceEncoder:
    """The voice encoder :class:`LiveSpeakers` uses (on LIVE_THREADS threads), loaded once.

    ``models_root`` as for :func:`scribe.speakers.embeddings.voice_encoder`. Raises
    ModelUnavailableError when it cannot be loaded.
    """
    return voice_encoder(models_root, threads=LIVE_THREADS)


@dataclass(frozen=True)
class Turn:
    """Consecutive live segments of one speaker, as the record view shows them."""

    speaker: str | None
    text: str


def turns(segments: list[Segment]) -> list[Turn]:
    """Join consecutive segments of the same speaker into turns."""
    out: list[Turn] = []
    for seg in segments:
        text = seg.text.strip()
        if not text:
            continue
        if out and out[-1].speaker == seg.speaker:
            out[-1] = Turn(seg.speaker, f"{out[-1].text} {text}")
        else:
            out.append(Turn(seg.speaker, text))
    return out


class LiveSpeakers:
    """Labels the live transcript's committed segments as they arrive.

    Feed every recorded sample with :meth:`add_audio` (16 kHz mono float32, in order) and each
    batch of newly committed segments with :meth:`add_segments`; :attr:`segments` is the committed
    transcript so far, each word and segment carrying a speaker (or None while it cannot be told),
    split where the speaker changes. Runs on the live worker's thread.

    Args:
        enrolment: the clinician's voice print (:func:`scribe.speakers.embeddings.enrol`), if any.
        models_root: the model store of the voice encoder (see :func:`live_encoder`).

    Raises:
        ModelUnavailableError: the voice encoder cannot be loaded (it is loaded here, once per
            process, so a labeller that was made can label).
    """

    def __init__(
        self, enrolment: np.ndarray | None = None, models_root: Path | None = None
    ) -> None:
        self._encoder = live_encoder(models_root)
        self._enrol = None if enrolment is None else unit(np.asarray(enrolment, np.float32))
        self._ring = np.zeros(0, np.float32)
        self._ring_start = 0  # absolute sample of ring[0], always on the window grid
        self._mel = np.zeros((0, 40), np.float32)  # mel frames of the ring (unnormalised power)
        self._next_frame = 0  # absolute mel frame of the next window start to look at
        self._embs = np.zeros((0, 256), np.float32)
        self._centres = np.zeros(0)
        self._fitted_at = -1  # number of windows at the last fit (-1: never)
        self._cents: np.ndarray | None = None
        self._roles: dict[int, str] = {}
        self._segments: list[Segment] = []  # as committed, unlabelled
        self._units: list[tuple[float, float, str]] = []  # every committed word
        self._labels: list[int] = []  # cluster of each word (-1: unlabelled)

    # ---- input ------------------------------------------------------------------------------
    def add_audio(self, audio: np.ndarray) -> None:
        self._ring = np.concatenate([self._ring, np.asarray(audio, np.float32).reshape(-1)])
        self._extend_mel()
        excess = len(self._ring) - int(RING_S * SAMPLE_RATE)
        if excess > 0:
            cut = excess - excess % _HOP_SAMPLES + _HOP_SAMPLES
            if self._next_frame < (self._ring_start + cut) // 160 + WINDOW_FRAMES:
                self._embed_new()  # before the oldest audio goes (a worker that fell behind)
            self._ring = self._ring[cut:].copy()
            self._mel = self._mel[cut // 160 :]
            self._ring_start += cut

    def add_segments(self, segments: list[Segment]) -> None:
        """Take newly committed segments and label them (all of them again after a refit)."""
        self._embed_new()
        # One unit per word, or per segment when it has no word timings (as the final pass does).
        new_units = [
            u
            for seg in segments
            for u in (
                [(w.start, w.end, w.word) for w in seg.words] or [(seg.start, seg.end, seg.text)]
            )
        ]
        self._segments.extend(segments)
        self._units.extend(new_units)
        # Until the voices can be told apart, try again after every 2.5 s of new speech.
        due = REFIT_WINDOWS if self._cents is not None else REFIT_WINDOWS // 4
        if self._fitted_at < 0 or len(self._embs) - self._fitted_at >= due:
            self._fit()
            self._label(0)
        else:
            self._label(len(self._units) - len(new_units))

    # ---- output -----------------------------------------------------------------------------
    @property
    def segments(self) -> list[Segment]:
        """Committed segments so far, labelled and split where the speaker changes."""
        names = [self._roles.get(lab) for lab in self._labels]
        per_seg: list[list[str | None]] = []
        at = 0
        for seg in self._segments:
            n = max(1, len(seg.words))
            per_seg.append(names[at : at + n])
            at += n
        return list(regroup(tuple(self._segments), per_seg))

    def transcript(self) -> Transcript:
        return Transcript(tuple(self.segments))

    def labelling(self) -> Labelling:
        """The labels shown now, each word's voice with its margin (how sure; see
        :mod:`scribe.speakers.certainty`), for the final pass at Stop to keep or overrule."""
        spans = [(s, e) for s, e, _ in self._units]
        if self._cents is None or not self._labels or max(self._labels) < 0:
            return unlabelled(spans)
        margins = margins_of(self._scores(self._units), self._labels)
        labels = tuple(self._labels)
        return Labelling(tuple(spans), labels,
                         tuple(float(m) if v >= 0 else 0.0 for m, v in zip(margins, labels)),
                         dict(self._roles))

    @property
    def ring_s(self) -> float:
        """Seconds of audio held (≤ RING_S + 0.25 s)."""
        return len(self._ring) / SAMPLE_RATE

    # ---- work -------------------------------------------------------------------------------
    def _extend_mel(self) -> None:
        """Add the mel frames whose samples have all arrived (each frame is computed once)."""
        from scribe.speakers.mel import mel_frames

        ready = (len(self._ring) - 200) // 160 + 1 if len(self._ring) >= 200 else 0
        if ready > len(self._mel):
            more = mel_frames(self._ring, len(self._mel), ready - len(self._mel))
            self._mel = np.concatenate([self._mel, more])

    def _embed_new(self) -> None:
        """Embeddings of the voiced windows that now lie wholly inside the ring."""
        mel = self._mel
        first = self._ring_start // 160  # absolute frame of mel[0]
        starts = np.arange(self._next_frame, first + len(mel) - WINDOW_FRAMES + 1, HOP_FRAMES)
        if len(starts) == 0 or len(mel) < WINDOW_FRAMES:
            return
        self._next_frame = int(starts[-1]) + HOP_FRAMES
        rel = voiced_window_starts(mel, starts[starts >= first] - first)
        if len(rel) == 0:
            return
        # The mel is power: raising the audio by g (as the final pass does) scales it by g².
        lo = int(rel[0])
        part = mel[lo : int(rel[-1]) + WINDOW_FRAMES] * np.float32(loudness_gain(self._ring) ** 2)
        # Small batches: per window they cost what 64 do, and the encoder's memory stays small
        # (a 100-window catch-up batch grew the process by 37 MB for good).
        embs = embed_windows(part, rel - lo, self._encoder, batch_size=16)
        self._embs = np.concatenate([self._embs, embs])
        self._centres = np.concatenate([self._centres, (rel + first + WINDOW_FRAMES / 2) / 100.0])

    def _fit(self) -> None:
        """The voices' centroids and roles from the windows so far (None when unsure)."""
        self._fitted_at = len(self._embs)
        embs = self._embs
        if len(embs) > MAX_FIT_WINDOWS:
            embs = embs[np.linspace(0, len(embs) - 1, MAX_FIT_WINDOWS).astype(int)]
        self._cents, self._roles = None, {}
        if len(embs) < MIN_WINDOWS_FOR_TWO:
            return  # too little speech yet (the final pass applies the same rule)
        voices = fit_voices(embs, self._enrol)
        self._cents = None if voices is None else voices[0]

    def _scores(self, units: list[tuple[float, float, str]]) -> np.ndarray:
        assert self._cents is not None
        mids = np.array([(s + e) / 2 for s, e, _ in units])
        return word_scores(self._embs, self._centres, self._cents, mids)

    def _label(self, first_new: int) -> None:
        """Label words ``first_new..``, continuing the speaker path of the words before them."""
        units = self._units
        self._labels = self._labels[:first_new]
        if self._cents is None or len(units) == first_new:
            self._labels += [-1] * (len(units) - first_new)
            return
        start = max(0, first_new - CONTEXT_WORDS) if first_new else 0
        part = units[start:]
        gaps = np.array(
            [0.0] + [max(0.0, part[i][0] - part[i - 1][1]) for i in range(1, len(part))]
        )
        path = [int(x) for x in smooth_path(self._scores(part), gaps)]
        self._labels += path[first_new - start :]
        if first_new == 0 or not self._roles:
            self._roles = assign_roles(
                self._cents, self._enrol, self._labels, [(s, t) for s, _, t in units]
            )

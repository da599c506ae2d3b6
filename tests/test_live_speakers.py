"""Speaker labels while recording (issue 6): the live transcript shows who is speaking."""

from __future__ import annotations

import numpy as np

from bench._speaker_clips import build_visit, replay_live, say
from scribe.domain import Segment, Speaker, Word
from scribe.speakers import ENROLMENT_PARAGRAPH, LiveSpeakers, enrol, turns
from scribe.speakers.live import RING_S
from tests.two_voices import SCRIPT, VOICES, needs_espeak, needs_weights

pytestmark = needs_weights


def _accuracy(labels, words, visit) -> float:
    return float(np.mean([lab == visit.speaker_at((w.start + w.end) / 2)
                          for lab, w in zip(labels, words)]))


@needs_espeak
def test_words_get_speakers_while_the_visit_is_still_recording(speaker_visit, speaker_transcript):
    shown, final = replay_live(speaker_visit.audio, speaker_transcript)
    words = [w for s in speaker_transcript.segments for w in s.words]
    assert len(shown) == len(words)
    # Labels appear within the visit, not only at Stop: most words are labelled when first shown.
    assert sum(lab is not None for lab in shown) >= 0.6 * len(words)
    live_words = [w for s in final.segments for w in s.words]
    assert _accuracy([w.speaker for w in live_words], words, speaker_visit) >= 0.9
    # The doctor asks the questions: the first turn is the clinician's.
    assert final.segments[0].speaker == Speaker.CLINICIAN.value
    assert all(w.speaker == s.speaker for s in final.segments for w in s.words)


@needs_espeak
def test_enrolment_names_the_clinician_live(speaker_visit, speaker_transcript, tmp_path):
    # Enrol the *patient's* voice: the live labels must follow the enrolled voice, not the
    # questions, so every label comes out swapped.
    swap = {Speaker.CLINICIAN.value: Speaker.PATIENT.value,
            Speaker.PATIENT.value: Speaker.CLINICIAN.value}
    print_ = enrol(say(ENROLMENT_PARAGRAPH, VOICES["patient"], tmp_path))
    words = [w for s in speaker_transcript.segments for w in s.words]
    shown, final = replay_live(speaker_visit.audio, speaker_transcript, enrolment=print_)
    live_words = [w for s in final.segments for w in s.words]
    assert _accuracy([swap.get(w.speaker) for w in live_words], words, speaker_visit) >= 0.9
    labelled = [(swap[lab], w) for lab, w in zip(shown, words) if lab is not None]
    assert len(labelled) >= 0.6 * len(words)
    assert _accuracy([lab for lab, _ in labelled], [w for _, w in labelled], speaker_visit) >= 0.85


@needs_espeak
def test_voices_too_alike_stay_unlabelled_live_as_at_stop(tmp_path):
    from scribe.speech.live import group_words

    alike = {"clinician": "en-us", "patient": "en-gb+f3"}  # tests/data/visit_short.wav's pair
    v = build_visit(SCRIPT, alike, tmp_path)
    live = LiveSpeakers()
    live.add_audio(v.audio)
    words = [Word(s, e, f" w{i}") for i, (s, e, _) in enumerate(v.spans)]
    live.add_segments(group_words(words))
    assert [s.speaker for s in live.segments] == [None] * len(live.segments)


def test_memory_stays_flat_over_a_long_visit():
    live = LiveSpeakers()
    rng = np.random.default_rng(0)
    for _ in range(90):  # 90 s, fed a second at a time
        live.add_audio(rng.standard_normal(16000).astype(np.float32) * 0.01)
        assert live.ring_s <= RING_S + 0.25


def test_turns_join_a_speakers_consecutive_segments():
    segs = [
        Segment(0, 0, 1, "Hello.", speaker="clinician"),
        Segment(1, 1, 2, "How are you?", speaker="clinician"),
        Segment(2, 2, 3, "Fine.", speaker="patient"),
        Segment(3, 3, 4, "Thanks.", speaker=None),
    ]
    assert [(t.speaker, t.text) for t in turns(segs)] == [
        ("clinician", "Hello. How are you?"),
        ("patient", "Fine."),
        (None, "Thanks."),
    ]


@needs_espeak
def test_a_worker_that_fell_behind_still_gets_the_labels_right(speaker_visit, speaker_transcript):
    """The whole visit arrives in one block (a loaded CPU): audio older than the ring is embedded
    before it is dropped, so the first words are labelled from their own voice."""
    from scribe.speech.live import group_words

    live = LiveSpeakers()
    live.add_audio(np.concatenate([speaker_visit.audio, np.zeros(16000 * 20, np.float32)]))
    words = [w for s in speaker_transcript.segments for w in s.words]
    live.add_segments(group_words(words))
    labelled = [w for s in live.segments for w in s.words]
    assert _accuracy([w.speaker for w in labelled], words, speaker_visit) >= 0.9
    assert live.ring_s <= RING_S + 0.25

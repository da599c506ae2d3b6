"""Speaker labels on a real two-voice espeak-ng visit, transcribed by the real tiny.en model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench._speaker_clips import Turn, Visit, build_visit, say
from scribe.domain import Segment, Speaker, Transcript, Word
from scribe.speakers import (
    ENROLMENT_PARAGRAPH,
    enrol,
    format_line,
    label_transcript,
    set_segment_speaker,
    swap_labels,
)
from tests.two_voices import SCRIPT, VOICES, needs_espeak, needs_weights

pytestmark = needs_weights


@pytest.fixture
def visit(speaker_visit: Visit) -> Visit:
    return speaker_visit


@pytest.fixture
def transcript(speaker_transcript: Transcript) -> Transcript:
    return speaker_transcript


def word_accuracy(labelled: Transcript, visit: Visit) -> float:
    words = [w for s in labelled.segments for w in s.words]
    right = sum(w.speaker == visit.speaker_at((w.start + w.end) / 2) for w in words)
    return right / len(words)


@needs_espeak
def test_words_are_labelled_with_the_right_speaker(visit, transcript):
    labelled = label_transcript(visit.audio, transcript)
    assert word_accuracy(labelled, visit) >= 0.95
    # Without enrolment the clinician is the one who asks more questions: the doctor here.
    assert labelled.segments[0].speaker == Speaker.CLINICIAN.value
    assert [s.index for s in labelled.segments] == list(range(len(labelled.segments)))
    assert all(w.speaker == s.speaker for s in labelled.segments for w in s.words)


@needs_espeak
def test_enrolment_decides_who_is_the_clinician(visit, transcript, tmp_path):
    # Enrol the *patient's* voice: the labels must follow the enrolled voice, not the questions.
    sample = say(ENROLMENT_PARAGRAPH, VOICES["patient"], tmp_path)
    assert 15 < len(sample) / 16000 < 45
    labelled = label_transcript(visit.audio, transcript, enrolment=enrol(sample))
    assert word_accuracy(swap_labels(labelled), visit) >= 0.95


@needs_espeak
def test_segments_are_split_where_the_speaker_changes(visit, transcript):
    words = tuple(w for s in transcript.segments for w in s.words)
    one = Transcript(
        (Segment(0, words[0].start, words[-1].end, "everything", words=words),),
        duration=visit.duration,
    )
    labelled = label_transcript(visit.audio, one)
    speakers = [s.speaker for s in labelled.segments]
    assert len(labelled.segments) >= len(SCRIPT)
    assert all(a != b for a, b in zip(speakers, speakers[1:]))
    assert [s.index for s in labelled.segments] == list(range(len(labelled.segments)))
    assert "penicillin" in " ".join(s.text.lower() for s in labelled.segments)
    assert sum(len(s.words) for s in labelled.segments) == len(words)


@needs_espeak
def test_a_clearly_different_third_voice_is_labelled_other(tmp_path):
    turns = list(SCRIPT)
    turns.insert(4, Turn("other", "He has also been very tired and he is not eating much."))
    turns.insert(7, Turn("other", "Should we worry about his heart, doctor? His father had it."))
    turns.append(Turn("other", "Thank you, we will call if he gets worse over the weekend."))
    visit = build_visit(turns, {**VOICES, "other": "en-us+michel"}, tmp_path)
    # One segment per turn at its true time, no words: labels come from whole segments.
    segs = tuple(
        Segment(i, a, b, t.text) for i, ((a, b, _), t) in enumerate(zip(visit.spans, turns))
    )
    labelled = label_transcript(visit.audio, Transcript(segs, duration=visit.duration))
    assert [s.speaker for s in labelled.segments] == [t.speaker for t in turns]


def test_enrolment_refuses_a_sample_without_speech():
    from scribe.errors import ScribeError

    with pytest.raises(ScribeError, match="too little speech"):
        enrol(np.zeros(16000 * 20, np.float32))


def _tiny() -> Transcript:
    w = (Word(0.0, 0.5, " Hello", "clinician"), Word(0.5, 1.0, " there", "clinician"))
    return Transcript(
        (
            Segment(0, 0.0, 1.0, "Hello there", "clinician", w),
            Segment(1, 65.2, 67.0, "Hi doctor", "patient"),
            Segment(2, 70.0, 71.0, "I'm his wife", "other"),
            Segment(3, 3671.0, 3672.0, "Bye"),
        )
    )


def test_swap_exchanges_clinician_and_patient_only():
    swapped = swap_labels(_tiny())
    assert [s.speaker for s in swapped.segments] == ["patient", "clinician", "other", None]
    assert {w.speaker for w in swapped.segments[0].words} == {"patient"}
    assert swap_labels(swapped) == _tiny()


def test_set_segment_speaker_changes_one_segment_and_its_words():
    fixed = set_segment_speaker(_tiny(), 0, Speaker.PATIENT)
    assert fixed.segments[0].speaker == "patient"
    assert {w.speaker for w in fixed.segments[0].words} == {"patient"}
    assert fixed.segments[1:] == _tiny().segments[1:]
    with pytest.raises(ValueError):
        set_segment_speaker(_tiny(), 0, "nurse")


def test_format_line():
    lines = [format_line(s) for s in _tiny().segments]
    assert lines == [
        "[00:00] CLINICIAN: Hello there",
        "[01:05] PATIENT: Hi doctor",
        "[01:10] OTHER: I'm his wife",
        "[61:11] Bye",
    ]


@pytest.mark.slow  # importing librosa (numba) takes seconds
def test_mel_front_end_matches_librosa():
    audio = pytest.importorskip("resemblyzer.audio")
    from scribe.speakers.mel import mel_spectrogram

    rng = np.random.default_rng(0)
    wav = (rng.standard_normal(16000 * 3) * 0.1).astype(np.float32)
    ref = audio.wav_to_mel_spectrogram(wav)
    assert mel_spectrogram(wav).shape == ref.shape
    assert np.abs(mel_spectrogram(wav) - ref).max() <= 1e-4 * ref.max()


def test_numpy_encoder_matches_torch_resemblyzer():
    torch = pytest.importorskip("torch")
    resemblyzer = pytest.importorskip("resemblyzer")
    from models.speaker_encoder import VoiceEncoder

    rng = np.random.default_rng(1)
    mels = rng.random((3, 160, 40), dtype=np.float32)
    ref = resemblyzer.VoiceEncoder("cpu", verbose=False)
    with torch.no_grad():
        expected = ref(torch.from_numpy(mels)).numpy()
    for backend in ("onnx", "numpy"):
        got = VoiceEncoder(backend=backend).embed_mels(mels)
        assert np.all((got * expected).sum(axis=1) > 0.9999), backend


def test_live_path_imports_neither_torch_nor_librosa(tmp_path: Path):
    import subprocess
    import sys

    code = (
        "import sys, pathlib, numpy as np;"
        "from scribe.speakers.embeddings import voice_encoder, window_embeddings;"
        "root = pathlib.Path(sys.argv[1]);"
        "window_embeddings(np.random.default_rng(0).standard_normal(48000).astype('float32'),"
        " models_root=root);"
        "print(voice_encoder(root).backend, 'torch' in sys.modules, 'librosa' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["onnx", "False", "False"]


def test_the_encoder_keeps_its_weights_only_in_a_given_models_folder(tmp_path: Path):
    from models.cache import loaded
    from models.speaker_encoder import MODEL_ID
    from scribe.speakers.embeddings import voice_encoder

    mels = np.random.default_rng(2).random((2, 160, 40), dtype=np.float32)
    in_memory = voice_encoder()  # the wheel's weights, nothing written
    stored = voice_encoder(tmp_path)
    assert (in_memory.backend, stored.backend) == ("onnx", "onnx")
    assert {p.name for p in (tmp_path / MODEL_ID).iterdir()} == {
        "encoder.npz", "speaker_encoder.onnx", "speaker_encoder.weights"
    }
    assert np.all((in_memory.embed_mels(mels) * stored.embed_mels(mels)).sum(axis=1) > 0.9999)
    # One cache of loaded models: asked again, the same encoder; a thread count is its own entry.
    assert voice_encoder(tmp_path) is stored
    assert voice_encoder(tmp_path, threads=1) is not stored
    assert (tmp_path, 1) in loaded("voice")


def test_weights_are_converted_without_torch(tmp_path: Path):
    pytest.importorskip("resemblyzer")
    from models.speaker_encoder import read_legacy_torch_file, wheel_weights_path

    state = read_legacy_torch_file(wheel_weights_path())["model_state"]
    assert state["lstm.weight_ih_l0"].shape == (1024, 40)
    assert state["linear.weight"].shape == (256, 256)


def test_a_short_single_voice_clip_is_not_split_into_two_speakers(models_root: Path):
    """A few seconds of one voice is too little to tell who speaks: not split, not guessed."""
    from scribe.audio.files import load_audio
    from scribe.speech.transcriber import TranscribeOptions, Transcriber

    audio = load_audio(Path(__file__).parent / "data" / "hello.wav")
    opts = TranscribeOptions(model="tiny.en", models_root=models_root)
    transcript = Transcriber(opts).transcribe(audio)
    labelled = label_transcript(audio, transcript, models_root=models_root)
    assert len(labelled.segments) == len(transcript.segments)
    assert {w.speaker for s in labelled.segments for w in s.words} == {None}

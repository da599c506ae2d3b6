"""Clinical vocabulary: short and relevant hotwords, and no vocabulary written into silence or noise."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest

from scribe.audio.files import SAMPLE_RATE, load_audio
from scribe.nlp import clinical_terms, drug_names, drugs_mentioned
from scribe.speech.live import LiveTranscriber
from scribe.speech.transcriber import TranscribeOptions, resolve_model_path
from scribe.speech.vocabulary import (
    MAX_HOTWORDS_CHARS,
    hotwords_for,
    is_inserted,
    load_user_words,
    save_user_words,
)
from tests.conftest import DATA


def test_drug_lexicon_is_read_offline_and_knows_common_drugs():
    names = drug_names()
    assert len(names) > 1000
    assert {"lisinopril", "metformin", "penicillin", "xarelto"} <= names


def test_committed_drug_names_are_in_the_lexicon():
    text = (DATA.parent.parent / "scribe" / "nlp" / "clinical_terms.txt").read_text()
    drugs = text.split("# Common clinical terms")[0]
    listed = [ln.strip() for ln in drugs.splitlines() if ln.strip() and not ln.startswith("#")]
    assert listed and all(d in drug_names() for d in listed)


def test_hotwords_put_the_clinicians_words_first_and_stay_short(models_root):
    assert hotwords_for(None) == ""  # nothing relevant yet: no biasing at all
    hot = hotwords_for(None, ["Dr. Okafor", "Xarelto", "xarelto"], common=True)
    assert hot.startswith("Dr. Okafor Xarelto ")
    assert hot.lower().count("xarelto") == 1
    assert len(hot) <= MAX_HOTWORDS_CHARS
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(resolve_model_path("base", models_root) / "tokenizer.json"))
    assert len(tok.encode(" " + hot).ids) < 120  # faster-whisper cuts hotwords at 223 tokens


def test_drugs_heard_so_far_come_before_the_common_list():
    heard = "She takes lisinopril and also Eliquis every morning; cloves help, she says."
    assert drugs_mentioned(heard) == ["lisinopril", "eliquis"]  # "cloves": an everyday word
    assert hotwords_for(heard, ["Okafor"]) == "Okafor lisinopril eliquis"
    # No fuzzy look-alikes: ordinary words never become drug-like hotwords.
    assert (
        hotwords_for("Prepare to breathe normally; her hypertension is better.") == "hypertension"
    )
    hot = hotwords_for(heard, ["Okafor"], common=True).split()
    assert hot[:3] == ["Okafor", "lisinopril", "eliquis"]
    assert hot.count("lisinopril") == 1
    assert clinical_terms()[1] in hot  # the common list fills the rest


def test_user_words_round_trip_in_the_data_folder(workspace, scribe_home):
    assert workspace.user_words() == []
    path = save_user_words(["Okafor", " ", "Xarelto"], workspace.vocabulary_path)
    assert path.parent == scribe_home
    assert load_user_words(path) == ["Okafor", "Xarelto"] == workspace.user_words()
    assert workspace.engines().hotwords == "Okafor Xarelto"


HOT = hotwords_for(None, ["Xarelto"], common=True)


@pytest.mark.parametrize(
    ("text", "no_speech", "logprob", "inserted"),
    [
        (" furosemide", 0.5, -1.48, True),  # seen in noise with VAD off (base, tiny.en)
        (" evo de un enrompiozide levothyroxine omeprazole albuterol", 0.15, -1.1, True),  # echo
        (" Metformin.", 0.05, -0.2, False),  # a confident one-word answer
        (" She takes metformin and lisinopril.", 0.05, -0.4, False),
        (" Thank you.", 0.7, -1.2, True),  # Whisper's own silence rule
    ],
)
def test_insertion_guard(text, no_speech, logprob, inserted):
    seg = SimpleNamespace(text=text, no_speech_prob=no_speech, avg_logprob=logprob)
    assert is_inserted(seg, HOT) is inserted


def _gappy_audio() -> tuple[np.ndarray, tuple[float, float]]:
    """Silence, hiss, a spoken sentence, silence, mains hum with hiss, louder hiss, silence."""
    rng = np.random.default_rng(0)

    def noise(seconds: float, level: float) -> np.ndarray:
        return (rng.standard_normal(int(seconds * SAMPLE_RATE)) * level).astype(np.float32)

    hum_t = np.arange(4 * SAMPLE_RATE) / SAMPLE_RATE
    hum = (0.05 * np.sin(2 * np.pi * 60 * hum_t)).astype(np.float32) + noise(4, 0.01)
    silence = np.zeros(3 * SAMPLE_RATE, dtype=np.float32)
    speech = load_audio(DATA / "hello.wav")  # "The patient reports a headache since yesterday."
    before = np.concatenate([silence, noise(4, 0.02)])
    audio = np.concatenate([before, speech, silence, hum, noise(3, 0.05), silence])
    start = len(before) / SAMPLE_RATE
    return audio, (start, start + len(speech) / SAMPLE_RATE)


def test_biasing_writes_no_vocabulary_into_silence_or_noise(models_root):
    audio, (speech_start, speech_end) = _gappy_audio()
    hot = hotwords_for(None, ["Xarelto", "Okafor"], common=True)  # the longest list we offer
    tiny = TranscribeOptions(model="tiny.en", hotwords=hot, models_root=models_root)
    live = LiveTranscriber(tiny, min_chunk_s=2.0)
    block = SAMPLE_RATE // 2
    for at in range(0, len(audio), block):
        live.feed(audio[at : at + block])
    final = live.finish()
    vocab = set(re.findall(r"[a-z]+", hot.lower()))
    spoken = {"the", "patient", "reports", "a", "headache", "since", "yesterday"}
    words = re.findall(r"[a-z]+", final.text.lower())
    assert not (set(words) & vocab) - spoken, f"inserted vocabulary: {set(words) & vocab}"
    assert "yesterday" in words
    for seg in final.segments:  # nothing placed in the gaps
        assert seg.start >= speech_start - 0.5 and seg.end <= speech_end + 0.5


def test_guard_drops_what_biasing_inserts_when_vad_is_off(models_root):
    """Without VAD, tiny.en with hotwords writes a drug name into the noise; the guard drops it."""
    from scribe.speech.transcriber import load_model

    audio, (speech_start, speech_end) = _gappy_audio()
    hot = hotwords_for(None, ["Xarelto", "Dr. Okafor"], common=True)
    segments, _ = load_model("tiny.en", models_root=models_root).transcribe(
        audio,
        language="en",
        vad_filter=False,
        word_timestamps=True,
        hotwords=hot,
        temperature=0.0,  # no sampling fallback: the same output every run
        condition_on_previous_text=False,
    )
    segments = list(segments)
    outside = [s for s in segments if s.start >= speech_end + 0.5]
    assert outside, "expected Whisper to hallucinate in the noise without VAD"
    assert all(is_inserted(s, hot) for s in outside)
    kept = [s for s in segments if not is_inserted(s, hot)]
    assert any("yesterday" in s.text.lower() for s in kept)


def test_file_transcription_with_vocabulary_inserts_nothing_into_the_gaps(models_root):
    from scribe.speech.transcriber import Transcriber

    audio, (speech_start, speech_end) = _gappy_audio()
    hot = hotwords_for(None, ["Xarelto", "Okafor"], common=True)
    tiny = TranscribeOptions(model="tiny.en", hotwords=hot, models_root=models_root)
    transcript = Transcriber(tiny).transcribe(audio)
    assert transcript.segments
    for seg in transcript.segments:
        assert seg.start >= speech_start - 0.5 and seg.end <= speech_end + 1.0, seg.index

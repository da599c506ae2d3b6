"""Bad audio input gets one clear sentence and no half-made visit."""

from __future__ import annotations

import pytest

from scribe.audio.files import load_audio
from scribe.errors import AudioFileError
from scribe.visit.engines import Engines
from scribe.visit.pipeline import note_from_file
from scribe.visit.workspace import Workspace


def _bad_files(tmp_path, clip):
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.mp3"
    text.write_text("this is a text file pretending to be audio\n" * 50)
    good = clip("hello.wav").read_bytes()
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(good[: len(good) // 2])
    return {"empty": empty, "non-audio": text, "truncated": truncated}


@pytest.mark.parametrize(
    ("kind", "message"),
    [("empty", "is empty"), ("non-audio", "could not be read as audio"), ("truncated", "truncated")],
)
def test_bad_audio_gives_clear_error(tmp_path, clip, kind, message):
    path = _bad_files(tmp_path, clip)[kind]
    with pytest.raises(AudioFileError, match=message) as exc:
        load_audio(path)
    assert "Traceback" not in str(exc.value) and str(exc.value).endswith(".")


@pytest.mark.parametrize("kind", ["empty", "non-audio", "truncated"])
def test_bad_import_leaves_no_visit_and_no_file(tmp_path, clip, kind, models_root):
    path = _bad_files(tmp_path, clip)[kind]
    ws = Workspace.unencrypted(tmp_path / "home")
    with pytest.raises(AudioFileError):
        note_from_file(ws, path, Engines(model="tiny.en", models_root=models_root))
    assert ws.store.list(include_discarded=True) == []
    assert list(ws.store.audio_dir.iterdir()) == []
    ws.close()


def test_good_clip_decodes_to_16k_mono(clip):
    audio = load_audio(clip("hello.wav"))
    assert audio.ndim == 1 and 2.5 < audio.shape[0] / 16000 < 6


def _cut_in_half(tmp_path, clip, fmt: str):
    """visit_short.wav encoded as ``fmt`` at test time, then the file cut in half."""
    import soundfile as sf

    audio, rate = sf.read(clip("visit_short.wav"), dtype="float32")
    whole = tmp_path / f"whole.{fmt}"
    sf.write(whole, audio, rate, format=fmt.upper())
    data = whole.read_bytes()
    cut = tmp_path / f"visit.{fmt}"
    cut.write_bytes(data[: len(data) // 2])
    return whole, cut, len(audio) / rate


@pytest.mark.parametrize("fmt", ["flac", "mp3"])
def test_compressed_file_cut_in_half_is_rejected_with_its_true_length(tmp_path, clip, capsys, fmt):
    from scribe.audio.files import clock
    from scribe.cli import main

    whole, cut, seconds = _cut_in_half(tmp_path, clip, fmt)
    assert load_audio(whole).shape[0] / 16000 == pytest.approx(seconds, abs=0.1)  # whole is fine
    with pytest.raises(AudioFileError) as exc:
        load_audio(cut)
    message = str(exc.value)
    assert message.startswith(f"visit.{fmt} is cut short: it holds 0:")
    assert message.endswith(f" of the {clock(seconds)} it declares; copy it again from its source.")
    shown = int(message.split("holds 0:")[1][:2])
    assert seconds / 2 - 3 <= shown <= seconds / 2 + 3  # its true length, about half
    assert main(["note", str(cut), "--fast"]) == 1
    assert capsys.readouterr().err.strip() == f"scribe: {message}"
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"  # no visit left behind
    import os
    from pathlib import Path

    assert list((Path(os.environ["SCRIBE_HOME"]) / "audio").iterdir()) == []  # and no audio

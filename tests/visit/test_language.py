"""A visit's language (issue 13): chosen or detected, transcribed as spoken, drafted in English.

Most tests give the real Transcriber and pipeline a canned Whisper model (Spanish for the
``transcribe`` task, English for ``translate``), so they run in milliseconds; one runs the bundled
``base`` model on a Spanish clip (tests/data/visit_es.wav, espeak-ng, made by make_clips.sh).
"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import numpy as np
import pytest

from scribe.audio.files import load_audio
from scribe.cli import main
from scribe.domain import Segment, Status, Transcript, Word
from scribe.store.settings import Setting
from scribe.visit import language as visit_language
from scribe.visit.engines import Engines, language_code
from scribe.visit.language import carry_labels
from scribe.visit.live import finish_live
from scribe.visit.pipeline import note_from_file, transcribe_visit
from tests.conftest import DATA

CLIP = DATA / "visit_es.wav"
CLIP_INFO = json.loads((DATA / "clips.json").read_text(encoding="utf-8"))[CLIP.name]

SPANISH = [(0.2, 1.8, "Doctor, me duele la cabeza."), (2.2, 3.4, "Tomo ibuprofeno.")]
ENGLISH = [(0.2, 1.8, "Doctor, my head hurts."), (2.2, 3.4, "I take ibuprofen.")]


def _raw(start: float, end: float, text: str) -> SimpleNamespace:
    """A faster-whisper segment, its words spread evenly over it."""
    words = text.split()
    step = (end - start) / len(words)
    return SimpleNamespace(
        start=start, end=end, text=" " + text, no_speech_prob=0.01, avg_logprob=-0.2,
        compression_ratio=1.2,
        words=[SimpleNamespace(start=start + i * step, end=start + (i + 1) * step,
                               word=" " + w, probability=0.9) for i, w in enumerate(words)])


class CannedWhisper:
    """Whisper's interface: Spanish when asked to transcribe, English when asked to translate;
    every call's (language, task) is kept."""

    def __init__(self, detected: str = "es") -> None:
        self.detected = detected
        self.calls: list[tuple[str | None, str]] = []

    def transcribe(self, _audio, language=None, task="transcribe", **_kwargs):  # noqa: ANN001, ANN201
        self.calls.append((language, task))
        lines = ENGLISH if task == "translate" else SPANISH
        return iter([_raw(*line) for line in lines]), None

    def detect_language(self, _audio, **_kwargs):  # noqa: ANN201
        self.calls.append((None, "detect"))
        return self.detected, 0.9, []


@pytest.fixture
def whisper(monkeypatch):
    import scribe.speech.transcriber as transcriber

    model = CannedWhisper()
    monkeypatch.setattr(transcriber, "load_model", lambda *_a, **_k: model)
    monkeypatch.setattr(visit_language, "load_model", lambda *_a, **_k: model)
    return model


def _engines(**changes) -> Engines:  # noqa: ANN003
    return Engines(model="base", label_speakers=False).with_(**changes)


@pytest.mark.parametrize(("language", "translate", "task"), [
    ("en", True, "transcribe"),  # English is never translated
    ("es", True, "translate"),
    ("es", False, "transcribe"),
    (None, True, "translate"),  # detected, then translated unless it was English
    (None, False, "transcribe"),
])
def test_the_recogniser_is_given_the_language_and_task(language, translate, task):
    opts = _engines(language=language, translate=translate).transcribe_options()
    assert (opts.language, opts.task) == (language, task)


def test_the_english_only_fast_model_hands_another_language_to_base():
    spanish = Engines(model="tiny.en", language="es")
    assert spanish.transcribe_options().model == "base"
    assert "English only" in spanish.model_notice() and "Spanish" in spanish.model_notice()
    detected = Engines(model="tiny.en", language=None)
    assert detected.transcribe_options().model == "base" and detected.model_notice()
    english = Engines(model="tiny.en", language="en")
    assert english.transcribe_options().model == "tiny.en" and english.model_notice() is None


def test_a_visit_drafted_in_english_keeps_the_words_as_spoken(workspace, whisper):
    engines = workspace.engines(model="base", label_speakers=False, language="es",
                                translate=True)
    enc = note_from_file(workspace, CLIP, engines)
    assert whisper.calls == [("es", "transcribe"), ("es", "translate")]
    stored = workspace.store.get_transcript(enc.id)  # read back from the stored JSON
    assert stored.language == "es"
    assert [s.text for s in stored.segments] == [t for _s, _e, t in ENGLISH]
    assert [s.text for s in stored.original] == [t for _s, _e, t in SPANISH]
    assert workspace.store.get(enc.id).status is Status.IN_REVIEW
    assert "head" in workspace.store.get_note(enc.id).current.text.lower()  # from the English


def test_an_untranslated_visit_is_drafted_and_the_clinician_told(workspace, whisper):
    told: list[str] = []
    engines = workspace.engines(model="base", label_speakers=False, language="es",
                                translate=False).with_(on_notice=told.append)
    enc = note_from_file(workspace, CLIP, engines)
    assert whisper.calls == [("es", "transcribe")]
    stored = workspace.store.get_transcript(enc.id)
    assert stored.language == "es" and stored.original == ()
    assert "cabeza" in stored.text
    assert workspace.store.get(enc.id).status is Status.IN_REVIEW  # never a failure
    assert any("English only" in t and "Spanish" in t for t in told), told


def test_automatic_keeps_the_detected_language(whisper):
    whisper.detected = "fr"
    transcript = transcribe_visit(np.zeros(16000, np.float32), _engines(language=None))
    assert transcript.language == "fr"
    assert whisper.calls == [(None, "detect"), ("fr", "transcribe")]  # detected once, then kept


def test_at_stop_a_live_visit_is_translated_and_the_live_transcript_kept(whisper):
    live_text = (Segment(0, 0.2, 1.8, "Me duele la cabeza."),)

    class Live:  # the live transcriber at Stop: its transcript in the spoken language
        def finish(self, _cancel, _rest):  # noqa: ANN001, ANN202
            return Transcript(live_text, language="es", model="base", duration=4.0)

    final = finish_live(Live(), np.zeros(4 * 16000, np.float32), 0,
                        _engines(language="es", translate=True))
    assert final.original == live_text and final.language == "es"
    assert [s.text for s in final.segments] == [t for _s, _e, t in ENGLISH]
    assert whisper.calls == [("es", "translate")]  # one pass over the recording, at Stop


def test_speakers_heard_as_spoken_carry_over_to_the_english_by_time():
    def seg(i, start, end, text, speaker):  # noqa: ANN001, ANN202
        words = tuple(Word(start + k * 0.4, start + (k + 1) * 0.4, " " + w, speaker)
                      for k, w in enumerate(text.split()))
        return Segment(i, start, end, text, speaker, words)

    spoken = (seg(0, 0.0, 1.6, "¿Qué le pasa hoy?", "clinician"),
              seg(1, 2.0, 3.6, "Me duele la cabeza.", "patient"))
    # Whisper's translation put both turns in one segment.
    english = (Segment(0, 0.0, 3.6, "What is wrong today? My head hurts.", None, (
        Word(0.1, 0.5, " What"), Word(0.5, 0.9, " is"), Word(0.9, 1.3, " wrong"),
        Word(1.3, 1.7, " today?"), Word(2.1, 2.5, " My"), Word(2.5, 2.9, " head"),
        Word(2.9, 3.5, " hurts."))),)
    labelled = carry_labels(spoken, english)
    assert [(s.speaker, s.text) for s in labelled] == [
        ("clinician", "What is wrong today?"), ("patient", "My head hurts.")]


def test_a_language_is_named_by_code_or_name_and_anything_else_refused():
    assert language_code("auto") is None and language_code("Spanish") == "es"
    assert language_code("es") == "es"
    from scribe.errors import InputError

    with pytest.raises(InputError, match="auto or one of en, es"):
        language_code("xx")


def test_cli_refuses_a_language_it_does_not_offer_before_any_visit(capsys):
    assert main(["note", str(CLIP), "--language", "klingon"]) == 1
    err = capsys.readouterr().err
    assert "klingon" in err and len(err.strip().splitlines()) == 1
    from scribe.cli.common import open_store

    assert open_store().list(include_discarded=True) == []


def test_cli_note_language_translate_prints_both_texts(capsys, whisper, monkeypatch):
    monkeypatch.setattr("scribe.visit.pipeline.label_transcript", lambda _a, t, *_x, **_k: t)
    assert main(["note", str(CLIP), "--language", "es", "--translate", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["language"] == "es"
    assert [s["text"] for s in out["original"]] == [t for _s, _e, t in SPANISH]
    assert [s["text"] for s in out["transcript"]] == [t for _s, _e, t in ENGLISH]


def test_cli_record_language_auto_lets_whisper_detect(workspace):
    from scribe.cli import cmd_record
    from scribe.cli.common import engines_from

    parser = argparse.ArgumentParser()
    cmd_record.register(parser.add_subparsers())
    auto = parser.parse_args(["record", "--consent", "--language", "auto"])
    assert engines_from(auto, workspace).language is None
    assert engines_from(auto).language is None  # without a workspace too
    default = parser.parse_args(["record", "--consent"])
    assert engines_from(default, workspace).language == "en"  # the setting's default


def test_the_last_choice_is_the_default_and_an_unknown_one_reads_as_english(workspace):
    workspace.settings.set(Setting.DEFAULT_LANGUAGE, "auto")
    workspace.settings.set(Setting.DRAFT_IN_ENGLISH, 0)
    engines = workspace.engines()
    assert engines.language is None and engines.translate is False
    workspace.settings.set(Setting.DEFAULT_LANGUAGE, "tlh")  # hand-edited, or no longer offered
    assert workspace.engines().language == "en"


# --- the real base model on real (synthesized) Spanish speech ---------------------------------

@pytest.mark.slow
def test_base_detects_spanish_keeps_it_as_spoken_and_drafts_from_english(models_root):
    """One run (detection, the pass as spoken, the translation): each Whisper pass costs seconds."""
    engines = Engines(model="base", models_root=models_root, label_speakers=False,
                      language=None, translate=True)
    transcript = transcribe_visit(load_audio(CLIP), engines)
    assert transcript.language == CLIP_INFO["language"]
    spoken = " ".join(s.text for s in transcript.original).lower()
    english = transcript.text.lower()
    assert all(w in spoken for w in CLIP_INFO["spoken_words"]), spoken
    assert all(w in english for w in CLIP_INFO["english_words"]), english
    assert not any(w in english for w in CLIP_INFO["spoken_words"]), english  # not Spanish

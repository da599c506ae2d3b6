"""One sanitiser: no control character is stored or printed (scribe.nlp.safe_text)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from scribe.nlp.safe_text import clean_text, has_control, printable

HOSTILE = "\x1b[2J\x07A\x00B\u202eC\r\nD\x9b31mE\x7fF\u2066G\x1b]0;title\x07H\u2028I"


def test_clean_text_removes_every_control_and_bidi_character():
    out = clean_text(HOSTILE)
    assert out == "ABC DEFGH I"
    assert not has_control(out) and "\n" not in out and "title" not in out
    assert all(ch.isprintable() for ch in out)


def test_multiline_keeps_plain_line_breaks_only():
    assert clean_text("one\r\ntwo\rthree\x1b[1m\n\x07four", multiline=True) == \
        "one\ntwo\nthree\nfour"


@pytest.mark.parametrize("c", [chr(c) for c in (*range(0, 32), 127, *range(128, 160), 0x202A,
                                                0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067,
                                                0x2068, 0x2069)])
def test_printable_output_is_one_line_of_printable_text(c):
    out = printable(f"a{c}b")
    assert "\n" not in out and all(ch.isprintable() for ch in out)


def test_plain_text_is_unchanged():
    for s in ["Mrs Smith, 2024-01-02", "température 38,5 °C", "日本語", "a\tb"]:
        assert clean_text(s, multiline=True) == s
    assert clean_text("a\tb") == "a b"


def test_recognised_text_is_cleaned_where_segments_are_built(monkeypatch):
    import numpy as np

    import scribe.speech.transcriber as transcriber

    seg = SimpleNamespace(start=0.0, end=1.0, no_speech_prob=0.0, avg_logprob=-0.1,
                          text=" hello\x1b[2J\u202e there\x00 ",
                          words=[SimpleNamespace(start=0.0, end=0.5, word=" hel\x07lo")])
    model = SimpleNamespace(transcribe=lambda *_a, **_k: (iter([seg]), None))
    monkeypatch.setattr(transcriber, "load_model", lambda *_a, **_k: model)
    out = transcriber.Transcriber().transcribe(np.zeros(16000, dtype=np.float32))
    assert out.segments[0].text == "hello there" and out.segments[0].words[0].word == " hello"


def test_a_pasted_note_edit_keeps_no_control_characters():
    from scribe.domain import NoteDraft, Section
    from scribe.note.editing import edit_section

    note = NoteDraft([Section("Plan", [])], "soap", "offline")
    edited = edit_section(note, 0, "Start \x1b[31mamoxicillin\x1b[0m 500 mg\u202e\r\nReview\x07 in a week")
    assert [s.text for s in edited.sections[0].sentences] == \
        ["Start amoxicillin 500 mg", "Review in a week"]
    assert not has_control(edited.text.replace("\n", ""))

"""The LLM engine's keep-the-facts rule, with scripted model output (no model, no torch).

The generators here are plain classes implementing ``generate()``: they stand in for what a model
writes, so that the rule that keeps or replaces each rewritten sentence is tested deterministically.
The real model runs through the same path in tests/test_llm_engine.py.
"""

from __future__ import annotations

import re

import pytest

from scribe.cancel import CancelToken
from scribe.drafting import load_template
from scribe.drafting.llm import LlmDrafter, keeps_facts, parse_numbered
from scribe.drafting.offline.drafter import OfflineDrafter
from scribe.errors import Cancelled
from scribe.remote import RemoteError
from scribe.transcript_io import parse_text_transcript

VISIT = parse_text_transcript("""\
[doctor] What brings you in today?
[patient] My left knee has hurt for three weeks, it is worse on the stairs.
[doctor] Any chest pain or shortness of breath?
[patient] No.
[doctor] What medications do you take?
[patient] I take lisinopril 10 mg every morning for my blood pressure.
[doctor] Your blood pressure today is 150 over 90.
[doctor] The left knee is swollen but there is no redness.
[doctor] I think this is osteoarthritis of the left knee.
[doctor] Start ibuprofen 400 mg three times a day with food and follow up in two weeks.
""")
SOAP = load_template("soap")
_FACT = re.compile(r"^(\d+)\. (.*)$", re.M)


def facts_in(request: str) -> list[str]:
    return [text for _n, text in _FACT.findall(request)]


def faithful(fact: str) -> str:
    """A rephrasing that keeps every fact: what the rule must let through."""
    return "Clinically, " + fact[0].lower() + fact[1:]


def tampered(fact: str) -> str | None:
    """The ways a model breaks a fact (None: the line is left out); else a faithful line."""
    if len(fact.split()) <= 4:  # a problem heading turned into a sentence: the layout is lost
        return "The patient is diagnosed with " + fact.lower()
    if "10 mg" in fact:
        return fact.replace("10 mg", "20 mg")
    if fact.startswith("Denies"):
        return "Reports" + fact.removeprefix("Denies")
    if "knee has hurt" in fact:
        return fact.replace("left", "right")
    if "ibuprofen" in fact:
        return None
    return faithful(fact)


class ScriptedModel:
    """Writes, for each numbered fact of the request, ``rewrite(fact)`` as a numbered line (None:
    no line), streamed word by word; ``endless`` keeps writing extra lines until stopped."""

    def __init__(self, rewrite=faithful, *, numbered: bool = True, endless: bool = False,
                 fail_on_call: int | None = None, error: Exception | None = None) -> None:
        self.rewrite, self.numbered, self.endless = rewrite, numbered, endless
        self.fail_on_call, self.error = fail_on_call, error
        self.requests: list[str] = []
        self.words_written = 0

    def generate(self, prefix, request, max_new_tokens, cancel, on_text=None) -> str:
        self.requests.append(request)
        if self.fail_on_call == len(self.requests):
            raise self.error or RuntimeError("the model ran out of memory")
        lines = []
        for n, fact in enumerate(facts_in(request), 1):
            line = self.rewrite(fact)
            if line is not None:
                lines.append(f"{n}. {line}" if self.numbered else line)
        text = "\n".join(lines) + "\n"
        if self.endless:
            text += "Extra line that no fact asked for.\n" * 200
        out = ""
        for word in re.findall(r"\S+\s*", text):
            if cancel.cancelled:
                raise Cancelled()
            out += word
            self.words_written += 1
            if on_text:
                on_text(word)
        return out


def offline_sections():
    return OfflineDrafter().draft(VISIT, SOAP).sections


def test_a_sentence_is_kept_only_where_the_model_kept_its_fact():
    offline = offline_sections()
    drafted = LlmDrafter().rewrite(VISIT, SOAP, ScriptedModel(tampered))
    broken = kept = 0
    for off, sec in zip(offline, drafted, strict=True):
        assert sec.title == off.title and len(sec.sentences) == len(off.sentences)
        for o, s in zip(off.sentences, sec.sentences, strict=True):
            assert s.evidence == o.evidence and s.evidence
            if tampered(o.text) != faithful(o.text):  # dose, polarity, side, heading; dropped
                assert s.text == o.text, f"{s.text!r} replaced {o.text!r}"
                broken += 1
            else:
                assert s.text == faithful(o.text)
                kept += 1
    assert broken == 5 and kept >= 2  # each way of breaking a fact met once, and good rewrites


@pytest.mark.parametrize("fact, written, keeps", [
    ("The patient takes lisinopril 10 mg daily.", "On lisinopril 10 mg once daily.", True),
    ("The patient takes lisinopril 10 mg daily.", "On lisinopril 20 mg once daily.", False),
    ("The patient takes Lipitor 10 mg daily.", "Takes atorvastatin 10 mg daily.", True),
    ("The patient takes Lipitor 10 mg daily.", "Takes simvastatin 10 mg daily.", False),
    ("Denies chest pain or shortness of breath.", "No chest pain or shortness of breath.", True),
    ("Denies chest pain or shortness of breath.", "Reports chest pain and shortness of breath.",
     False),
    ("Left knee pain, right hip pain.", "Right knee pain, left hip pain.", False),
    ("Left knee pain for 3 weeks.", "Left knee pain for three weeks.", True),
    ("Left knee pain for 3 weeks.", "Left knee pain for 3 weeks, worse at night.", True),
    ("Left knee pain for 3 weeks.", "Left knee pain for 2 weeks.", False),
    ("Left knee pain for 3 weeks.", "Does the left knee hurt for 3 weeks?", False),
    ("Blood pressure today is 150/90.", "Blood pressure measured at 150/90 today.", True),
    ("Blood pressure is 150/90.", "Blood pressure is 150/90; recheck in 2 weeks.", False),
    ("Left knee pain for 3 weeks.", "Right shoulder pain for 3 weeks.", False),
])
def test_keeps_facts(fact, written, keeps):
    assert keeps_facts(fact, written) is keeps


def test_a_missing_or_extra_line_keeps_the_offline_sentence():
    assert parse_numbered("1. A first.\n3. The third.\n4. Extra.\n", 3) == {
        0: "A first.", 2: "The third."}
    assert parse_numbered("Here they are:\nA first.\nA second.\n", 2) == {
        0: "A first.", 1: "A second."}
    # unnumbered with a line missing: which line is which fact is unknown, so none is taken
    assert parse_numbered("A first.\nA third.\n", 3) == {}
    offline = offline_sections()
    drafted = LlmDrafter().rewrite(VISIT, SOAP, ScriptedModel(
        lambda f: None if "10 mg" in f else faithful(f), numbered=False))
    subjective = drafted[0].sentences
    assert [s.text for s in subjective] == [s.text for s in offline[0].sentences]
    assert drafted[1].sentences[0].text == faithful(offline[1].sentences[0].text)


def test_generation_stops_once_every_fact_has_its_line_and_streams():
    model = ScriptedModel(endless=True)
    streamed: list[tuple[float, str]] = []
    drafted = LlmDrafter().rewrite(VISIT, SOAP, model, progress=lambda f, t: streamed.append((f, t)))
    assert model.words_written < 200  # 200 extra lines were on offer
    assert all("Extra line" not in s.text for sec in drafted for s in sec.sentences)
    assert drafted[0].sentences[0].text.startswith("Clinically,")
    assert drafted[2].sentences[0].text == "Clinically, osteoarthritis."  # a heading kept short
    text = "".join(t for _f, t in streamed)
    assert "Clinically, " in text and "PLAN" in text
    fractions = [f for f, _t in streamed]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_a_model_failing_mid_draft_leaves_the_offline_sections():
    offline = offline_sections()
    model = ScriptedModel(fail_on_call=2)
    drafted = LlmDrafter().rewrite(VISIT, SOAP, model)
    assert len(model.requests) == 2  # no more asked of a failed model
    assert drafted[0].sentences[0].text == faithful(offline[0].sentences[0].text)
    for off, sec in zip(offline[1:], drafted[1:], strict=True):
        assert [(s.text, s.evidence) for s in sec.sentences] == [
            (s.text, s.evidence) for s in off.sentences]


@pytest.mark.parametrize("error", [Cancelled(), RemoteError("The clinic server stopped.")])
def test_cancel_and_a_server_error_still_propagate(error):
    with pytest.raises(type(error)):
        LlmDrafter().rewrite(VISIT, SOAP, ScriptedModel(fail_on_call=2, error=error))


def test_cancel_while_streaming_raises():
    cancel = CancelToken()

    def progress(_f: float, text: str) -> None:
        if "Clinically," in text:
            cancel.cancel()

    with pytest.raises(Cancelled):
        LlmDrafter().rewrite(VISIT, SOAP, ScriptedModel(endless=True), cancel, progress)


def test_the_prompt_lists_the_section_facts_numbered():
    model = ScriptedModel()
    LlmDrafter().rewrite(VISIT, SOAP, model)
    offline = offline_sections()
    asked = [facts_in(r) for r in model.requests]
    assert asked == [[s.text for s in sec.sentences] for sec in offline if sec.sentences]
    assert all("one clinical sentence" in r and "numbered" in r for r in model.requests)

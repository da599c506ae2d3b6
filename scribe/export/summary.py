"""The patient's after-visit summary and a referral letter, made from a note's own sentences.

Both are :class:`~scribe.domain.NoteDraft` documents, reviewed and signed like a note. Every
content sentence carries the evidence (transcript segments) of the note sentence it was made from
and says only what that sentence says: a medication, dose or instruction that is not in the note
is never written. The one exception is **stock wording**: a fixed sentence (the "call 911" safety
line, the clinician notice, a letter's courtesy lines) with no evidence, listed in
:data:`STOCK` so that the reviewer (and :func:`is_stock`) can tell it apart from the content.

The summary is in plain language (lay terms, short second-person sentences); its reading level is
measured with :func:`reading_grade` (Flesch-Kincaid grade, textstat). For a visit in another
language, headings and stock wording are in that language where Scribe has them (Spanish), but
the content sentences stay in English: no translation model exists offline, so the summary
starts with a notice telling the clinician to translate them before it goes to the patient.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scribe.domain import NoteDraft, Section, Sentence, Support, Transcript
from scribe.export.icd import assessment_sentences, code_problems
from scribe.export.plain_language import (
    LAY_BY_CODE,
    PLAN_TITLE,
    RETURN_PRECAUTION,
    UNCERTAIN,
    expand_sig,
    follow_up,
    lay,
    medication_instructions,
    patient_instruction,
    referral_to,
    second_person,
    sentence_case,
    test_orders,
    written,
)
from scribe.nlp import drugs_mentioned, plain_content_words

__all__ = [
    "HEADINGS",
    "STOCK",
    "after_visit_summary",
    "is_stock",
    "reading_grade",
    "referral_letter",
]

HEADINGS = {
    "en": ("What we found", "What to do", "When to get help"),
    "es": ("Lo que encontramos", "Qué hacer", "Cuándo pedir ayuda"),
}
NOTICE_TITLE = "Note for the clinician"
STOCK = {
    "help": {
        "en": "Call the clinic or 911 if you feel much worse, have chest pain, have trouble "
        "breathing, or faint.",
        "es": "Llame a la clínica o al 911 si se siente mucho peor, tiene dolor en el pecho, "
        "tiene dificultad para respirar o se desmaya.",
    },
    "notice": {
        "any": "The sentences below the headings are in English: Scribe cannot translate "
        "offline, so translate them before this summary goes to the patient.",
    },
    "no_allergies": {"any": "No allergies are recorded in the note."},
    "thanks": {"any": "Thank you for seeing this patient."},
    "ask": {"any": "Please evaluate and advise on further management."},
}
_STOCK_TEXTS = frozenset(t for by_lang in STOCK.values() for t in by_lang.values())


def is_stock(sentence: Sentence) -> bool:
    """Whether a sentence is fixed wording (no evidence by design) rather than note content."""
    return not sentence.evidence and sentence.text in _STOCK_TEXTS


def reading_grade(text: str) -> float:
    """US school grade needed to read ``text`` (Flesch-Kincaid grade level, via textstat)."""
    import textstat  # imported here: its syllable dictionary loads once, on the first summary

    if not text.strip():
        return 0.0
    return float(textstat.flesch_kincaid_grade(text))


def _plan_sentences(note: NoteDraft) -> list[Sentence]:
    return [s for sec in note.sections if PLAN_TITLE.search(sec.title) for s in sec.sentences]


def _content(text: str, *sources: Sentence) -> Sentence:
    """A sentence made from note sentences: their evidence, and their flags (a dose the fact
    check doubted stays doubted in the summary, for the reviewer to settle)."""
    evidence = tuple(sorted({i for s in sources for i in s.evidence}))
    flags = tuple(dict.fromkeys(f for s in sources for f in s.flags))
    return Sentence(text, evidence=evidence, support=Support.SUPPORTED, flags=flags)


def _stock(key: str, language: str) -> Sentence:
    by_lang = STOCK[key]
    text = by_lang.get(language) or by_lang.get("any") or by_lang["en"]
    return Sentence(text, evidence=(), support=Support.SUPPORTED)


def _found(note: NoteDraft) -> list[Sentence]:
    """One plain sentence per problem the assessment names (one per code), in note order."""
    sentences = note.sentences()
    out: list[Sentence] = []
    seen: set[str] = set()
    for pos in assessment_sentences(note):
        src = sentences[pos]
        if src.text.rstrip().endswith("?"):
            continue
        for p in code_problems(src.text):
            known = next((v for k, v in LAY_BY_CODE.items() if p.code.startswith(k)), None)
            name = known or lay(p.problem.lower())
            if p.code in seen or name in seen:
                continue
            seen.update((p.code, name))
            if UNCERTAIN.search(src.text):
                out.append(_content(f"We think you may have {name}.", src))
            else:
                out.append(_content(f"We talked about your {name}.", src))
    return out


def _to_do(note: NoteDraft) -> list[Sentence]:
    out: list[Sentence] = []
    seen: set[str] = set()
    for src in _plan_sentences(note):
        if RETURN_PRECAUTION.search(src.text):
            continue  # a return precaution: "When to get help"
        texts = [
            *medication_instructions(src.text),
            *test_orders(src.text),
            *referral_to(src.text),
            *follow_up(src.text),
        ]
        if not texts and not drugs_mentioned(src.text):
            texts = patient_instruction(src.text)
        for t in texts:
            if t not in seen:
                seen.add(t)
                out.append(_content(t, src))
    return out


def _get_help(note: NoteDraft, transcript: Transcript | None, language: str) -> list[Sentence]:
    out: list[Sentence] = []
    seen: list[frozenset[str]] = []
    sources: Iterable[Sentence] = _plan_sentences(note)
    if transcript is not None:
        said = [
            Sentence(s.text, evidence=(s.index,))
            for s in transcript.segments
            if (s.speaker or "clinician").partition(":")[0] == "clinician"
        ]
        sources = [*sources, *said]
    for src in sources:
        for part in re.split(r"(?<=[.!?])\s+", written(src.text)):
            if (
                RETURN_PRECAUTION.search(part)
                and not drugs_mentioned(part)
                and len(part.split()) <= 30
            ):
                text = sentence_case(lay(second_person(expand_sig(part))))
                key = frozenset(plain_content_words(text))
                if text.endswith("?") or any(
                    len(key & k) >= 0.8 * min(len(key), len(k)) for k in seen
                ):
                    continue
                seen.append(key)
                out.append(_content(text, src))
    out.append(_stock("help", language))
    return out


def after_visit_summary(
    note: NoteDraft, transcript: Transcript | None = None, language: str = "en"
) -> NoteDraft:
    """The patient's summary of a note: what we found, what to do, when to get help.

    Made from the note's assessment and plan; with ``transcript``, the clinician's spoken return
    precautions join "When to get help" with their segments as evidence. ``language`` ("en",
    "es", ...) sets the headings and stock wording; content sentences are never translated
    (nothing offline can), so a non-English summary opens with a notice for the clinician.
    """
    lang = (language or "en").split("-")[0].lower()
    found_title, do_title, help_title = HEADINGS.get(lang, HEADINGS["en"])
    sections = [
        Section(found_title, _found(note)),
        Section(do_title, _to_do(note)),
        Section(help_title, _get_help(note, transcript, lang)),
    ]
    if lang != "en":
        sections.insert(0, Section(NOTICE_TITLE, [_stock("notice", lang)]))
    return NoteDraft(sections=sections, template="summary", engine="offline")


_HISTORY_TITLE = re.compile(r"chief|complaint|history|subjective|interval|reason", re.I)
_FINDINGS_TITLE = re.compile(r"exam|objective|result|vital|finding|lab|imaging", re.I)


def referral_letter(note: NoteDraft, *, to: str = "", reason: str = "") -> NoteDraft:
    """A letter to a colleague with the note's facts: reason, history, findings, assessment,
    current medications, allergies and what is asked. Sentences are the note's own (clinical
    language, with their evidence); ``to`` and ``reason`` are typed by the clinician."""
    sentences = note.sentences()
    assessed = [sentences[i] for i in assessment_sentences(note)]
    history = [
        s for sec in note.sections if _HISTORY_TITLE.search(sec.title) for s in sec.sentences
    ]
    findings = [
        s
        for sec in note.sections
        if _FINDINGS_TITLE.search(sec.title) and not _HISTORY_TITLE.search(sec.title)
        for s in sec.sentences
    ]
    allergies = [s for s in sentences if re.search(r"\ballerg", s.text, re.I)]
    meds = [s for s in sentences if drugs_mentioned(s.text) and s not in allergies]
    # ``to`` and ``reason`` are the clinician's own words, typed for this letter: no evidence.
    why: list[Sentence] = []
    if to.strip():
        why.append(Sentence(f"Dear {to.strip()},", evidence=(), support=Support.SUPPORTED))
    if reason.strip():
        why.append(
            Sentence(
                sentence_case(f"I am referring this patient for {reason.strip()}"),
                evidence=(),
                support=Support.SUPPORTED,
            )
        )
    else:  # the assessed problems are the reason
        why.extend(_content(s.text, s) for s in assessed if code_problems(s.text))
    assessed = [s for s in assessed if not any(w.text == s.text for w in why)]
    asked = [
        _content(s.text, s) for s in _plan_sentences(note) if re.search(r"\brefer", s.text, re.I)
    ]
    if not asked:
        asked = [_stock("ask", "en")]
    sections = [
        Section("Reason for referral", why),
        Section("History", [_content(s.text, s) for s in history]),
        Section("Findings", [_content(s.text, s) for s in findings]),
        Section("Assessment and plan", [_content(s.text, s) for s in assessed]),
        Section("Current medications", [_content(s.text, s) for s in meds]),
        Section(
            "Allergies", [_content(s.text, s) for s in allergies] or [_stock("no_allergies", "en")]
        ),
        Section("Request", [*asked, _stock("thanks", "en")]),
    ]
    return NoteDraft(sections=sections, template="referral", engine="offline")

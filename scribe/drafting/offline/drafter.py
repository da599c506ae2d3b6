"""The offline drafting engine: no LLM, every note sentence is made from transcript segments.

Pipeline: speaker labels the wrong way round are put right → turns split into sentences → a
question and its yes/no answer folded into one statement ("Denies fever", "Reports no missed
doses", "No known drug allergies"); any other question left out → each sentence labelled with a
note section (fitted classifier when present, else word cues) → cleaned into note prose (fillers,
openers and spoken tails out, numbers as digits, third person, "let's" as the plan; what still
reads as talk left out, :mod:`prose`) → de-duplicated → the best kept up to a word budget (drugs and
allergies always) → routed to the template's sections, the Assessment and Plan laid out by problem
(:mod:`problems`). A sentence's evidence is the segments it was made from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scribe.cancel import NEVER, CancelToken
from scribe.domain import NoteDraft, Section, Sentence, Support, Transcript
from scribe.drafting.base import ProgressFn
from scribe.drafting.offline.facts import allergy_line, medication_line, visit_facts
from scribe.drafting.offline.model import SectionModel, load_model
from scribe.drafting.offline.problems import (
    Problem,
    assessment_and_plan,
    fallback_problem,
    find_problems,
    most_named_condition,
)
from scribe.drafting.offline.prose import (
    drop_framing,
    drop_opener,
    lets_to_plan,
    plan_voice,
    reads_as_talk,
    trim_tail,
)
from scribe.drafting.offline.questions import ALLERGY, asked, fold
from scribe.drafting.offline.rules import (
    CHITCHAT,
    HISTORY_CUES,
    fact_routes,
    guess_speaker,
    ros_system,
    route,
    rule_label,
    section_labels,
    strong_label,
    with_roles_fixed,
)
from scribe.drafting.offline.text import (
    drop_tag_question,
    is_question,
    sentence_case,
    split_sentences,
    tidy,
    to_third_person,
)
from scribe.drafting.templates import Template
from scribe.nlp import (
    ANSWER_WORDS,
    drop_leading_answer,
    drugs_mentioned,
    normalize_numbers,
    plain_content_words,
    strip_fillers,
)


@dataclass
class Unit:
    """One candidate note sentence: its source text, evidence segments and section label."""

    raw: str
    evidence: tuple[int, ...]
    speaker: str | None
    position: float
    context: str = ""
    text: str = ""
    label: str = "drop"
    score: float = 0.0
    essential: bool = False  # a drug or an allergy: kept whatever the word budget


_PROMPT = re.compile(
    r"\b(?:tell me|can you|could you|let me|let's (?:talk|take|go|look|review)|any questions|"
    r"do you have any questions|show me|finalize the (?:note|report)|end the recording|"
    r"assessment and plan(?=\W*$)|good to see|nice to (?:see|meet))\b",
    re.IGNORECASE,
)
_DANGLING = re.compile(r"[\s,]+(?:and|or|but|the|a|an|that|so|to|of|with|we|i|it's|is)[\s.,]*$")


_ONE_LINER = re.compile(
    r"\b\d+[- ]year[- ]old\b.{0,40}\b(?:male|female|man|woman|gentleman|lady|boy|girl)\b", re.I
)
_AGE_SEX = re.compile(
    r"\byear[- ]old (?:(male|man|gentleman|boy|guy)|(female|woman|lady|girl))\b", re.IGNORECASE
)
_TITLE = re.compile(r"\b(?:(mr)|(mrs|ms|miss))\b\.?", re.IGNORECASE)
_CC = re.compile(
    r"\b(?:(?:presents?|presenting|here|(?:coming|come|came) in|seen|referred(?: by [\w. ]{1,30}?)?|"
    r"seeing (?:you|him|her))"
    r"(?:\s+today)?\s+(?:for|with)|chief complaint(?: is| of)?)\s+"
    r"(?:an?\s+|his\s+|her\s+|the\s+|your\s+|some\s+)?"
    r"(.+?)(?=[.,;?]|\s(?:who|and|that|which|today|since|as|so|but)\b|$)",
    re.IGNORECASE,
)

_PAIN = re.compile(
    r"\b(?:(?:right|left|lower|upper|bilateral)\s+)?(?:knee|back|hip|shoulder|elbow|wrist|ankle|"
    r"neck|chest|abdominal|stomach|foot|hand|arm|leg|finger|toe|ear|throat|joint|pelvic)\s+"
    r"(?:pain|injury|swelling)\b|\b(?:sore throat|headaches?|shortness of breath|rash)\b"
)


def gender_of(transcript: Transcript) -> str | None:
    """Patient's grammatical gender as the clinician states it, or None when unclear."""
    text = " ".join(s.text.lower() for s in transcript.segments)
    for rx in (_AGE_SEX, _TITLE):
        m = rx.search(text)
        if m:
            return "male" if m.group(1) else "female"
    male = len(re.findall(r"\b(?:he|his|him|himself)\b", text))
    female = len(re.findall(r"\b(?:she|her|hers|herself)\b", text))
    if male >= 3 and male > 1.5 * female:
        return "male"
    if female >= 3 and female > 1.5 * male:
        return "female"
    return None


def chief_complaint(transcript: Transcript) -> Unit | None:
    """The reason for the visit, where the clinician or the patient names it ("here for ...")."""
    for seg in transcript.segments[: max(40, len(transcript.segments) // 3)]:
        text = tidy(seg.text).lower()
        for m in _CC.finditer(text):
            reason = strip_fillers(m.group(1))
            words = reason.split()
            if (
                1 <= len(words) <= 8
                and plain_content_words(reason)
                and not re.search(
                    r"\b(?:i|you|me|my|here|today|there|it|this|that|january|february|march|april|"
                    r"june|july|august|september|october|november|december)\b|\d{3}",
                    reason,
                )
            ):
                u = Unit(reason, (seg.index,), seg.speaker, 0.0, label="cc", score=2.0)
                u.text = sentence_case(normalize_numbers(reason))
                return u
    prev = ""
    for seg in transcript.segments[: max(40, len(transcript.segments) // 3)]:
        text, before = tidy(seg.text).lower(), prev
        prev = text
        if "allerg" in text or "allerg" in before:
            continue  # "penicillin gives me a rash" is an allergy, not the reason for the visit
        pain = _PAIN.search(text)
        if pain and seg.speaker != "clinician" and not is_question(text):
            u = Unit(pain.group(0), (seg.index,), seg.speaker, 0.0, label="cc", score=2.0)
            u.text = sentence_case(pain.group(0))
            return u
    return None


def extract_units(transcript: Transcript, cancel: CancelToken = NEVER) -> list[Unit]:
    """Sentences of the transcript as candidate units, with question/answer pairs folded."""
    segs = transcript.segments
    n = max(len(segs), 1)
    units: list[Unit] = []
    consumed: set[int] = set()
    for k, seg in enumerate(segs):
        cancel.check()
        if seg.index in consumed:
            continue
        role = (seg.speaker or "").partition(":")[0]  # "clinician:Resident Dr Lee" is a clinician
        speaker = role if role in ("clinician", "patient") else None
        text = tidy(seg.text)
        if speaker is None:
            speaker = guess_speaker(text) if seg.speaker is None else None
        sentences = split_sentences(text)
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        prev = tidy(segs[k - 1].text) if k > 0 else ""
        if speaker is None and seg.speaker is None and prev and is_question(prev):
            speaker = "patient"  # unlabelled ASR: the turn after a question is the answer
            text = drop_leading_answer(text)
            sentences = split_sentences(text)
        for j, sent in enumerate(sentences):
            pos = (k + j / max(len(sentences), 1)) / n
            last = j == len(sentences) - 1
            if speaker != "patient" and (
                is_question(sent) or (last and nxt is not None and asked(sent, tidy(nxt.text)))
            ):
                # The reply answers the turn's last question, or an allergy question the
                # clinician follows only with a remark ("any allergies? i didn't ask.").
                answered = last or (
                    bool(ALLERGY.search(sent))
                    and not any(is_question(x) for x in sentences[j + 1 :])
                )
                folded = fold(sent, seg, nxt) if answered else None
                if folded is not None:
                    units.append(Unit(folded[0], folded[1], "qa", pos, sent))
                    consumed.add(folded[1][-1])
                continue
            units.append(Unit(sent, (seg.index,), speaker, pos, prev))
    return units


def clean(unit: Unit, gender: str | None) -> str:
    """The unit as a note sentence, or "" when nothing clinical is left or it is only talk."""
    text = drop_opener(strip_fillers(drop_tag_question(unit.raw).lower()))
    if (
        unit.speaker == "qa"
        and re.match(r"denies (?!\w+ing\b)", text)
        and ros_system(text) is None
    ):
        text = "reports no " + text.removeprefix("denies ")  # "denies missed doses" reads wrong
    if not text or (CHITCHAT.match(text) and len(text.split()) < 8) or _PROMPT.search(text):
        return ""
    if unit.speaker != "qa":
        if is_question(text):
            return ""  # a question is never a fact (an answered yes/no one was folded before)
        whole = text.rstrip(" .,;:-")
        cut = trim_tail(text)
        if cut != whole and len(whole.split()) < 8 and _DANGLING.search(whole):
            return ""  # a fragment cut off mid-sentence by the recogniser
        text = cut
    text = normalize_numbers(text)
    if unit.speaker in ("patient", "clinician"):
        text = to_third_person(text, gender, unit.speaker)
    text = drop_opener(drop_framing(plan_voice(lets_to_plan(strip_fillers(text)))))
    if unit.speaker is None and reads_as_talk(text) == "you":
        text = to_third_person(text, gender, "clinician")  # unlabelled: "you" is the patient
    text = trim_tail(text)
    need = 1 if unit.speaker == "qa" else 2
    if len(plain_content_words(text) - ANSWER_WORDS) < need or len(text.split()) < need + 1:
        return ""
    if reads_as_talk(text):
        return ""  # still a question, a greeting, "you" (the patient speaking to the clinician)…
    return sentence_case(text)


def _dedupe(units: list[Unit]) -> list[Unit]:
    kept: list[Unit] = []
    seen: list[set[str]] = []
    for u in units:
        words = plain_content_words(u.text)
        if any(words and len(words & s) >= 0.8 * len(words) for s in seen):
            continue
        kept.append(u)
        seen.append(words)
    return kept


def _assessment_and_plan(
    routes: dict[str, int], units: list[Unit], transcript: Transcript, cc: Unit | None
) -> tuple[list[Unit], dict[int, list[Sentence]]]:
    """The units left for the other sections, and the assessment and plan lines laid out by
    problem for the section(s) that take them (by section index)."""
    a_idx, p_idx = routes.get("assessment"), routes.get("plan")
    if a_idx is None or p_idx is None:
        return units, {}
    ap = [u for u in units if u.label in ("assessment", "plan")]
    problems = find_problems(transcript)
    if not problems:
        found = fallback_problem(ap)
        if found is None and cc is not None:
            # Nothing named as a problem: the reason for the visit is the problem assessed.
            found = Problem(cc.text.rstrip("."), cc.evidence, position=0.0, mentions=[0.0],
                            strong_mentions=[0.0])
        if found is None:
            found = most_named_condition(transcript)
        problems = [found] if found is not None else []
    a_lines, p_lines = assessment_and_plan(ap, problems, combined=a_idx == p_idx)
    summary = next(
        (u for u in sorted(units, key=lambda u: u.position) if _ONE_LINER.search(u.text)), None
    )
    if summary is not None and a_lines:
        # The assessment opens on who the patient is, as notes do ("62-year-old male with …
        # who presents with …"): the same sentence, the same evidence.
        evidence = tuple(sorted(set(summary.evidence)))
        a_lines.insert(0, Sentence(summary.text, evidence=evidence, support=Support.SUPPORTED))
    lines: dict[int, list[Sentence]] = {a_idx: a_lines}
    lines.setdefault(p_idx, []).extend(p_lines)
    placed = {id(u) for u in ap}
    return [u for u in units if id(u) not in placed], lines


def _fill_from_facts(
    sections: list[Section], at: dict[str, int], units: list[Unit], transcript: Transcript
) -> list[Unit]:
    """Fill the template's medications and allergies sections from the visit's facts, and its
    past medical, social and family history sections with the history sentences their words name
    (moved, not copied); the units left for the other sections."""
    facts = visit_facts(transcript)

    def put(idx: int, text: str, evidence: tuple[int, ...]) -> None:
        sections[idx].sentences.append(
            Sentence(text, evidence=tuple(sorted(set(evidence))), support=Support.SUPPORTED))

    if "meds" in at:
        for med in facts.medications:
            if med.status or med.dose or med.frequency:  # not a drug only talked about
                put(at["meds"], medication_line(med), med.evidence)
    if "allergies" in at:
        for allergy in facts.allergies:
            put(at["allergies"], allergy_line(allergy), allergy.evidence)
        said = {i for a in facts.allergies for i in a.evidence}
        if facts.allergies:  # said once, in its own section ("penicillin gives me hives" too)
            units = [u for u in units if not ALLERGY.search(u.text) and not said & set(u.evidence)]
    moved: dict[int, list[Unit]] = {}
    left: list[Unit] = []
    for u in units:
        idx = None
        if "allergies" in at and ALLERGY.search(u.text):
            idx = at["allergies"]
        elif u.label in ("cc", "hpi", "ros"):
            idx = next((at[k] for k, rx in HISTORY_CUES.items() if k in at and rx.search(u.text)),
                       None)
        if idx is None:
            left.append(u)
        else:
            moved.setdefault(idx, []).append(u)
    for idx, found in moved.items():
        for u in sorted(found, key=lambda u: u.position):
            put(idx, u.text, u.evidence)
    return left


class OfflineDrafter:
    """Extractive drafter: uses the bundled fitted section model, or word cues when it is absent.

    Args:
        model: a fitted :class:`SectionModel`; ``None`` loads the bundled one.
        max_words: word budget of the note body for a typical visit (tuned on ACI-Bench train:
            300 words, ``length_share`` 0.9; drug and allergy sentences come on top).
    """

    name = "offline"

    TYPICAL_VISIT_WORDS = 1240  # median ACI-Bench dialogue length
    MIN_WORDS = 150  # a short visit still keeps everything clinical it has

    def __init__(
        self, model: SectionModel | None = None, max_words: int = 300, length_share: float = 0.9
    ) -> None:
        self.model = model if model is not None else load_model()
        self.max_words = max_words
        self.length_share = length_share

    def review(self, checked: NoteDraft) -> NoteDraft:
        """Every sentence is taken from what was said: the checked draft stands as it is."""
        return checked

    def budget(self, transcript: Transcript) -> int:
        """Words the note may use: ``max_words`` for a typical visit, more for a longer one."""
        words = sum(len(s.text.split()) for s in transcript.segments)
        ratio = words / self.TYPICAL_VISIT_WORDS
        scaled = self.max_words * ((1 - self.length_share) + self.length_share * ratio)
        return max(int(scaled), self.MIN_WORDS)

    def draft(
        self,
        transcript: Transcript,
        template: Template,
        cancel: CancelToken = NEVER,
        progress: ProgressFn | None = None,
    ) -> NoteDraft:
        transcript = with_roles_fixed(transcript)
        gender = gender_of(transcript)
        units = extract_units(transcript, cancel)
        if progress:
            progress(0.3, "sorting sentences into sections")
        for u in units:
            cancel.check()
            u.text = clean(u, gender)
        units = [u for u in units if u.text]
        self._label(units)
        for u in units:
            if ALLERGY.search(u.text) or drugs_mentioned(u.text):
                u.essential = True
                if u.label == "drop":
                    label = rule_label(u.text.lower(), u.speaker)
                    u.label = label if label != "drop" else "plan"
        units = [u for u in units if u.label != "drop"]
        cc = chief_complaint(transcript)
        if cc is not None:
            units.insert(0, cc)
        units = self._select(_dedupe(units), self.budget(transcript))
        if progress:
            progress(0.8, "assembling the note")
        routes = route(template.sections)
        sections = [Section(s.title) for s in template.sections]
        ros_owner = next(
            (i for i, s in enumerate(template.sections) if section_labels(s) == ("ros",)), None
        )
        units, ap_lines = _assessment_and_plan(routes, units, transcript, cc)
        facts_at = fact_routes(template.sections)
        if facts_at:  # medications, allergies, history sections: facts first
            units = _fill_from_facts(sections, facts_at, units, transcript)
        for u in sorted(units, key=lambda u: u.position):
            cancel.check()
            idx = routes.get(u.label)
            if idx is None:
                continue
            text = u.text
            system = ros_system(text) if u.label == "ros" and idx == ros_owner else None
            if system:
                text = f"{system}: {text}"
            sections[idx].sentences.append(
                Sentence(text, evidence=tuple(sorted(set(u.evidence))), support=Support.SUPPORTED)
            )
        for idx, lines in ap_lines.items():  # after the rest: a section that takes more than
            sections[idx].sentences.extend(lines)  # the A&P keeps the visit's order
        if progress:
            progress(1.0, "done")
        return NoteDraft(sections=sections, template=template.id, engine=self.name)

    def _label(self, units: list[Unit]) -> None:
        if self.model is not None and units:
            for u, (label, score) in zip(units, self.model.predict(units), strict=True):
                u.label, u.score = label, score
                strong = strong_label(u.raw.lower(), u.speaker)
                if strong is not None:
                    u.label, u.score = strong, max(score, 0.5)
                elif u.speaker == "qa" and u.label in ("hpi", "cc"):
                    u.label = "ros"  # a symptom asked about and endorsed or denied
            return
        for u in units:
            u.label = "ros" if u.speaker == "qa" else rule_label(u.raw.lower(), u.speaker)
            u.score = 1.0 if u.label != "drop" else 0.0

    def _select(self, units: list[Unit], budget: int) -> list[Unit]:
        """Keep the best-scoring units up to the word budget; drugs and allergies always."""
        used, keep = 0, {i for i, u in enumerate(units) if u.essential}
        for i in sorted(range(len(units)), key=lambda i: -units[i].score):
            words = len(units[i].text.split())
            if i in keep or (used + words > budget and keep):
                continue
            keep.add(i)
            used += words
        return [u for i, u in enumerate(units) if i in keep]

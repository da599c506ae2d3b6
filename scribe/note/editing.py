"""Applying a clinician's text edits to a note draft without losing the evidence behind it.

A section is edited as plain text, one sentence per line. After an edit the text is split again and
each new line is matched to the old sentences: an unchanged sentence keeps everything (evidence,
support, flags); an edited sentence that is still similar to the one it replaces keeps its evidence,
support and flags (a flag must still be acknowledged at sign-off; editing is not acknowledging); a
new sentence has no evidence. Alignment is difflib's longest-matching-block diff over the sentence
texts, so inserting or deleting a line does not shift the evidence of the lines below it. A line
that reads again exactly as the engine drafted it (Undo, or the wording typed back) is the drafted
sentence again, with its evidence, support and flags: restoring drafted text never leaves a false
"unsupported" mark.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher

from scribe.domain import NoteDraft, Section, Sentence, Support, Transcript
from scribe.nlp.safe_text import clean_text
from scribe.note.checks import CHECKED_KINDS, check_note

SIMILAR = 0.5
"""Character similarity (difflib ratio) above which an edited sentence keeps the old evidence."""

RAISED_ON_EDIT = CHECKED_KINDS - {"unsupported"}
"""Flags an edit of an engine sentence raises afresh: a drug, dose, allergen, side, number,
negation or question that disagrees with the transcript."""

RAISED_ON_TYPED = RAISED_ON_EDIT - {"medication", "number", "uncertain"}
"""Flags a sentence the clinician wrote from scratch gets: what contradicts the visit (a dose, an
allergen, a side, a polarity, a question stated as a finding), not what is merely new (a drug or a
number the clinician adds is theirs to add)."""


def split_lines(text: str) -> list[str]:
    """The sentences of a section's text: one per non-empty line, surrounding spaces removed.

    What the clinician typed or pasted loses its control characters here (a pasted ESC, NUL or
    U+202E never reaches the stored note, its signature hash or the export); CR and CRLF end a line.
    """
    lines = clean_text(text, multiline=True).split("\n")
    return [line.strip() for line in lines if line.strip()]


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower(), autojunk=False).ratio()


def _drafted(draft: NoteDraft | None) -> dict[str, Sentence]:
    """The engine's sentences by their text (the first of two alike)."""
    out: dict[str, Sentence] = {}
    for s in draft.sentences() if draft is not None else ():
        out.setdefault(s.text, s)
    return out


def resplit(old: Sequence[Sentence], text: str, similar: float = SIMILAR, *,
            draft: NoteDraft | None = None) -> list[Sentence]:
    """The sentences of ``text`` (one per line), carrying over what is known from ``old``; a line
    that reads as a sentence of ``draft`` (the engine's draft) is that sentence again."""
    lines = split_lines(text)
    old_texts = [s.text for s in old]
    out: list[Sentence | None] = [None] * len(lines)
    used: set[int] = set()
    pending: list[tuple[int, int | None]] = []  # (line, old sentence it replaces)
    ops = SequenceMatcher(None, old_texts, lines, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        for k in range(j2 - j1):
            if tag == "equal":
                out[j1 + k] = old[i1 + k]
                used.add(i1 + k)
            else:
                pending.append((j1 + k, i1 + k if tag == "replace" and i1 + k < i2 else None))
    # A line moved elsewhere is still the same sentence.
    unused = {t: i for i, t in reversed(list(enumerate(old_texts))) if i not in used}
    for j, _ in pending:
        i = unused.pop(lines[j], None)
        if i is not None:
            out[j] = old[i]
            used.add(i)
    drafted = _drafted(draft)
    for j, i in pending:
        if out[j] is not None or lines[j] not in drafted:
            continue
        was = drafted[lines[j]]
        # the drafted sentence back as it was; "checked" only if the line it replaces was checked
        # with the very same flags (each check was audited when it was made)
        kept = i is not None and i not in used and old[i].checked and old[i].flags == was.flags
        out[j] = replace(was, checked=kept)
        if i is not None and i not in used:
            used.add(i)
    for j, i in pending:
        if out[j] is not None:
            continue
        if i is not None and i not in used and similarity(old[i].text, lines[j]) >= similar:
            out[j] = replace(old[i], text=lines[j])
            used.add(i)
        else:
            out[j] = Sentence(lines[j], (), Support.UNSUPPORTED, ())
    return [s for s in out if s is not None]


def edit_section(note: NoteDraft, section_index: int, text: str, *,
                 draft: NoteDraft | None = None) -> NoteDraft:
    """A copy of ``note`` whose section ``section_index`` holds ``text`` (one sentence per line);
    with ``draft``, a line restored to the drafted wording gets the drafted sentence back."""
    sections = [Section(s.title, list(s.sentences)) for s in note.sections]
    sec = sections[section_index]
    sections[section_index] = Section(sec.title, resplit(sec.sentences, text, draft=draft))
    return NoteDraft(sections, note.template, note.engine)


def section_text(section: Section) -> str:
    """The editable text of a section: one sentence per line."""
    return "\n".join(s.text for s in section.sentences)


def clinician_written(sentence: Sentence, draft: NoteDraft) -> bool:
    """True when the sentence is not in the engine's draft (the clinician typed it)."""
    return sentence.text not in {s.text for s in draft.sentences()}


# --- re-checking edits -----------------------------------------------------------------------
# What an edit changes, once the fact checks ran again on the edited note:
# - a sentence that reads as the engine drafted it is the drafted sentence again: the draft's
#   evidence and verdict (flags, support), so Undo back to the drafted text leaves no false flag;
# - an edited engine sentence (it kept its evidence) gets the fresh verdict for the kinds of flag
#   it already had (an edit resolves a flag or keeps it, with its new wording) and for every
#   contradiction of the transcript (RAISED_ON_EDIT: a typed dose of 20 mg where the visit said
#   10 mg is flagged); it is never newly called unsupported, as the rewording is the clinician's;
# - a sentence the clinician wrote from scratch keeps no evidence and gets only the flags that
#   contradict the visit (RAISED_ON_TYPED);
# - "checked" stays only while the flags are the ones that were checked.
def texts(note: NoteDraft) -> list[list[str]]:
    return [[s.text for s in sec.sentences] for sec in note.sections]


def edited(note: NoteDraft, draft: NoteDraft) -> bool:
    """True when some engine sentence (one with evidence) no longer reads as drafted."""
    drafted = {s.text for s in draft.sentences()}
    return any(s.evidence and s.text not in drafted for s in note.sentences())


def merge_checks(note: NoteDraft, checked: NoteDraft, draft: NoteDraft) -> NoteDraft:
    """``note`` with the verdicts of ``checked`` (``check_note`` of the same text) applied to its
    edited sentences, by the rules above. ``note`` is returned unchanged when the texts differ."""
    if texts(note) != texts(checked):
        return note
    drafted = _drafted(draft)
    sections = []
    for sec, fresh_sec in zip(note.sections, checked.sections):
        out = []
        for s, fresh in zip(sec.sentences, fresh_sec.sentences):
            evidence = s.evidence
            if s.text in drafted:
                was = drafted[s.text]
                evidence, flags, support = was.evidence, was.flags, was.support
            elif s.evidence:
                kinds = {f.kind for f in s.flags} | RAISED_ON_EDIT
                flags = tuple(f for f in fresh.flags if f.kind in kinds)
                support = fresh.support
            else:
                flags = tuple(f for f in fresh.flags if f.kind in RAISED_ON_TYPED)
                support = s.support
            out.append(replace(s, evidence=evidence, flags=flags, support=support,
                               checked=s.checked and flags == s.flags))
        sections.append(Section(sec.title, out))
    return NoteDraft(sections, note.template, note.engine)


def recheck(note: NoteDraft, draft: NoteDraft, transcript: Transcript) -> NoteDraft:
    """The same, done here and now (signing cannot wait for the worker)."""
    return merge_checks(note, check_note(note, transcript), draft)

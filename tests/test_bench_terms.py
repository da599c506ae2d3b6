"""The terms bench: which words of a script are clinical terms, how a mis-heard term counts, words
written into silence, and a clean skip without the data set (no model is loaded here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench._terms import find_terms, missed, recall, unsaid
from bench.terms import main, quiet_stretches, words_in_quiet

SCRIPT = (
    "She takes metformin and Crestor, and she's allergic to sulfa. Your ejection fraction is "
    "fine and the stent is open. The urine had nitrites, and her IBS is better. "
    "The pain in my back is worse today."
)


def _terms(text: str) -> list[str]:
    return [t.text for t in find_terms(text)]


@pytest.mark.parametrize("term", ["metformin", "crestor", "sulfa", "stent", "nitrites", "ibs"])
def test_clinical_words_are_terms(term: str) -> None:
    assert term in _terms(SCRIPT)


def test_ejection_fraction_is_one_term() -> None:
    assert "ejection fraction" in _terms(SCRIPT)
    assert _terms("a systolic ejection murmur, grade two") == ["systolic", "ejection murmur"]


@pytest.mark.parametrize("word", ["pain", "back", "today", "takes", "worse", "open"])
def test_everyday_words_are_not_terms(word: str) -> None:
    assert not any(word in t.split() for t in _terms(SCRIPT))


def test_drug_names_are_drug_terms_and_the_rest_are_not() -> None:
    drugs = {t.text for t in find_terms(SCRIPT) if t.drug}
    assert drugs == {"metformin", "crestor"}


def test_the_committed_lists_drugs_are_drugs_though_everyday() -> None:
    assert [(t.text, t.drug) for t in find_terms("She is on insulin.")] == [("insulin", True)]


def test_a_multi_word_drug_name_counts_once() -> None:
    terms = find_terms("I take vitamin D every morning.")
    assert [(t.text, t.drug) for t in terms] == [("vitamin d", True)]


def test_a_misheard_term_is_missed_and_shows_what_was_heard() -> None:
    reference = "We started clindamycin for the infection and she takes lisinopril."
    heard = "We started cleaned my sin for the infection and she takes lisinopril."
    assert recall(reference, heard, drugs=True) == (1, 2)
    assert recall(reference, reference, drugs=True) == (2, 2)
    assert missed(reference, heard) == [("clindamycin", "cleaned my sin")]
    assert missed(reference, reference) == []


def test_recall_counts_each_occurrence_once() -> None:
    reference = "metformin in the morning and metformin at night"
    assert recall(reference, "metformin in the morning and met forming at night") == (1, 2)
    assert recall(reference, "metformin metformin metformin") == (2, 2)


def test_a_drug_name_nobody_said_is_counted() -> None:
    reference = "i take metformin twice a day and the car door hurt my hand"
    assert unsaid(reference, "i take metformin twice a day and the crestor hurt my hand") == 1
    assert unsaid(reference, "i take met for men twice a day") == 0  # missed, not invented


def test_quiet_stretches_skip_short_gaps_between_turns() -> None:
    spans = [(0.0, 3.0), (3.4, 6.0), (10.0, 12.0)]
    assert quiet_stretches(spans, 12.4) == [(6.0, 10.0)]
    assert quiet_stretches([(1.5, 2.0)], 2.0) == [(0.0, 1.5)]


def test_only_words_wholly_inside_silence_count() -> None:
    quiet = [(6.0, 10.0)]
    words = [(5.5, 6.2), (6.5, 7.0), (9.2, 9.9), (9.8, 10.4), (11.0, 11.5)]
    assert words_in_quiet(words, quiet) == 2
    assert words_in_quiet(words, []) == 0


def test_missing_dataset_is_a_clean_skip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SCRIBE_BENCH_DATA", str(tmp_path))
    assert main(["--split", "valid", "--paths", "raw,file"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("skipped:")
    assert "terms:" not in out


def test_an_unknown_path_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--paths", "raw,batch"])
    assert "--paths" in capsys.readouterr().err

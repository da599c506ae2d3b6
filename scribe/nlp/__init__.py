"""Clinical language helpers: words, numbers and doses, negation, answers, fillers, lexicon,
and the one text sanitiser (safe_text)."""

from scribe.nlp.answers import ANSWER_WORDS, NO_ANSWER, YES_ANSWER, drop_leading_answer
from scribe.nlp.content import content_words, plain_content_words
from scribe.nlp.fillers import HESITATIONS, is_hesitation, strip_fillers
from scribe.nlp.lexicon import (
    TERMS_FILE,
    VOCAB_FILE,
    build_vocabulary,
    clinical_terms,
    clinical_vocabulary,
    drug_names,
    drugs_mentioned,
    english_words,
    generic_drug_names,
    generic_names,
    lexicon_words,
    read_word_list,
    terms_mentioned,
)
from scribe.nlp.negation import NEGATION_POST, NEGATION_PRE, TERMINATION, negated_terms
from scribe.nlp.quantities import NUMBER_WORDS, doses, normalize_numbers, numbers
from scribe.nlp.safe_text import clean_text, has_control, printable
from scribe.nlp.words import (
    STOPWORDS,
    bare_word,
    expand_abbreviations,
    join_thousands,
    stem,
    tokens,
)

__all__ = [
    "ANSWER_WORDS",
    "HESITATIONS",
    "NEGATION_POST",
    "NEGATION_PRE",
    "NO_ANSWER",
    "NUMBER_WORDS",
    "STOPWORDS",
    "TERMINATION",
    "TERMS_FILE",
    "VOCAB_FILE",
    "YES_ANSWER",
    "bare_word",
    "build_vocabulary",
    "clean_text",
    "clinical_terms",
    "clinical_vocabulary",
    "content_words",
    "doses",
    "drop_leading_answer",
    "drug_names",
    "drugs_mentioned",
    "english_words",
    "expand_abbreviations",
    "generic_drug_names",
    "generic_names",
    "has_control",
    "is_hesitation",
    "lexicon_words",
    "negated_terms",
    "normalize_numbers",
    "numbers",
    "plain_content_words",
    "printable",
    "read_word_list",
    "join_thousands",
    "stem",
    "strip_fillers",
    "terms_mentioned",
    "tokens",
]

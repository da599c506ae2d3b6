"""Numbers in clinical speech: spoken numbers as digits, and the numbers and doses a text states.

One reading of spoken numbers serves both directions: :func:`normalize_numbers` writes it into a
note ("one twenty eight over seventy two" → "128/72") and :func:`numbers` reads it back out to
compare a note with its transcript (with ``loose``, also the other values the words could mean).
"""

from __future__ import annotations

import re

from scribe.nlp.words import tokens

__all__ = ["NUMBER_WORDS", "doses", "normalize_numbers", "numbers"]

_ONES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}
NUMBER_WORDS = frozenset(_ONES) | frozenset(_TENS) | frozenset(_SCALES)
"""The words of spoken numbers ("zero" to "nineteen", the tens, "hundred", "thousand")."""

# "One oh five": read as zero when numbers are compared, never written as 0 into a note (there
# "oh" is nearly always the interjection).
_OH = "oh"
_SPOKEN = NUMBER_WORDS | {_OH}
_POINT_DIGITS = {**_ONES, _OH: 0}
# Words that stand for a number in the transcript ("a couple of days", "twice a day").
_COUNT_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "once": 1, "twice": 2,
                "single": 1, "double": 2, "triple": 3, "couple": 2, "dozen": 12, "half": 0.5,
                "quarter": 0.25, "a": 1, "an": 1, "both": 2}

# Spelled-out units → the abbreviation a note writes ("ten milligrams" → "10 mg").
_UNIT_WORDS = {
    "milligrams": "mg", "milligram": "mg", "micrograms": "mcg", "microgram": "mcg",
    "milliliters": "mL", "milliliter": "mL", "kilograms": "kg", "kilogram": "kg",
    "centimeters": "cm", "centimeter": "cm", "millimeters": "mm", "millimeter": "mm",
    "percent": "%", "units": "units", "grams": "g", "gram": "g",
}
# Every way a dose unit is said or written → one spelling, so that doses compare.
_DOSE_UNITS = {
    **{w: u.lower() for w, u in _UNIT_WORDS.items() if u in ("mg", "mcg", "mL", "units", "g")},
    "mg": "mg", "mgs": "mg", "mcg": "mcg", "ug": "mcg", "g": "g", "gm": "g",
    "ml": "ml", "cc": "ml", "cc's": "ml", "unit": "units", "iu": "units", "meq": "meq",
    "puff": "puffs", "puffs": "puffs",
}

_NUM_SEQ = re.compile(
    r"\b(?:(?:"
    + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True))
    + r")(?:[\s-]+(?:and\s+)?|\b))+",
    re.IGNORECASE,
)
# "one" alone stays a word unless a unit or a time word follows ("this one", "one of them").
_COUNTABLE = re.compile(
    r"^\s*(mg|mcg|ml|kg|cm|mm|g|%|units?|days?|weeks?|months?|years?|hours?|times?|minutes?|"
    r"pills?|tablets?|puffs?|drops?|point|plus|out|to|or|and|a\b|per|cups?|glass|packs?|drinks?)",
    re.IGNORECASE,
)
_POINT_WORD = re.compile(r"\bpoint (" + "|".join(list(_ONES)[:10]) + r")\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNIT_WORDS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)


def _value(words: list[str]) -> int | None:
    """The value of number words read as one number (``one hundred twenty`` → 120)."""
    total, current = 0, 0
    for w in words:
        w = w.lower()
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _reading(words: list[str]) -> list[int] | None:
    """A run of number words as a note writes it: one value per number said (``three four`` → 3,
    4), spoken shorthand joined (``one twenty eight`` → 128, ``nineteen eighty two`` → 1982);
    None when a word is not a number word."""
    chunks: list[list[str]] = [[]]
    for w in words:
        lw = w.lower()
        val = _value(chunks[-1]) or 0
        small = _ONES.get(lw, _TENS.get(lw, 0))
        if (
            chunks[-1]
            and lw not in _SCALES
            and ((small >= 10 and val % 100 != 0) or (small < 10 and val % 10 != 0))
        ):
            chunks.append([])
        chunks[-1].append(w)
    values = [v for v in (_value(c) for c in chunks) if v is not None]
    if len(values) != len(chunks):
        return None
    if len(values) == 2 and (
        (values[0] in (19, 20) and 0 <= values[1] < 100)  # a year
        or (values[0] in (1, 2) and 20 <= values[1] < 100)  # a pressure, "one twenty eight"
    ):
        return [values[0] * 100 + values[1]]
    return values


def _other_readings(words: list[str]) -> list[float]:
    """Other values a run of number words may mean: all of it as one number, each two-digit group
    on its own (``nineteen eighty five`` → 19, 85) and each pair of groups (→ 1985)."""
    values = [float(_value(words) or 0)]
    groups: list[int] = []  # two-digit groups: "twenty five" → 25, "nineteen" → 19
    for w in words:
        if w in _TENS:
            groups.append(_TENS[w])
        elif w in _ONES:
            if groups and groups[-1] >= 20 and groups[-1] % 10 == 0 and _ONES[w] < 10:
                groups[-1] += _ONES[w]
            else:
                groups.append(_ONES[w])
        else:
            groups.append(-1)  # a scale word breaks the shorthand
    values.extend(float(g) for g in groups if g >= 0)
    for a, b in zip(groups, groups[1:]):
        if 1 <= a <= 99 and 10 <= b <= 99:
            values.append(float(a * 100 + b))
    return values


def numbers(text: str, loose: bool = False) -> list[float]:
    """Every number in the text, digits and number words alike (``twenty five`` → 25).

    Number words read as :func:`normalize_numbers` writes them (``one fifty over ninety`` → 150,
    90). ``loose`` adds the other values the words may mean and reads ordinals and words like
    *twice*, *couple*, *half* — used for the transcript side so that a note's "2 days" is found in
    "a couple of days".
    """
    toks = tokens(text)
    out: list[float] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t[0].isdigit():
            out.append(float(t))
            i += 1
            continue
        if t in _SPOKEN:
            j = i
            while j < len(toks) and (toks[j] in _SPOKEN or (toks[j] == "and" and j + 1 < len(
                    toks) and toks[j + 1] in _SPOKEN and j > i)):
                j += 1
            run = ["zero" if w == _OH else w for w in toks[i:j] if w != "and"]
            vals: list[float] = [float(v) for v in _reading(run) or []]
            more = _other_readings(run) if loose else []
            # "one point five" → 1.5
            if j + 1 < len(toks) and toks[j] == "point" and toks[j + 1] in _POINT_DIGITS:
                tenths = _POINT_DIGITS[toks[j + 1]] / 10
                vals[-1:] = [v + tenths for v in vals[-1:]]
                more += [v + tenths for v in more[:1]]
                j += 2
            out.extend(vals + more)
            i = j
            continue
        if loose and t in _COUNT_WORDS:
            out.append(float(_COUNT_WORDS[t]))
        i += 1
    return out


def doses(text: str) -> list[tuple[float, str]]:
    """(amount, unit) pairs such as (10, 'mg') from ``10 mg`` or ``ten milligrams``."""
    toks = tokens(text)
    out: list[tuple[float, str]] = []
    for i, t in enumerate(toks):
        unit = _DOSE_UNITS.get(t)
        if unit is None:
            continue
        j = i
        while j > 0 and (toks[j - 1] in _SPOKEN or toks[j - 1][0].isdigit()
                         or toks[j - 1] in ("and", "point")):
            j -= 1
        if j < i:
            vals = numbers(" ".join(toks[j:i]))
            if vals:
                out.append((vals[-1] if "point" not in toks[j:i] else max(vals), unit))
    return out


def _num_sub(m: re.Match[str]) -> str:
    text = m.group(0)
    trail = " " if text[-1:].isspace() or text.endswith("-") else ""
    words = [w for w in re.split(r"[\s-]+", text.strip(" -")) if w and w.lower() != "and"]
    if not words:
        return text
    rest = m.string[m.end() :]
    if len(words) == 1 and words[0].lower() == "one" and not _COUNTABLE.match(rest):
        return text
    values = _reading(words)
    if values is None:
        return text
    return " ".join(str(v) for v in values) + trail


def _unit(m: re.Match[str]) -> str:
    u = _UNIT_WORDS[m.group(2).lower()]
    return f"{m.group(1)}{u}" if u == "%" else f"{m.group(1)} {u}"


def normalize_numbers(text: str) -> str:
    """Spelled-out numbers and units → digits and abbreviations ("ten milligrams" → "10 mg")."""
    text = _POINT_WORD.sub(lambda m: f"point {_ONES[m.group(1).lower()]}", text)
    text = _NUM_SEQ.sub(_num_sub, text)
    text = re.sub(r"\b(\d+) point (\d+)\b", r"\1.\2", text)
    text = re.sub(r"\b(\d+) (\d+)/(\d+)\b", r"\1 \2/\3", text)
    text = re.sub(r"\b(\d+) over (\d+)\b", r"\1/\2", text)
    return _UNIT_AFTER.sub(_unit, text)

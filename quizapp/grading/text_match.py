"""Lenient matching of short typed answers, the way a careful human marker reads them.

Accepted without comment: the same text after folding case, accents, punctuation and
spacing. Accepted with a note naming the canonical answer ("lenient"):

- a leading article (``the dendrogram``), possessive ``'s`` (``Goodhart law``);
- plural or singular of any word of three or more letters (``canary deployments``);
- hyphen/space/joined variants (``add-one`` / ``add one``; ``kd tree`` / ``kdtree``);
- digit, number-word and roman-numeral variants (``add-1`` / ``add one``; ``type 2`` /
  ``type two`` / ``type II``), and -ise/-ize spellings;
- a parenthesised abbreviation or alternative, on either side: ``Minimum Detectable Effect
  (MDE)`` stands for ``minimum detectable effect`` and ``MDE``; a learner who writes
  ``Laplace (add-one) smoothing`` must be right under *both* readings;
- small typos, judged word by word (word counts must agree) with the optimal-string-
  alignment distance (a transposition counts as one edit), budgeted by the length of the
  expected word (see ``typo_budget``).

Never accepted: a different number, roman numeral or short word (``L1``/``L2``, ``type I``/
``type II``, ``ReLU``/``GELU``, ``mean``/``median``); a typo whose first letter differs
(``encoder``/``decoder``); a "typo" that is itself a known different term, or is at least as
close to one (``confusables.CONFUSABLES`` plus the question's ``reject`` words); and anything
that matches a ``reject`` entry at least as closely as it matches an accepted answer.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from quizapp.grading.confusables import CONFUSABLES

_PUNCTUATION = re.compile(r"[^\w\s]", re.UNICODE)
_SPACE = re.compile(r"\s+")
_ARTICLE = re.compile(r"^(?:a|an|the)\s+(?=\S)")
_POSSESSIVE = re.compile(r"(?<=\w)['\u2019]s\b")
_GROUP = re.compile(r"^(?P<before>.*\S)\s+\((?P<inside>[^()]*[^\W\d_][^()]*)\)(?P<after>[^()]*)$")
_BRITISH = re.compile(r"is(ation|ations|e|ed|er|ers|es|ing)$")
_NUMBERS = {
    "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
    "seven": "7", "eight": "8", "nine": "9", "ten": "10",
    "i": "1", "ii": "2", "iii": "3", "iv": "4",
}
MIN_PLURAL_BASE = 3
"""Plural folding needs a stem of 3+ letters, so "ks"/"k" or "ms"/"m" stay distinct."""


def normalise(text: str) -> str:
    """Fold case, width, punctuation and runs of whitespace (the exact-match key)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCTUATION.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def typo_budget(word: str) -> int:
    """Edits tolerated in an expected word of this length.

    Under 5 letters: none; short terms have real neighbours one edit away (mean/mode,
    left/lift, relu/gelu, bleu/blue). 5-8 letters: one edit, the usual slip (dendogram,
    unifrom). 9+ letters: two edits; longer words carry more slips and fewer neighbours.
    Words containing a digit never fuzz (l1/l2, f1/f2, word2vec).
    """
    if any(ch.isdigit() for ch in word) or len(word) < 5:
        return 0
    return 1 if len(word) <= 8 else 2


def _fold(text: str) -> str:
    """Case, width and accents folded; leading article and possessive 's dropped."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).strip()
    text = _ARTICLE.sub("", text)
    return _POSSESSIVE.sub("", text)


def _canonical_word(word: str) -> str:
    word = _NUMBERS.get(word, word)
    return _BRITISH.sub(lambda m: "iz" + m.group(1), word) if len(word) > 5 else word


def tokens(text: str) -> tuple[str, ...]:
    """The words of ``text`` after folding, with number words and spellings made canonical."""
    words = _SPACE.sub(" ", _PUNCTUATION.sub(" ", _fold(text))).split()
    return tuple(_canonical_word(w) for w in words)


def readings(text: str) -> list[str]:
    """Each way to read ``A (B) C``: ``A C`` and ``B C``; otherwise just the text.

    Only a group preceded by a space and containing a letter counts, so ``O(n)``,
    ``U(0,1)`` and ``uniform (0, 1)`` are never split.
    """
    found = _GROUP.match(unicodedata.normalize("NFKC", text).strip())
    if found is None:
        return [text]
    after = found["after"].strip()
    return [f"{found['before']} {after}".strip(), f"{found['inside'].strip()} {after}".strip()]


def plural_equal(a: str, b: str) -> bool:
    """Same word up to a plural ending (s, es, y/ies) on a stem of three or more letters."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    if len(short) < MIN_PLURAL_BASE or not short.isalpha():
        return False
    if long_ in (short + "s", short + "es"):
        return True
    return short.endswith("y") and long_ == short[:-1] + "ies"


def _typo_distance(given: str, expected: str, cutoff: int) -> int:
    """OSA distance (``cutoff + 1`` if beyond ``cutoff``), either side may carry a plural s."""
    pairs = ((given, expected), (given, expected + "s"), (given + "s", expected))
    return min(OSA.distance(g, e, score_cutoff=cutoff + 1) for g, e in pairs)


def word_distance(given: str, expected: str, confusables: Iterable[str]) -> int | None:
    """Edits from ``given`` to ``expected`` if tolerated as a typo, else ``None``."""
    if plural_equal(given, expected):
        return 0
    budget = typo_budget(expected)
    if budget == 0 or not given.isalpha() or given[0] != expected[0]:
        return None
    distance = _typo_distance(given, expected, budget)
    if distance > budget or _confusable(given, expected, distance, confusables):
        return None
    return distance


def _confusable(given: str, expected: str, distance: int, confusables: Iterable[str]) -> bool:
    """Whether ``given`` is within ``distance`` of another known term than ``expected``
    (as ``_typo_distance`` measures). rapidfuzz compares against every term in C: a
    Python loop over the few hundred confusables took about 0.9 ms per misspelt answer."""
    terms, plurals = _choices(confusables if isinstance(confusables, frozenset)
                              else frozenset(confusables))
    for query, choices in ((given, terms), (given, plurals), (given + "s", terms)):
        for _, _, index in process.extract(query, choices, scorer=OSA.distance,
                                           score_cutoff=distance, limit=None):
            if not plural_equal(terms[index], expected):
                return True
    return False


@functools.lru_cache(maxsize=256)
def _choices(confusables: frozenset[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The terms in a fixed order, and each with a plural ``s``."""
    terms = tuple(sorted(confusables))
    return terms, tuple(term + "s" for term in terms)


@dataclass(frozen=True)
class PhraseMatch:
    """How one reading matched one accepted form."""

    answer: str
    distance: int
    typos: tuple[tuple[str, str], ...] = ()


def phrase_match(given: Sequence[str], expected: Sequence[str], answer: str,
                 confusables: Iterable[str]) -> PhraseMatch | None:
    """Match word lists: identical when joined, or word by word within typo budgets."""
    if plural_equal("".join(given), "".join(expected)):
        return PhraseMatch(answer, 0)
    if len(given) != len(expected) or not given:
        return None
    total, typos = 0, []
    for g, e in zip(given, expected, strict=True):
        distance = word_distance(g, e, confusables)
        if distance is None:
            return None
        if distance:
            total += distance
            typos.append((g, e))
    return PhraseMatch(answer, total, tuple(typos))


@dataclass(frozen=True)
class Forms:
    """Accepted (or rejected) answers, each expanded into its readings, ready to compare."""

    entries: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, answers: Iterable[str]) -> Forms:
        entries = []
        for answer in answers:
            for text in [answer, *readings(answer)]:
                entries.append((text.strip(), tokens(text)))
        return cls(tuple(entries))

    def words(self) -> frozenset[str]:
        return frozenset(w for _, words in self.entries for w in words)

    def best(self, text: str, confusables: Iterable[str]) -> PhraseMatch | None:
        """The closest form to ``text`` (one reading), or ``None``."""
        given = tokens(text)
        found = (phrase_match(given, words, answer, confusables)
                 for answer, words in self.entries)
        return min((m for m in found if m is not None), key=lambda m: m.distance, default=None)


def lenient_match(forms: Forms, text: str, confusables: Iterable[str]) -> PhraseMatch | None:
    """Match the whole text, or else every reading of a parenthesised answer."""
    confusables = frozenset(confusables)
    whole = forms.best(text, confusables)
    parts = readings(text)
    if whole is not None or len(parts) == 1:
        return whole
    matches = [forms.best(part, confusables) for part in parts]
    if any(m is None for m in matches):
        return None
    first = matches[0]
    return PhraseMatch(first.answer, sum(m.distance for m in matches),
                       tuple(t for m in matches for t in m.typos))


@dataclass(frozen=True)
class Verdict:
    """Whether a response is right; ``lenient`` says how, when not an exact match."""

    accepted: bool
    lenient: PhraseMatch | None = None


_KNOWN = frozenset(_canonical_word(w) for w in CONFUSABLES)


def known_terms(extra: Iterable[str] = ()) -> frozenset[str]:
    """The confusable words, canonical like ``tokens`` makes them, plus ``extra``."""
    return _KNOWN | frozenset(extra)


def judge(accepted: Forms, rejected: Forms, text: str, exact: bool) -> Verdict:
    """Decide ``text``: ``exact`` if it already equals an answer or the author's pattern.

    A ``rejected`` form that matches at least as closely as the best accepted one wins.
    Matching against ``rejected`` uses no confusables guard, so it errs towards refusing.
    """
    wrong = lenient_match(rejected, text, ()) if rejected.entries else None
    if exact:
        return Verdict(wrong is None or wrong.distance > 0)
    found = lenient_match(accepted, text, known_terms(rejected.words()))
    if found is None or (wrong is not None and wrong.distance <= found.distance):
        return Verdict(False)
    return Verdict(True, found)

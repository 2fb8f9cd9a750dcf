"""Word cues in choice questions: do absolute or hedged words give the key away?

Test-wise learners distrust options with absolute words ("always", "never", "only", ...) and
favour hedged ones ("usually", "can", ...). Pure functions over a loaded
:class:`~quizapp.bank.loader.Bank`, like :mod:`quizapp.bank.cues`.

An option *is absolute* (or *hedged*) when its text, inline code spans (`` `...` ``)
removed, contains one of the words below as a whole word, ignoring case ("Always" and
"can't" count, "allowed" and `` `np.all` `` do not).

- mcq: a heuristic keeps the options with (or without) such a word and guesses evenly among
  them; when it keeps none it guesses among all. Chance is the mean of 1/number of options.
- multi_select: the share of right options among absolute options and among the others
  (pooled over all questions; likewise for hedged), and the expected score of *select
  exactly the options without absolute words* (all options when every one is absolute)
  against the baseline *select the same number of options uniformly at random*, both under
  the bank's rule: (right picks - wrong picks) / number of right options, floored at 0.
  The baseline keeps the count, so the difference measures only which options the words
  point at.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from math import comb
from statistics import fmean

from quizapp.bank.cues import HeuristicScore
from quizapp.bank.loader import Bank

ABSOLUTE_WORDS = frozenset({
    "always", "never", "only", "all", "none", "every", "guarantee", "guarantees",
    "guaranteed", "impossible", "cannot", "must",
})
HEDGED_WORDS = frozenset({
    "usually", "often", "typically", "may", "might", "can", "tend", "tends", "generally",
    "likely", "some", "most", "sometimes",
})
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_SPELLINGS = {"can't": "cannot"}


def words(text: str) -> set[str]:
    """Lower-case words of ``text`` outside inline code spans ("can't" read as "cannot")."""
    plain = _CODE_SPAN.sub(" ", text).lower().replace("\u2019", "'")
    return {_SPELLINGS.get(w, w) for w in _WORD.findall(plain)}


@dataclass(frozen=True)
class WordShape:
    """Which options of one choice question are absolute, hedged, right."""

    uid: str
    absolute: tuple[bool, ...]
    hedged: tuple[bool, ...]
    right: frozenset[int]

    @property
    def options(self) -> int:
        return len(self.absolute)

    @property
    def chance(self) -> float:
        """Expected score of one blind pick (mcq)."""
        return len(self.right) / self.options


def word_shapes(bank: Bank, kind: str = "mcq") -> list[WordShape]:
    """The word shape of every question of type ``kind`` (``mcq`` or ``multi_select``)."""
    shapes = []
    for question in bank.questions:
        if question.type != kind:
            continue
        found = [words(c["text"]) for c in question.payload["choices"]]
        shapes.append(WordShape(
            uid=question.uid,
            absolute=tuple(bool(w & ABSOLUTE_WORDS) for w in found),
            hedged=tuple(bool(w & HEDGED_WORDS) for w in found),
            right=frozenset(i for i, c in enumerate(question.payload["choices"])
                            if c["correct"]),
        ))
    return shapes


def _keep(flags: tuple[bool, ...], wanted: bool) -> list[int]:
    """Indices whose flag equals ``wanted``; all indices when there are none."""
    kept = [i for i, flag in enumerate(flags) if flag == wanted]
    return kept or list(range(len(flags)))


def _pick(shape: WordShape, options: list[int]) -> float:
    return sum(i in shape.right for i in options) / len(options)


WordHeuristic = Callable[[WordShape], float]

MCQ_WORD_HEURISTICS: dict[str, WordHeuristic] = {
    "avoid absolute words": lambda s: _pick(s, _keep(s.absolute, False)),
    "pick absolute words": lambda s: _pick(s, _keep(s.absolute, True)),
    "pick hedged words": lambda s: _pick(s, _keep(s.hedged, True)),
    "avoid hedged words": lambda s: _pick(s, _keep(s.hedged, False)),
}


def mcq_word_cues(bank: Bank) -> tuple[HeuristicScore, ...]:
    """Expected score of each word heuristic against chance over every mcq."""
    shapes = word_shapes(bank, "mcq")
    if not shapes:
        return tuple(HeuristicScore(n, 0, 0.0, 0.0) for n in MCQ_WORD_HEURISTICS)
    chance = fmean(s.chance for s in shapes)
    return tuple(HeuristicScore(n, len(shapes), fmean(map(h, shapes)), chance)
                 for n, h in MCQ_WORD_HEURISTICS.items())


def subset_score(right_picks: int, wrong_picks: int, right_options: int) -> float:
    """The multi_select score of one response."""
    return max(0.0, (right_picks - wrong_picks) / right_options)


def random_subset_score(options: int, right_options: int, picks: int) -> float:
    """Expected score of selecting ``picks`` of ``options`` uniformly at random."""
    total = comb(options, picks)
    return sum(comb(right_options, j) * comb(options - right_options, picks - j) / total
               * subset_score(j, picks - j, right_options)
               for j in range(min(picks, right_options) + 1))


def drop_absolute_score(shape: WordShape) -> tuple[float, float]:
    """(score of selecting exactly the non-absolute options, same-count random baseline)."""
    chosen = _keep(shape.absolute, False)
    hits = sum(i in shape.right for i in chosen)
    return (subset_score(hits, len(chosen) - hits, len(shape.right)),
            random_subset_score(shape.options, len(shape.right), len(chosen)))


@dataclass(frozen=True)
class RightRate:
    """How many options of a group there are and how many of them are right."""

    options: int
    right: int

    @property
    def rate(self) -> float:
        return self.right / self.options if self.options else 0.0


@dataclass(frozen=True)
class MultiSelectWordCues:
    """Right-rates of absolute and hedged multi_select options, and the word strategy."""

    questions: int
    absolute: RightRate
    not_absolute: RightRate
    hedged: RightRate
    not_hedged: RightRate
    drop_absolute: HeuristicScore
    """"Select exactly the options without absolute words" vs the same-count baseline."""


def _rate(shapes: list[WordShape], flag: Callable[[WordShape], tuple[bool, ...]],
          wanted: bool) -> RightRate:
    group = [i in s.right for s in shapes for i, f in enumerate(flag(s)) if f == wanted]
    return RightRate(len(group), sum(group))


def multi_select_word_cues(bank: Bank) -> MultiSelectWordCues:
    """Right-rates of absolute/hedged options and the drop-absolute strategy."""
    shapes = word_shapes(bank, "multi_select")
    pairs = [drop_absolute_score(s) for s in shapes]
    strategy = HeuristicScore(
        "select exactly the options without absolute words", len(shapes),
        fmean(p[0] for p in pairs) if pairs else 0.0,
        fmean(p[1] for p in pairs) if pairs else 0.0)
    return MultiSelectWordCues(
        questions=len(shapes),
        absolute=_rate(shapes, lambda s: s.absolute, True),
        not_absolute=_rate(shapes, lambda s: s.absolute, False),
        hedged=_rate(shapes, lambda s: s.hedged, True),
        not_hedged=_rate(shapes, lambda s: s.hedged, False),
        drop_absolute=strategy,
    )


def word_cues_markdown(bank: Bank) -> str:
    """The mcq word heuristics against chance, then the multi_select word comparison."""
    mcq = mcq_word_cues(bank)
    lines = [f"Word cues in {mcq[0].questions} mcq (absolute: always, never, only, all, ...; "
             "hedged: usually, often, can, may, ...):", "",
             "| heuristic | expected score | chance | difference (points) |",
             "|---|---:|---:|---:|"]
    lines += [f"| {h.name} | {h.score:.1%} | {h.chance:.1%} | {100 * h.gain:+.1f} |"
              for h in mcq]
    multi = multi_select_word_cues(bank)
    lines += ["", f"Word cues in {multi.questions} multi_select: share of options that are right",
              "", "| options | count | right |", "|---|---:|---:|"]
    for label, group in (("absolute", multi.absolute), ("not absolute", multi.not_absolute),
                         ("hedged", multi.hedged), ("not hedged", multi.not_hedged)):
        lines.append(f"| {label} | {group.options} | {group.rate:.1%} |")
    s = multi.drop_absolute
    lines += ["", f"{s.name}: expected score {s.score:.1%} vs {s.chance:.1%} selecting as many "
                  f"options at random ({100 * s.gain:+.1f} points)."]
    return "\n".join(lines)

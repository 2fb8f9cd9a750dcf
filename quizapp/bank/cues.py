"""Test-taking cues in choice questions: does option length or position give the key away?

Pure functions over a loaded :class:`~quizapp.bank.loader.Bank`. An option's length is the
number of characters of its text, surrounding whitespace removed. A heuristic that meets a
tie splits its pick evenly among the tied options, so its expected score on one question is
a fraction; "never pick X" guesses evenly among the other options (among all of them when
every option ties for X).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import fmean

from quizapp.bank.loader import Bank


@dataclass(frozen=True)
class ChoiceShape:
    """What a test-wise learner can see of a choice question without knowing the topic."""

    uid: str
    lengths: tuple[int, ...]
    right: frozenset[int]
    shuffled: bool

    @property
    def chance(self) -> float:
        """Expected score of a blind guess (one pick among all options)."""
        return len(self.right) / len(self.lengths)


@dataclass(frozen=True)
class HeuristicScore:
    """Mean expected score of one heuristic over the questions it applies to."""

    name: str
    questions: int
    score: float
    chance: float

    @property
    def gain(self) -> float:
        """Score minus chance, as a fraction (0.05 = 5 percentage points)."""
        return self.score - self.chance


@dataclass(frozen=True)
class McqCues:
    """Length and position cues over the mcq questions of a bank."""

    questions: int
    unshuffled: int
    chance: float
    share_longest: float
    share_shortest: float
    heuristics: tuple[HeuristicScore, ...]


@dataclass(frozen=True)
class MultiSelectCues:
    """Are right options of multi_select questions longer than wrong ones?"""

    questions: int
    mean_right: float
    mean_wrong: float
    right_longer: float
    """Chance that a right option is longer than a wrong one of the same question (ties
    count half), averaged over questions; 0.5 means length tells nothing."""

    @property
    def ratio(self) -> float:
        """Mean right-option length over mean wrong-option length (1.0 = no cue)."""
        return self.mean_right / self.mean_wrong if self.mean_wrong else 1.0


def choice_shapes(bank: Bank, kind: str = "mcq") -> list[ChoiceShape]:
    """The shape of every question of type ``kind`` (``mcq`` or ``multi_select``)."""
    shapes = []
    for question in bank.questions:
        if question.type != kind:
            continue
        choices = question.payload["choices"]
        shapes.append(ChoiceShape(
            uid=question.uid,
            lengths=tuple(len(c["text"].strip()) for c in choices),
            right=frozenset(i for i, c in enumerate(choices) if c["correct"]),
            shuffled=bool(question.payload.get("shuffle", True)),
        ))
    return shapes


def longest(shape: ChoiceShape) -> list[int]:
    """Indices of the options tied for the longest text."""
    top = max(shape.lengths)
    return [i for i, n in enumerate(shape.lengths) if n == top]


def shortest(shape: ChoiceShape) -> list[int]:
    """Indices of the options tied for the shortest text."""
    low = min(shape.lengths)
    return [i for i, n in enumerate(shape.lengths) if n == low]


def _pick(shape: ChoiceShape, options: list[int]) -> float:
    """Expected score of picking one of ``options`` uniformly at random."""
    return sum(i in shape.right for i in options) / len(options)


def _avoid(shape: ChoiceShape, excluded: list[int]) -> float:
    rest = [i for i in range(len(shape.lengths)) if i not in excluded]
    return _pick(shape, rest or list(range(len(shape.lengths))))


Heuristic = Callable[[ChoiceShape], float]

LENGTH_HEURISTICS: dict[str, Heuristic] = {
    "pick the longest": lambda s: _pick(s, longest(s)),
    "never pick the longest": lambda s: _avoid(s, longest(s)),
    "pick the shortest": lambda s: _pick(s, shortest(s)),
    "never pick the shortest": lambda s: _avoid(s, shortest(s)),
}
POSITION_HEURISTICS: dict[str, Heuristic] = {
    "pick the first": lambda s: _pick(s, [0]),
    "pick the last": lambda s: _pick(s, [len(s.lengths) - 1]),
}


def unique_key_share(shapes: list[ChoiceShape], ranked: Callable[[ChoiceShape], list[int]]
                     ) -> float:
    """Share of questions whose right option alone holds the rank (e.g. unique longest)."""
    if not shapes:
        return 0.0
    hits = [ranked(s) == sorted(s.right) and len(s.right) == 1 for s in shapes]
    return sum(hits) / len(shapes)


def score(name: str, heuristic: Heuristic, shapes: list[ChoiceShape]) -> HeuristicScore:
    """Mean expected score of ``heuristic`` and of chance over ``shapes``."""
    if not shapes:
        return HeuristicScore(name, 0, 0.0, 0.0)
    return HeuristicScore(name, len(shapes), fmean(heuristic(s) for s in shapes),
                          fmean(s.chance for s in shapes))


def mcq_cues(bank: Bank) -> McqCues:
    """Length cues over every mcq; position cues over those shown in written order."""
    shapes = choice_shapes(bank, "mcq")
    fixed = [s for s in shapes if not s.shuffled]
    scores = [score(n, h, shapes) for n, h in LENGTH_HEURISTICS.items()]
    scores += [score(n, h, fixed) for n, h in POSITION_HEURISTICS.items()]
    return McqCues(
        questions=len(shapes), unshuffled=len(fixed),
        chance=fmean(s.chance for s in shapes) if shapes else 0.0,
        share_longest=unique_key_share(shapes, longest),
        share_shortest=unique_key_share(shapes, shortest),
        heuristics=tuple(scores),
    )


def multi_select_cues(bank: Bank) -> MultiSelectCues:
    """Lengths of right and wrong options (questions with both kinds only)."""
    shapes = [s for s in choice_shapes(bank, "multi_select")
              if s.right and len(s.right) < len(s.lengths)]
    right = [n for s in shapes for i, n in enumerate(s.lengths) if i in s.right]
    wrong = [n for s in shapes for i, n in enumerate(s.lengths) if i not in s.right]
    return MultiSelectCues(
        questions=len(shapes),
        mean_right=fmean(right) if right else 0.0,
        mean_wrong=fmean(wrong) if wrong else 0.0,
        right_longer=fmean(map(_right_longer, shapes)) if shapes else 0.5,
    )


def _right_longer(shape: ChoiceShape) -> float:
    """Share of (right, wrong) option pairs where the right one is longer; ties count half."""
    right = [n for i, n in enumerate(shape.lengths) if i in shape.right]
    wrong = [n for i, n in enumerate(shape.lengths) if i not in shape.right]
    return fmean((r > w) + 0.5 * (r == w) for r in right for w in wrong)


def cues_markdown(bank: Bank) -> str:
    """Heuristic scores against chance, and the multi_select length comparison."""
    mcq = mcq_cues(bank)
    lines = [f"Test-taking cues in {mcq.questions} mcq ({mcq.unshuffled} shown unshuffled): "
             f"right option is the unique longest in {mcq.share_longest:.0%}, the unique "
             f"shortest in {mcq.share_shortest:.0%} (chance {mcq.chance:.0%}).", "",
             "| heuristic | questions | expected score | chance | difference (points) |",
             "|---|---:|---:|---:|---:|"]
    for h in (h for h in mcq.heuristics if h.questions):
        lines.append(f"| {h.name} | {h.questions} | {h.score:.1%} | {h.chance:.1%} | "
                     f"{100 * h.gain:+.1f} |")
    multi = multi_select_cues(bank)
    lines += ["", f"multi_select ({multi.questions} with right and wrong options): right options "
                  f"average {multi.mean_right:.0f} characters, wrong {multi.mean_wrong:.0f} "
                  f"(ratio {multi.ratio:.2f}); a right option is longer than a wrong one "
                  f"{multi.right_longer:.0%} of the time (50% = no cue)."]
    return "\n".join(lines)

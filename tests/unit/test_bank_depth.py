"""Depth of the hard questions: enough objective multi-step items, and no formula hand-outs.

The rules are documented in docs/question-format.md ("Hard questions and the multi-step tag").
"""

import re
from fractions import Fraction
from pathlib import Path

import pytest

from quizapp.bank.loader import load_bank
from quizapp.bank.schema import BankQuestion
from quizapp.grading.registry import REGISTRY

BANK_DIR = Path(__file__).resolve().parents[2] / "questions"

# Objective = graded by the app (choices, numbers, text, code run against tests), not the learner.
OBJECTIVE = frozenset(name for name, kind in REGISTRY.items() if not kind.self_graded)
MULTI_STEP = "multi-step"
MIN_MULTI_STEP_DIFFICULTY = 4
REQUIRED_SHARE = Fraction(1, 3)

_INLINE_MATH = re.compile(r"(?<!\$)\$(?!\$)([^$]+)\$")
_FORMULA_MACROS = re.compile(r"\\(?:approx|[dt]?frac|sum|prod|int)(?![A-Za-z])")


def is_hard(question: BankQuestion) -> bool:
    return question.difficulty >= 4


def is_deep(question: BankQuestion) -> bool:
    """Objective, hard, and tagged as needing several reasoning steps."""
    return is_hard(question) and question.type in OBJECTIVE and MULTI_STEP in question.tags


def deep_share(questions: list[BankQuestion]) -> Fraction:
    """Share of difficulty 4-5 questions (all types) that are objective and multi-step."""
    hard = [q for q in questions if is_hard(q)]
    if not hard:
        return Fraction(0)
    return Fraction(sum(map(is_deep, hard)), len(hard))


def misplaced_multi_step(questions: list[BankQuestion]) -> list[str]:
    """Questions tagged multi-step that are not objective or not hard enough."""
    return [q.uid for q in questions if MULTI_STEP in q.tags
            and (q.type not in OBJECTIVE or q.difficulty < MIN_MULTI_STEP_DIFFICULTY)]


def states_formula(hint: str | None) -> bool:
    """True when a hint spells out a formula rather than pointing to an idea."""
    if not hint:
        return False
    if "$$" in hint or "=" in hint:
        return True
    return any(_FORMULA_MACROS.search(m.group(1)) for m in _INLINE_MATH.finditer(hint))


def formula_hints(questions: list[BankQuestion]) -> list[str]:
    """Difficulty-5 objective questions whose hint hands over the formula."""
    return [q.uid for q in questions
            if q.difficulty == 5 and q.type in OBJECTIVE and states_formula(q.hint)]


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank(BANK_DIR)
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)
    return loaded


def test_a_third_of_hard_questions_are_objective_multi_step(bank):
    share = deep_share(bank.questions)
    hard = sum(map(is_hard, bank.questions))
    deep = sum(map(is_deep, bank.questions))
    assert share >= REQUIRED_SHARE, (
        f"only {deep} of {hard} difficulty 4-5 questions ({float(share):.1%}) are objective "
        f"and tagged '{MULTI_STEP}'; need at least {float(REQUIRED_SHARE):.1%}")


def test_multi_step_only_marks_hard_objective_questions(bank):
    bad = misplaced_multi_step(bank.questions)
    assert not bad, f"'{MULTI_STEP}' is for objective questions of difficulty >= 4: {bad}"


def test_hard_objective_hints_do_not_hand_over_the_formula(bank):
    bad = formula_hints(bank.questions)
    assert not bad, f"difficulty-5 hints that state a formula: {bad}"


# The detectors themselves: each must flag a bad case, so the bank tests above can fail.

def make(uid="x.y.z", type_="numeric", difficulty=5, tags=(), hint=None) -> BankQuestion:
    return BankQuestion(uid=uid, topic="y", type=type_, difficulty=difficulty,
                        expected_seconds=60, body="b", explanation="e", hint=hint,
                        tags=list(tags), payload={}, source="t.yaml")


def test_share_counts_essays_in_the_denominator():
    questions = [make("a", tags=[MULTI_STEP]), make("b", type_="self_graded"),
                 make("c", type_="mcq"), make("d", difficulty=2, tags=[MULTI_STEP])]
    assert deep_share(questions) == Fraction(1, 3)
    assert deep_share(questions[1:]) == 0
    assert deep_share(questions[1:]) < REQUIRED_SHARE


def test_misplaced_tag_is_reported():
    questions = [make("ok", tags=[MULTI_STEP]), make("essay", type_="self_graded",
                                                     tags=[MULTI_STEP]),
                 make("easy", difficulty=3, tags=[MULTI_STEP]), make("untagged")]
    assert misplaced_multi_step(questions) == ["essay", "easy"]


@pytest.mark.parametrize("hint", [
    r"Use $$n = \frac{(z_a + z_b)^2 \sigma^2}{\delta^2}$$.",
    r"The MAP estimate is $(c_k + \alpha - 1)/(N + K\alpha - K)$, so n = 3.",
    r"Score each side as $G^2/(H + \lambda)$ and use $\tfrac12$ of the sum.",
    r"The rate of the minimum is $\sum_i \lambda_i$.",
])
def test_formula_hints_are_detected(hint):
    assert states_formula(hint)
    assert formula_hints([make(hint=hint)]) == ["x.y.z"]
    assert formula_hints([make(hint=hint, difficulty=4)]) == []


@pytest.mark.parametrize("hint", [
    None,
    "Condition on $N$ and use the law of total variance.",
    "What is the default window frame when a window has an `ORDER BY`?",
    r"The two statistics have correlation $\sqrt{1/2}$.",
])
def test_pointers_to_an_idea_are_allowed(hint):
    assert not states_formula(hint)

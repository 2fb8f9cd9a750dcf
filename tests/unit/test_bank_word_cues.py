"""The word-cue calculator on tiny hand-made banks, with hand-checked numbers."""

import pytest

from quizapp.bank.loader import Bank
from quizapp.bank.schema import BankQuestion
from quizapp.bank.word_cues import mcq_word_cues
from quizapp.bank.word_cues import multi_select_word_cues
from quizapp.bank.word_cues import random_subset_score
from quizapp.bank.word_cues import word_cues_markdown
from quizapp.bank.word_cues import words


def choice_question(uid: str, texts: list[str], right: set[int], kind: str = "mcq"
                    ) -> BankQuestion:
    choices = [{"text": t, "correct": i in right, "why": None if i in right else "no"}
               for i, t in enumerate(texts)]
    return BankQuestion(uid=uid, topic="t", type=kind, difficulty=2, expected_seconds=45,
                        body="Q?", explanation="E.", hint=None, tags=[],
                        payload={"choices": choices, "shuffle": True}, source="t.yaml")


@pytest.fixture
def bank() -> Bank:
    return Bank(questions=[
        # absolute: 0, 3; hedged: 1; key 2
        choice_question("m.a", ["It always works.", "It usually works.",
                                "It works on Tuesdays.", "It never works."], {2}),
        # absolute: 0 (the `np.all` code span does not count); hedged: 1; key 0
        choice_question("m.b", ["All models are wrong.", "Some models are useful.",
                                "`np.all` is a function."], {0}),
        # no cue words
        choice_question("m.c", ["Red.", "Blue."], {1}),
        # absolute: 0, 3 (both wrong); hedged: 2 (right); right {1, 2}
        choice_question("s.a", ["It must converge.", "It converges for convex losses.",
                                "It may diverge.", "It never diverges."], {1, 2},
                        kind="multi_select"),
        # absolute: 0 (right), 1 (wrong); right {0, 2}
        choice_question("s.b", ["Every row is read.", "Only the index is read.",
                                "Rows are read in order."], {0, 2}, kind="multi_select"),
        # every option absolute: the strategy selects all of them
        choice_question("s.c", ["Always A.", "Never B."], {0}, kind="multi_select"),
    ])


def test_words_are_whole_words_outside_code_spans():
    assert words("Always use `np.all`; it isn't ALLOWED.") == {"always", "use", "it", "isn't",
                                                             "allowed"}
    assert "cannot" in words("You can\u2019t do that.")
    assert "guaranteed" in words("It is guaranteed.")


def test_mcq_word_heuristics_against_chance(bank):
    got = {h.name: h for h in mcq_word_cues(bank)}
    chance = (1 / 4 + 1 / 3 + 1 / 2) / 3
    # per question m.a, m.b, m.c; a filter that keeps nothing guesses among all
    expected = {
        "avoid absolute words": (1 / 2 + 0 + 1 / 2) / 3,
        "pick absolute words": (0 + 1 + 1 / 2) / 3,
        "pick hedged words": (0 + 0 + 1 / 2) / 3,
        "avoid hedged words": (1 / 3 + 1 / 2 + 1 / 2) / 3,
    }
    assert set(got) == set(expected)
    for name, value in expected.items():
        assert got[name].questions == 3
        assert got[name].score == pytest.approx(value), name
        assert got[name].chance == pytest.approx(chance)
    assert got["pick absolute words"].gain == pytest.approx(1 / 2 - chance)


@pytest.mark.parametrize(("options", "right", "picks", "expected"), [
    (4, 2, 2, 1 / 6),     # only the 1 right pair of 6 scores (1 right, 1 wrong scores 0)
    (3, 2, 1, 1 / 3),     # 2/3 chance of a right pick worth 1/2
    (5, 3, 3, 0.3),       # 1 subset scores 1, 6 subsets score 1/3, 3 score 0: 3/10
    (5, 3, 0, 0.0),
    (4, 3, 4, 2 / 3),     # select all: (3 - 1) / 3
    (4, 1, 4, 0.0),       # select all: (1 - 3) / 1, floored at 0
])
def test_random_subset_score_is_the_exact_expectation(options, right, picks, expected):
    assert random_subset_score(options, right, picks) == pytest.approx(expected)


def test_multi_select_right_rates_and_strategy(bank):
    cues = multi_select_word_cues(bank)
    assert cues.questions == 3
    assert (cues.absolute.options, cues.absolute.right) == (6, 2)
    assert (cues.not_absolute.options, cues.not_absolute.right) == (3, 3)
    assert (cues.hedged.options, cues.hedged.right) == (1, 1)
    assert (cues.not_hedged.options, cues.not_hedged.right) == (8, 4)
    assert cues.absolute.rate == pytest.approx(1 / 3)
    # s.a keeps {1, 2}: score 1 vs 1/6; s.b keeps {2}: 1/2 vs 1/3; s.c keeps all: 0 vs 0
    strategy = cues.drop_absolute
    assert strategy.score == pytest.approx((1 + 1 / 2 + 0) / 3)
    assert strategy.chance == pytest.approx((1 / 6 + 1 / 3 + 0) / 3)
    assert strategy.gain == pytest.approx(1 / 3)


def test_markdown_lists_every_number(bank):
    text = word_cues_markdown(bank)
    assert "| avoid absolute words | 33.3% | 36.1% | -2.8 |" in text
    assert "| absolute | 6 | 33.3% |" in text
    assert "expected score 50.0% vs 16.7%" in text and "(+33.3 points)" in text


def test_an_empty_bank_has_no_word_cues():
    assert all(h.questions == 0 for h in mcq_word_cues(Bank()))
    cues = multi_select_word_cues(Bank())
    assert cues.questions == 0 and cues.absolute.rate == 0.0
    assert "Word cues in 0 mcq" in word_cues_markdown(Bank())

"""The cue calculator on tiny hand-made banks, with hand-checked numbers."""

import pytest

from quizapp.bank.cues import cues_markdown
from quizapp.bank.cues import mcq_cues
from quizapp.bank.cues import multi_select_cues
from quizapp.bank.loader import Bank
from quizapp.bank.schema import BankQuestion


def choice_question(uid: str, lengths: list[int], right: set[int], kind: str = "mcq",
                    shuffle: bool = True) -> BankQuestion:
    """A question whose option i is 'x' * lengths[i], right when i is in ``right``."""
    choices = [{"text": "x" * n, "correct": i in right, "why": None if i in right else "no"}
               for i, n in enumerate(lengths)]
    return BankQuestion(uid=uid, topic="t", type=kind, difficulty=2, expected_seconds=45,
                        body="Q?", explanation="E.", hint=None, tags=[],
                        payload={"choices": choices, "shuffle": shuffle}, source="t.yaml")


@pytest.fixture
def bank() -> Bank:
    return Bank(questions=[
        choice_question("q.long", [10, 20, 30, 40], {3}),
        # Shown as written; the key ties with option 1 for shortest.
        choice_question("q.tied-short", [5, 5, 9], {0}, shuffle=False),
        choice_question("q.all-tied", [7, 7, 7, 7], {2}),
        choice_question("q.multi", [10, 20, 30, 20], {1, 2}, kind="multi_select"),
        choice_question("q.multi-all-right", [3, 4], {0, 1}, kind="multi_select"),
    ])


def scores(bank: Bank) -> dict[str, tuple[int, float, float]]:
    return {h.name: (h.questions, h.score, h.chance) for h in mcq_cues(bank).heuristics}


def test_shares_count_only_a_unique_longest_or_shortest_key(bank):
    cues = mcq_cues(bank)
    assert (cues.questions, cues.unshuffled) == (3, 1)
    assert cues.chance == pytest.approx((1 / 4 + 1 / 3 + 1 / 4) / 3)
    assert cues.share_longest == pytest.approx(1 / 3)    # only q.long
    assert cues.share_shortest == 0                       # q.tied-short is a tie


def test_heuristics_split_ties_evenly(bank):
    chance = (1 / 4 + 1 / 3 + 1 / 4) / 3
    got = scores(bank)
    # per question: q.long, q.tied-short, q.all-tied
    expected = {
        "pick the longest": (1 + 0 + 1 / 4) / 3,
        "never pick the longest": (0 + 1 / 2 + 1 / 4) / 3,   # all tied: guess among all
        "pick the shortest": (0 + 1 / 2 + 1 / 4) / 3,
        "never pick the shortest": (1 / 3 + 0 + 1 / 4) / 3,
    }
    for name, value in expected.items():
        assert got[name] == (3, pytest.approx(value), pytest.approx(chance)), name


def test_position_heuristics_use_only_unshuffled_questions(bank):
    got = scores(bank)
    assert got["pick the first"] == (1, 1.0, pytest.approx(1 / 3))
    assert got["pick the last"] == (1, 0.0, pytest.approx(1 / 3))
    gains = {h.name: h.gain for h in mcq_cues(bank).heuristics}
    assert gains["pick the first"] == pytest.approx(2 / 3)


def test_multi_select_compares_right_and_wrong_lengths(bank):
    cues = multi_select_cues(bank)
    assert cues.questions == 1                        # the all-right question is skipped
    assert (cues.mean_right, cues.mean_wrong) == (25, 15)
    assert cues.ratio == pytest.approx(25 / 15)
    # pairs (right, wrong): 20>10, 20=20, 30>10, 30>20 -> (1 + 0.5 + 1 + 1) / 4
    assert cues.right_longer == pytest.approx(0.875)


def test_an_empty_bank_has_no_cues():
    cues = mcq_cues(Bank())
    assert (cues.questions, cues.share_longest, cues.chance) == (0, 0.0, 0.0)
    assert all(h.questions == 0 for h in cues.heuristics)
    assert multi_select_cues(Bank()).right_longer == 0.5


def test_markdown_table_lists_applicable_heuristics(bank):
    text = cues_markdown(bank)
    assert "| pick the longest | 3 | 41.7% | 27.8% | +13.9 |" in text
    assert "| pick the first | 1 | 100.0% | 33.3% | +66.7 |" in text
    assert "right option is the unique longest in 33%" in text
    no_fixed = Bank(questions=bank.questions[:1])
    assert "pick the first" not in cues_markdown(no_fixed)

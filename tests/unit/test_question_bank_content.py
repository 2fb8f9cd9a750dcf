"""The shipped bank under questions/ is valid, checked, and covers what the app promises."""

from collections import Counter
from pathlib import Path

import pytest

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.duplicates import near_duplicates
from quizapp.bank.loader import load_bank
from quizapp.grading.registry import REGISTRY
from quizapp.rendering import render_markdown

BANK_DIR = Path(__file__).resolve().parents[2] / "questions"


@pytest.fixture(scope="module")
def bank():
    loaded = load_bank(BANK_DIR)
    assert loaded.ok, "\n".join(str(p) for p in loaded.problems)
    return loaded


def test_every_numeric_check_agrees_with_its_answer(bank):
    problems = check_numeric_answers(bank)
    assert not problems, "\n".join(str(p) for p in problems)


def test_no_two_questions_say_the_same_thing(bank):
    pairs = [f"{d.first.uid} ~ {d.second.uid} ({d.similarity:.0%})" for d in near_duplicates(bank)]
    assert not pairs, "\n".join(pairs)


def test_bank_covers_all_domains_and_types(bank):
    domains = Counter(t.domain for t in bank.topics)
    assert set(domains) == {"ml", "math", "coding", "design"}
    assert {q.type for q in bank.questions} == set(REGISTRY)
    assert len(bank.questions) >= 80


def test_every_topic_has_a_spread_of_difficulty(bank):
    by_topic = {}
    for q in bank.questions:
        by_topic.setdefault(q.topic, set()).add(q.difficulty)
    assert all(len(levels) >= 2 for levels in by_topic.values()), by_topic


def test_wrong_choices_explain_why(bank):
    missing = [q.uid for q in bank.questions if q.type in ("mcq", "multi_select")
               for c in q.payload["choices"] if not c["correct"] and not c.get("why")]
    assert not missing


def test_all_markdown_renders(bank):
    for q in bank.questions:
        for text in (q.body, q.explanation, q.hint or ""):
            html = render_markdown(text)
            assert "<script" not in html
        if q.body.count("$") % 2:
            pytest.fail(f"{q.uid}: unbalanced $ in body")


def test_right_answer_is_not_usually_the_longest_option(bank):
    """Length must not give the answer away (chance with four options is about 25 %)."""
    mcqs = [q for q in bank.questions if q.type == "mcq"]

    def right_is_longest(question):
        lengths = [len(c["text"]) for c in question.payload["choices"]]
        right = next(i for i, c in enumerate(question.payload["choices"]) if c["correct"])
        return lengths[right] == max(lengths) and lengths.count(max(lengths)) == 1

    share = sum(map(right_is_longest, mcqs)) / len(mcqs)
    assert share <= 0.35, f"{share:.0%} of mcqs have the right answer as the longest option"

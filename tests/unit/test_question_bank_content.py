"""The shipped bank under questions/ is valid, checked, and covers what the app promises."""

import re
from collections import Counter
from pathlib import Path

import pytest

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.cues import mcq_cues
from quizapp.bank.cues import multi_select_cues
from quizapp.bank.duplicates import near_duplicates
from quizapp.bank.loader import load_bank
from quizapp.bank.stats import readme_section
from quizapp.bank.stats import stats_markdown
from quizapp.bank.word_cues import mcq_word_cues
from quizapp.bank.word_cues import multi_select_word_cues
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


def markdown_fields(question):
    yield "body", question.body
    yield "explanation", question.explanation
    if question.hint:
        yield "hint", question.hint
    for index, choice in enumerate(question.payload.get("choices", [])):
        yield f"choices.{index}.text", choice["text"]
        if choice.get("why"):
            yield f"choices.{index}.why", choice["why"]
    if "model_answer" in question.payload:
        yield "model_answer", question.payload["model_answer"]
        for index, point in enumerate(question.payload["rubric"]):
            yield f"rubric.{index}", point


CODE_OR_MATH = re.compile(r'<pre.*?</pre>|<code.*?</code>|<(span|div) class="math[^"]*">.*?</\1>',
                          re.S)


def test_markdown_renders_with_no_stray_dollar_signs(bank):
    """A stray $ outside code means math that failed to parse (e.g. '$ x$') or money."""
    stray = []
    for question in bank.questions:
        for field, text in markdown_fields(question):
            html = render_markdown(text)
            assert "<script" not in html
            if "$" in CODE_OR_MATH.sub("", html):
                stray.append(f"{question.source}: {question.uid}: {field}")
    assert not stray, "\n".join(stray)


@pytest.fixture(scope="module")
def cues(bank):
    return mcq_cues(bank)


@pytest.mark.parametrize("rank", ["longest", "shortest"])
def test_right_answer_is_the_longest_or_shortest_about_as_often_as_by_chance(cues, rank):
    """With n options a key is the unique longest about 1/n of the time; allow 10 points."""
    share = getattr(cues, f"share_{rank}")
    assert cues.chance - 0.10 <= share <= cues.chance + 0.10, (
        f"the right option is the unique {rank} in {share:.0%} of {cues.questions} mcqs; "
        f"chance is {cues.chance:.0%} (run `flask bank stats`)")


def test_no_test_taking_heuristic_beats_chance(cues):
    """'Pick the longest', 'never pick the shortest', ... must not gain 3 points over guessing."""
    winners = [f"{h.name}: {h.score:.1%} vs chance {h.chance:.1%}"
               for h in cues.heuristics if h.questions and h.gain > 0.03]
    assert not winners, "\n".join(winners)


def test_multi_select_right_options_are_not_systematically_longer_or_shorter(bank):
    """A right option should be longer than a wrong one about half the time (0.5 = no cue)."""
    cues = multi_select_cues(bank)
    assert 0.35 <= cues.right_longer <= 0.65, (
        f"a right option is longer than a wrong one {cues.right_longer:.0%} of the time")


def test_no_word_heuristic_beats_chance_on_mcq(bank):
    """'Avoid absolute words', 'pick hedged words', ... must not gain 3 points over guessing."""
    winners = [f"{h.name}: {h.score:.1%} vs chance {h.chance:.1%}"
               for h in mcq_word_cues(bank) if h.questions and h.gain > 0.03]
    assert not winners, "\n".join(winners)


def test_multi_select_absolute_and_hedged_options_are_right_as_often_as_the_others(bank):
    """Within 10 points; and dropping absolute options gains at most 3 points over chance."""
    cues = multi_select_word_cues(bank)
    for word, group, others in (("absolute", cues.absolute, cues.not_absolute),
                                ("hedged", cues.hedged, cues.not_hedged)):
        assert abs(group.rate - others.rate) <= 0.10, (
            f"{word} options are right {group.rate:.0%} of the time, the others "
            f"{others.rate:.0%} (run `flask bank stats`)")
    strategy = cues.drop_absolute
    assert strategy.gain <= 0.03, (
        f"{strategy.name}: {strategy.score:.1%} vs {strategy.chance:.1%} at random")


def test_bank_size_and_mix(bank):
    types = Counter(q.type for q in bank.questions)
    assert len(bank.questions) >= 600
    assert len(bank.topics) >= 40
    assert types["numeric"] >= 120
    assert types["self_graded"] >= 80


def test_every_topic_has_ten_questions_from_easy_to_hard(bank):
    by_topic = {}
    for q in bank.questions:
        by_topic.setdefault(q.topic, []).append(q.difficulty)
    thin = {t: len(d) for t, d in by_topic.items() if len(d) < 10}
    assert not thin, thin
    narrow = {t: sorted(set(d)) for t, d in by_topic.items()
              if min(d) > 2 or max(d) < 4 or len(set(d)) < 3}
    assert not narrow, narrow


def test_readme_shows_the_current_bank_stats(bank):
    readme = (BANK_DIR.parent / "README.md").read_text()
    assert readme_section(readme) == stats_markdown(bank), (
        "README bank stats are stale: run `flask bank stats --update-readme README.md`")


PLACES = {"one": 1, "two": 2, "three": 3, "four": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def test_rounded_numeric_answers_accept_the_rounding_and_reject_its_neighbours(bank):
    """'N decimal places': answer stored rounded; abs_tol in [0.5, 1) units; no rel_tol."""
    bad = []
    for q in bank.questions:
        match = re.search(r"\b(one|two|three|four|[1-4])\s+decimal\s+places?\b", q.body, re.I)
        if q.type != "numeric" or not match:
            continue
        unit = 10.0 ** -PLACES[match.group(1).lower()]
        p = q.payload
        stored_rounded = abs(round(p["answer"] / unit) * unit - p["answer"]) < 1e-9
        if not (p["rel_tol"] == 0 and 0.5 * unit <= p["abs_tol"] < unit and stored_rounded):
            bad.append(f"{q.uid}: answer={p['answer']} abs_tol={p['abs_tol']} "
                       f"rel_tol={p['rel_tol']}")
    assert not bad, "\n".join(bad)


def test_exact_integer_answers_have_no_tolerance(bank):
    bad = [q.uid for q in bank.questions
           if q.type == "numeric" and re.search(r"exact integer", q.body, re.I)
           and (q.payload["abs_tol"] != 0 or q.payload["rel_tol"] != 0
                or q.payload["answer"] != int(q.payload["answer"]))]
    assert not bad, bad

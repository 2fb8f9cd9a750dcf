import random

import pytest
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from quizapp.grading.base import ResponseError
from quizapp.grading.multi_select import partial_credit
from quizapp.grading.registry import REGISTRY
from quizapp.grading.short_text import normalise

MCQ = REGISTRY["mcq"]
MULTI = REGISTRY["multi_select"]
NUMERIC = REGISTRY["numeric"]
SHORT = REGISTRY["short_text"]
SELF = REGISTRY["self_graded"]


def choices(*correct):
    return {"choices": [{"text": f"option {i}", "correct": i in correct} for i in range(4)]}


def test_registry_lists_every_type_by_name():
    assert set(REGISTRY) == {"mcq", "multi_select", "numeric", "short_text", "self_graded",
                             "code", "sql"}
    for name, kind in REGISTRY.items():
        assert kind.name == name
        assert kind.widget_template.startswith("widgets/")


def test_mcq_grades_one_pick():
    payload = MCQ.load(choices(2))
    assert MCQ.grade(payload, MCQ.parse_response(payload, MultiDict({"choice": "2"}))).score == 1
    assert MCQ.grade(payload, MCQ.parse_response(payload, MultiDict({"choice": "1"}))).score == 0


@pytest.mark.parametrize("form", [{}, {"choice": "9"}, {"choice": "x"}, {"choice": "-1"}])
def test_mcq_rejects_missing_or_forged_picks(form):
    payload = MCQ.load(choices(2))
    with pytest.raises(ResponseError):
        MCQ.parse_response(payload, MultiDict(form))


def test_mcq_needs_exactly_one_correct_choice():
    with pytest.raises(ValidationError, match="exactly one"):
        MCQ.load(choices(0, 1))
    with pytest.raises(ValidationError, match="exactly one"):
        MCQ.load(choices())


def test_mcq_shuffles_per_seed_but_is_stable_for_a_seed():
    payload = MCQ.load(choices(0))
    orders = {tuple(MCQ.widget(payload, random.Random(s))["order"]) for s in range(20)}
    assert len(orders) > 1
    assert MCQ.widget(payload, random.Random(5)) == MCQ.widget(payload, random.Random(5))
    fixed = MCQ.load({**choices(0), "shuffle": False})
    assert MCQ.widget(fixed, random.Random(5))["order"] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("correct", "picked", "score"),
    [({0, 1}, {0, 1}, 1.0), ({0, 1}, {0}, 0.5), ({0, 1}, {0, 2}, 0.0), ({0, 1}, {2, 3}, 0.0),
     ({0, 1, 2}, {0, 1}, 2 / 3), ({0}, {0, 1, 2, 3}, 0.0)],
)
def test_multi_select_partial_credit(correct, picked, score):
    assert partial_credit(correct, picked) == pytest.approx(score)


def test_multi_select_grade_and_feedback():
    payload = MULTI.load(choices(0, 1))
    grade = MULTI.grade(payload, MULTI.parse_response(payload, MultiDict([("choice", "0"),
                                                                          ("choice", "3")])))
    assert grade.score == 0
    assert "missed 1" in grade.feedback and "picked 1 wrong" in grade.feedback
    with pytest.raises(ResponseError, match="at least one"):
        MULTI.parse_response(payload, MultiDict())


def test_numeric_tolerances():
    payload = NUMERIC.load({"answer": 0.0909, "rel_tol": 0.01, "allow_percent": True,
                            "check": "1/11"})
    for text, ok in [("0.0909", True), ("1/11", True), ("9.09%", True), ("0.092", False)]:
        response = NUMERIC.parse_response(payload, {"answer": text})
        assert NUMERIC.grade(payload, response).correct is ok, text
    exact = NUMERIC.load({"answer": 87, "rel_tol": 0, "abs_tol": 0, "check": "87"})
    assert not NUMERIC.grade(exact, {"text": "87.5", "value": 87.5}).correct
    assert NUMERIC.answer_md(exact) == "87"
    assert NUMERIC.response_md(exact, {"text": "87", "value": 87.0}) == "87"
    assert NUMERIC.response_md(exact, {"text": "174/2", "value": 87.0}) == "174/2 (read as 87)"


def test_large_whole_answers_show_thousands_separators_as_question_texts_do():
    big = NUMERIC.load({"answer": 80000, "rel_tol": 0.05, "unit": "users per arm",
                        "check": "80000"})
    assert NUMERIC.answer_md(big) == "80,000 users per arm"
    for typed in ("80000", "80,000"):  # what the learner typed, as typed
        assert NUMERIC.response_md(big, {"text": typed, "value": 80000.0}) == (
            f"{typed} users per arm")
    assert NUMERIC.response_md(big, {"text": "8e4", "value": 80000.0}) == (
        "8e4 users per arm (read as 80,000)")


def test_abs_tol_alone_means_an_absolute_tolerance():
    payload = NUMERIC.load({"answer": 51.57, "abs_tol": 0.006, "check": "51.57"})
    assert payload.rel_tol == 0
    assert NUMERIC.grade(payload, {"text": "51.575", "value": 51.575}).correct
    assert not NUMERIC.grade(payload, {"text": "51.59", "value": 51.59}).correct
    both = NUMERIC.load({"answer": 100, "abs_tol": 0.5, "rel_tol": 0.02, "check": "100"})
    assert NUMERIC.grade(both, {"text": "101.9", "value": 101.9}).correct


def test_numeric_requires_a_check_and_a_finite_answer():
    with pytest.raises(ValidationError, match="check"):
        NUMERIC.load({"answer": 1})
    with pytest.raises(ValidationError):
        NUMERIC.load({"answer": float("nan"), "check": "0"})


def test_short_text_normalises_and_accepts_alternatives():
    payload = SHORT.load({"answers": ["Type II error", "false negative"],
                          "pattern": r"^type (ii|2) ?(error)?$"})
    cases = [("type ii error", True), ("  TYPE-II  error. ", True), ("False negative", True),
             ("type 2", True), ("type I error", False)]
    for text, ok in cases:
        assert SHORT.grade(payload, SHORT.parse_response(payload, {"answer": text})).correct is ok
    with pytest.raises(ResponseError):
        SHORT.parse_response(payload, {"answer": "   "})
    assert normalise("O(n log n)") == "o n log n"


def test_short_text_rejects_a_bad_pattern():
    with pytest.raises(ValidationError, match="regular expression"):
        SHORT.load({"answers": ["a"], "pattern": "("})


def test_self_graded_uses_the_learners_grade_and_rubric():
    payload = SELF.load({"model_answer": "Because...", "rubric": ["a", "b", "c"]})
    form = MultiDict([("answer", " mine "), ("self_grade", "2"), ("rubric", "0"), ("rubric", "2"),
                      ("rubric", "7")])
    response = SELF.parse_response(payload, form)
    assert response == {"answer": "mine", "grade": 2, "rubric": [0, 2]}
    grade = SELF.grade(payload, response)
    assert grade.self_grade == 2 and grade.score == pytest.approx(2 / 3)
    assert grade.correct
    assert not SELF.grade(payload, {**response, "grade": 1}).correct
    for bad in ({"self_grade": "4"}, {"self_grade": ""}, {}):
        with pytest.raises(ResponseError, match="0 to 3"):
            SELF.parse_response(payload, MultiDict({"answer": "x", **bad}))


def test_relative_tolerance_is_symmetric_around_the_answer():
    payload = NUMERIC.load({"answer": 100, "rel_tol": 0.01, "check": "100"})
    assert NUMERIC.grade(payload, {"text": "99", "value": 99.0}).correct
    assert NUMERIC.grade(payload, {"text": "101", "value": 101.0}).correct
    assert not NUMERIC.grade(payload, {"text": "101.02", "value": 101.02}).correct
    assert not NUMERIC.grade(payload, {"text": "98.98", "value": 98.98}).correct


def test_the_shown_right_answer_is_itself_accepted():
    payload = NUMERIC.load({"answer": 1000.862, "abs_tol": 0.0008, "check": "1000.862"})
    shown = NUMERIC.answer_md(payload)
    assert NUMERIC.grade(payload, NUMERIC.parse_response(payload, {"answer": shown})).correct


@pytest.mark.parametrize("value", ["\u00b2", "9" * 5000, "-1", "1.0", " 1"])
def test_self_graded_ignores_odd_rubric_values(value):
    payload = SELF.load({"model_answer": "m", "rubric": ["a", "b"]})
    form = MultiDict([("answer", "x"), ("self_grade", "1"), ("rubric", value), ("rubric", "1")])
    assert SELF.parse_response(payload, form)["rubric"] == [1]


def test_an_answer_naming_an_option_the_edited_question_lost_still_shows():
    """History pages show old answers with today's options: a removed one is named as such
    (it raised IndexError: a 500 on the question's history page)."""
    payload = MCQ.load(choices(2))
    assert MCQ.response_md(payload, 7) == "- _(an option since removed from this question)_"
    multi = MULTI.load(choices(1, 2))
    shown = MULTI.response_md(multi, [1, 9])
    assert shown.splitlines()[0] == f"- {multi.choices[1].text}"
    assert shown.splitlines()[1] == "- _(an option since removed from this question)_"

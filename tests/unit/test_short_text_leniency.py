"""Lenient short-text marking: right answers as people type them, never a different term."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from pydantic import ValidationError

from quizapp.bank.loader import load_bank
from quizapp.grading.registry import REGISTRY
from quizapp.grading.text_match import tokens
from quizapp.grading.text_match import typo_budget

SHORT = REGISTRY["short_text"]
QUESTIONS = Path(__file__).resolve().parents[2] / "questions"
BANK = load_bank(QUESTIONS)
BANK_SHORT = [q for q in BANK.questions if q.type == "short_text"]
BY_UID = {q.uid: q for q in BANK_SHORT}
ARTICLES = ("a ", "an ", "the ")


def bank_payload(uid: str):
    assert uid in BY_UID, f"{uid} is not a short_text question in the bank"
    return SHORT.load(BY_UID[uid].payload)


def grade(payload, text: str):
    return SHORT.grade(payload, SHORT.parse_response(payload, {"answer": text}))


LAPLACE = "ml.knn-naive-bayes.laplace-smoothing-name"
MDE = "math.ab-testing-power.mde-name"
DENDROGRAM = "ml.clustering.dendrogram-name"
CANARY = "design.serving.canary-term"
TYPE_II = "math.hypothesis-testing.type-ii-error-name"
MEDIAN = "ml.evaluation-metrics.mae-optimal-constant"

BANK_ACCEPTED = [
    (LAPLACE, "Laplace (add-one) smoothing", "Laplace smoothing"),
    (LAPLACE, "add-1 smoothing", "add-one smoothing"),
    (LAPLACE, "add 1 smoothing", "add-one smoothing"),
    (LAPLACE, "Laplce smoothing", "Laplace smoothing"),
    (MDE, "Minimum Detectable Effect (MDE)", "minimum detectable effect"),
    (MDE, "MDE (minimum detectable effect)", "MDE"),
    (MDE, "the minimum detectable effect", "minimum detectable effect"),
    (MDE, "minimum detectible efect", "minimum detectable effect"),
    (MDE, "MDEs", "MDE"),
    (DENDROGRAM, "the dendrogram", "dendrogram"),
    (DENDROGRAM, "dendogram", "dendrogram"),
    (DENDROGRAM, "Dendograms", "dendrogram"),
    (CANARY, "canary deployments", "canary deployment"),
    (CANARY, "a canary release", "canary release"),
    (CANARY, "canery", "canary"),
    (TYPE_II, "type-2 errors", "type II error"),
    (TYPE_II, "a false negative", "false negative"),
    (MEDIAN, "medain", "median"),
    (MEDIAN, "the medians", "median"),
    ("coding.algorithms.heapify-cost", "the O(n)", "O(n)"),
    ("math.hypothesis-testing.null-p-value-distribution", "a uniform (0, 1)", "uniform(0,1)"),
    ("ml.neural-network-training.dying-relu", "the dying ReLU problem", "dying ReLU problem"),
    ("ml.data-splits-leakage.loocv", "leave 1 out cross validation",
     "leave-one-out cross-validation"),
    ("design.monitoring-drift.ks-test", "Kolmogorov-Smirnov (KS) test",
     "Kolmogorov-Smirnov test"),
    ("ml.embeddings.product-quantisation", "product quantisations", "product quantization"),
    ("ml.svm-kernels.smo-name", "sequential minimal optimisaton",
     "sequential minimal optimization"),
    ("ml.feature-engineering.yeo-johnson", "the Yeo\u2013Johnson transform",
     "Yeo-Johnson transform"),
]

BANK_WRONG = [
    (LAPLACE, "add-two smoothing"),
    (LAPLACE, "Laplace (add-two) smoothing"),
    (LAPLACE, "label smoothing"),
    (MDE, "maximum detectable effect"),
    (MDE, "minimum effect"),
    (DENDROGRAM, "dendrite"),
    (CANARY, "blue-green deployment"),
    (CANARY, "shadow deployment"),
    (TYPE_II, "type I"),
    (TYPE_II, "type 1 error"),
    (TYPE_II, "type one error"),
    (TYPE_II, "type III error"),
    (TYPE_II, "false positive"),
    (MEDIAN, "mean"),
    (MEDIAN, "the mean"),
    (MEDIAN, "mode"),
    (MEDIAN, "sample mean"),
    ("coding.algorithms.heapify-cost", "O(n log n)"),
    ("coding.algorithms.heapify-cost", "n"),
    ("math.hypothesis-testing.null-p-value-distribution", "u"),
    ("math.hypothesis-testing.null-p-value-distribution", "0 1"),
    ("ml.neural-network-training.dying-relu", "dying GELU"),
    ("ml.neural-network-training.dying-relu", "dying ELU"),
    ("ml.nlp.nucleus-sampling", "top-k sampling"),
    ("ml.rnns-lstms.forget-gate", "input gate"),
    ("ml.rnns-lstms.forget-gate", "output gate"),
    ("ml.bias-variance.underfitting-term", "overfitting"),
    ("ml.bias-variance.underfitting-term", "high variance"),
    ("ml.bias-variance.irreducible-error", "reducible error"),
    ("ml.transformers-attention.pre-norm-name", "post-norm"),
    ("ml.transformers-attention.pre-norm-name", "post-LN"),
    ("ml.data-splits-leakage.loocv", "leave-two-out"),
    ("ml.data-splits-leakage.loocv", "leave-p-out"),
    ("ml.linear-logistic-regression.logit-name", "probit"),
    ("ml.linear-logistic-regression.logit-name", "login"),
    ("ml.linear-logistic-regression.logit-name", "logistic"),
    ("ml.clustering.adjusted-rand-index", "Rand index"),
    ("ml.clustering.adjusted-rand-index", "adjusted random index"),
    ("math.information-theory.nat-unit", "bits"),
    ("math.distributions.memoryless-name", "geometric"),
    ("math.probability-bayes.geometric-distribution-name", "exponential"),
    ("coding.sql.having-filters-groups", "WHERE"),
    ("ml.recommender-systems.cold-start-term", "warm start"),
]


@pytest.mark.parametrize(("uid", "text", "canonical"), BANK_ACCEPTED)
def test_bank_question_accepts_a_lenient_variant_and_names_the_answer(uid, text, canonical):
    result = grade(bank_payload(uid), text)
    assert result.correct, text
    assert result.notes["accepted_as"] == canonical
    assert result.feedback.startswith(f"Accepted as **{canonical}**")


@pytest.mark.parametrize(("uid", "text"), BANK_WRONG)
def test_bank_question_refuses_a_near_miss(uid, text):
    assert not grade(bank_payload(uid), text).correct, text


def test_an_exact_answer_carries_no_leniency_note():
    result = grade(bank_payload(MDE), "  Minimum detectable EFFECT. ")
    assert result.correct and result.notes == {} and result.feedback == ""


def test_typo_feedback_names_the_misspelt_word():
    result = grade(bank_payload(DENDROGRAM), "dendogram")
    assert result.notes["typos"] == [["dendogram", "dendrogram"]]
    assert "spelling: dendogram → dendrogram" in result.feedback


SYNTHETIC = [
    # (accepted answers, right variants, wrong near misses)
    (["precision"], ["precison", "precisions", "the precision"], ["recall", "prevision"]),
    (["L2 regularization", "L2", "ridge"], ["l-2 regularisation", "L2 regularizaton"],
     ["L1 regularization", "L1", "L3", "l 1"]),
    (["type I error", "false positive"], ["type one error", "type-1 errors", "falce positive"],
     ["type II error", "type 2", "false negative"]),
    (["bias", "high bias"], ["biases", "the high bias"], ["variance", "high variance"]),
    (["left join", "left outer join"], ["LEFT JOINs", "a left outer join"],
     ["right join", "right outer join", "inner join"]),
    (["ReLU", "rectified linear unit"], ["ReLUs", "rectifed linear units"],
     ["GELU", "ELU", "SELU", "leaky ReLU"]),
    (["mean"], ["means", "the mean"], ["median", "mode", "meen"]),
    (["micro F1", "micro-averaged F1"], ["micor F1", "micro-F1"],
     ["macro F1", "mcro F1", "micro F2", "macro-averaged F1"]),
    (["quantile"], ["quantle", "quantiles"], ["quartile", "quintile", "percentile"]),
    (["exploration"], ["exploraton", "explorations"], ["exploitation"]),
    (["stationary"], ["stationery"], ["stationarity"]),
    (["ANOVA"], ["an anova"], ["ANCOVA", "MANOVA"]),
    (["encoder"], ["encder", "encoders"], ["decoder"]),
    (["Adam"], ["adam"], ["Adan", "AdamW"]),
    (["word2vec"], ["word-2-vec"], ["word2vac", "word3vec"]),
    (["L1 regularisation", "L1", "lasso"], ["L1 (lasso)", "lasso (L1)"], ["L1 (L2)", "L2 (L1)"]),
]


@pytest.mark.parametrize(("answers", "right", "wrong"), SYNTHETIC)
def test_synthetic_payloads(answers, right, wrong):
    payload = SHORT.load({"answers": answers})
    for text in right:
        assert grade(payload, text).correct, text
    for text in wrong:
        assert not grade(payload, text).correct, text


def test_reject_entries_stay_wrong_and_guard_typos():
    plain = SHORT.load({"answers": ["Kalman filter"]})
    guarded = SHORT.load({"answers": ["Kalman filter"], "reject": ["Kalmar filter"]})
    assert grade(plain, "Kalmar filter").correct
    assert not grade(guarded, "Kalmar filter").correct
    assert not grade(guarded, "the Kalmar filters").correct
    assert grade(guarded, "Kalman filters").correct
    assert grade(guarded, "Kalman filter").correct


def test_reject_overrides_the_pattern():
    payload = SHORT.load({"answers": ["type II error"], "pattern": r"^type \w+ error$",
                          "reject": ["type I error"]})
    assert grade(payload, "type ii error").correct
    assert not grade(payload, "type I error").correct


def test_a_reject_entry_that_reads_as_an_answer_is_refused():
    with pytest.raises(ValidationError, match="reads as accepted"):
        SHORT.load({"answers": ["canary release"], "reject": ["the canary releases"]})
    with pytest.raises(ValidationError, match="letters or digits"):
        SHORT.load({"answers": ["canary"], "reject": ["--"]})


def test_pattern_still_accepts_without_a_note():
    payload = SHORT.load({"answers": ["softmax"], "pattern": r"^soft[ -]?max( function)?$"})
    result = grade(payload, "soft-max function")
    assert result.correct and result.notes == {}


@pytest.mark.parametrize(("word", "budget"), [
    ("mean", 0), ("relu", 0), ("canary", 1), ("quantile", 1), ("dendrogram", 2),
    ("word2vec", 0), ("l2", 0),
])
def test_typo_budget_thresholds(word, budget):
    assert typo_budget(word) == budget


def _with_article(answer: str) -> str:
    return answer if answer.casefold().startswith(ARTICLES) else f"the {answer}"


def _pluralised(answer: str) -> str | None:
    """The answer with its last word made plural, if that word is plural-folded at all."""
    last = tokens(answer)[-1]
    if not last.isalpha() or len(last) < 3 or not answer[-1].isalpha():
        return None
    if answer.endswith(("s", "x", "ch", "sh")):
        return answer + "es"
    if answer.endswith("y") and answer[-2] not in "aeiou":
        return answer[:-1] + "ies"
    return answer + "s"


@pytest.mark.parametrize("question", BANK_SHORT, ids=lambda q: q.uid)
def test_every_bank_answer_survives_an_article_and_a_plural(question):
    payload = SHORT.load(question.payload)
    for answer in payload.answers:
        variants = [_with_article(answer), _with_article(answer).upper()]
        if (plural := _pluralised(answer)) is not None:
            variants += [plural, _with_article(plural)]
        for text in variants:
            assert grade(payload, text).correct, text


def _same_topic_pairs():
    by_topic = defaultdict(list)
    for question in BANK_SHORT:
        by_topic[question.topic].append(question)
    return [(q, other) for group in by_topic.values() for q in group for other in group
            if q is not other]


def test_the_bank_has_short_text_questions_sharing_topics():
    assert len(BANK_SHORT) >= 70 and len(_same_topic_pairs()) >= 20


@pytest.mark.parametrize(("question", "other"), _same_topic_pairs(),
                         ids=lambda q: q.uid.rsplit(".", 1)[-1])
def test_no_question_accepts_another_questions_answer_from_its_topic(question, other):
    payload = SHORT.load(question.payload)
    for text in other.payload["answers"]:
        assert not grade(payload, text).correct, f"{question.uid} accepts {text!r}"
        assert not grade(payload, _with_article(text)).correct, text


def test_an_empty_reject_list_leaves_the_stored_payload_unchanged():
    """Existing questions must not get a new version just because ``reject`` exists."""
    assert SHORT.load({"answers": ["nat"]}).model_dump(mode="json") == {
        "answers": ["nat"], "pattern": None}
    with_reject = SHORT.load({"answers": ["nat"], "reject": ["bit"]}).model_dump(mode="json")
    assert with_reject["reject"] == ["bit"]


def _confusable_by_loop(given: str, expected: str, distance: int, terms) -> bool:
    """The confusables check written out as a plain loop (what ``_confusable`` replaces)."""
    from quizapp.grading.text_match import _typo_distance
    from quizapp.grading.text_match import plural_equal

    return any(not plural_equal(term, expected) and _typo_distance(given, term, distance)
               <= distance for term in terms)


def test_the_confusables_check_agrees_with_a_plain_loop():
    """Every bank answer word, misspelt in four ways, against the known terms."""
    from quizapp.grading.text_match import _confusable
    from quizapp.grading.text_match import known_terms

    terms = known_terms({"precision", "recall"})
    words = sorted({w for q in BANK_SHORT for a in SHORT.load(q.payload).answers
                    for w in tokens(a) if w.isalpha() and len(w) >= 5})
    assert len(words) > 50
    checked = confused = 0
    for word in words:
        for typed in (word[:-1], word + "s", word[:2] + word[3:], word[1:2] + word[0] + word[2:]):
            for distance in (1, 2):
                expected = _confusable_by_loop(typed, word, distance, terms)
                assert _confusable(typed, word, distance, terms) == expected, (typed, word)
                checked += 1
                confused += expected
    assert confused > 0 and checked - confused > 0  # both outcomes were exercised

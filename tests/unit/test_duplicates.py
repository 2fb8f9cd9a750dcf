from quizapp.bank.duplicates import duplicate_problems
from quizapp.bank.duplicates import jaccard
from quizapp.bank.duplicates import near_duplicates
from quizapp.bank.duplicates import shingles
from quizapp.bank.loader import Bank
from quizapp.bank.schema import BankQuestion

BASE = ("A screening test has sensitivity 90% and a false-positive rate of 9%. The disease "
        "affects 1% of people. What is the probability that a person who tests positive "
        "has the disease?")


def question(uid: str, body: str, choices=()) -> BankQuestion:
    payload = {"choices": [{"text": c, "correct": False} for c in choices]} if choices else {}
    return BankQuestion(uid=uid, topic="t", type="mcq", difficulty=1, expected_seconds=30,
                        body=body, explanation="e", hint=None, tags=[], payload=payload,
                        source=f"ml/{uid}.yaml")


def test_light_paraphrase_is_caught():
    paraphrase = ("A screening test has sensitivity 90% and a false positive rate of 9%. The "
                  "illness affects 1% of people. What is the probability that someone who "
                  "tests positive actually has the disease?")
    bank = Bank(questions=[question("a", BASE), question("b", paraphrase)])
    (pair,) = near_duplicates(bank)
    assert pair.similarity >= 0.4
    (problem,) = duplicate_problems(bank)
    assert problem.question == "b" and "'a'" in problem.message


def test_different_questions_with_shared_boilerplate_pass():
    other = ("Two fair dice are rolled. What is the probability that at least one shows a "
             "six? Give a probability between 0 and 1, rounded to 3 decimal places.")
    first = BASE + " Give a probability between 0 and 1, rounded to 3 decimal places."
    assert near_duplicates(Bank(questions=[question("a", first), question("b", other)])) == []


def test_same_stem_with_different_options_still_counts_the_options():
    stem = "Which of these is a regularisation method?"
    one = question("a", stem, ["Dropout", "Early stopping", "Weight decay"])
    two = question("b", stem, ["Batch size", "Learning rate", "Momentum"])
    assert jaccard(shingles(stem + " Dropout Early stopping Weight decay"),
                   shingles(stem + " Batch size Learning rate Momentum")) < 1
    assert len(near_duplicates(Bank(questions=[one, two]), threshold=0.9)) == 0


def test_shingles_fold_case_and_punctuation():
    assert shingles("The Bias-Variance trade-off!") == shingles("the bias variance trade off")

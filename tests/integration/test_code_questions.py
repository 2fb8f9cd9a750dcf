"""Code and sql questions through the web app: run examples (no attempt), submit, feedback."""

from __future__ import annotations

import html
import re
import textwrap

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.extensions import limiter
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version

BANK = """\
domain: coding
topic: runnable
title: Runnable
questions:
  - id: coding.runnable.double
    type: code
    difficulty: 2
    body: Implement `double(x)` returning twice `x`.
    explanation: Multiply by two.
    starter: |
      def double(x):
          raise NotImplementedError
    examples:
      - name: small number
        code: assert_equal(double(2), 4)
    tests:
      - name: zero
        code: assert_equal(double(0), 0)
      - name: arrays double elementwise
        code: assert_close(double(np.array([1.0, 2.5])), np.array([2.0, 5.0]))
      - name: secret negative case
        code: assert_equal(double(-7), -14)
    solution: |
      def double(x):
          return 2 * x
"""


def start_on_bank(client, auth, tmp_path, text: str, name: str = "runnable") -> tuple[str, str]:
    """Sync a one-file bank, sign up and start a quiz: its first question's URL and page."""
    (tmp_path / "coding").mkdir()
    (tmp_path / "coding" / f"{name}.yaml").write_text(text)
    bank = load_bank(tmp_path)
    assert bank.ok, [str(p) for p in bank.problems]
    sync_bank(bank, NOW)
    auth.register()
    url = client.post("/quiz/start").headers["Location"]
    return url, client.get(url).get_data(as_text=True)


@pytest.fixture
def code_quiz(client, auth, tmp_path):
    return start_on_bank(client, auth, tmp_path, BANK)


def _form(page: str, code: str) -> dict[str, str]:
    return {"key": form_key(page), "version": form_version(page), "shown": form_shown(page),
            "code": code}


def test_question_page_has_a_labelled_code_editor_textarea_with_the_starter(client, code_quiz):
    _url, page = code_quiz
    assert re.search(r'<label for="code">', page)
    assert 'data-code-editor="python"' in page and "raise NotImplementedError" in page
    assert "Run examples" in page and "Submit answer" in page
    # the visible example, highlighted (pygments' spans) as the editor and feedback are
    example = page.split('class="prose example-code">', 1)[1].split("</div>", 1)[0]
    assert example.startswith('<pre><code class="language-python">')
    assert re.sub(r"<[^>]+>", "", example).strip() == "assert_equal(double(2), 4)"
    assert '<span class="n">double</span>' in example
    assert "secret negative case" not in page and "double(-7)" not in page
    assert "<script>" not in page and " onclick=" not in page
    assert 'class="container quiz-page quiz-code"' in page  # the wider column for code


def test_run_examples_shows_results_and_writes_nothing(client, code_quiz):
    url, page = code_quiz
    fragment = client.post(url + "/run", data=_form(page, "def double(x):\n    return x + x\n"),
                           headers={"X-Requested-With": "fetch"})
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "1 of 1 example passed" in text
    assert "secret negative case" not in text and "<html" not in text
    assert db.session.scalar(select(func.count(Attempt.id))) == 0
    assert db.session.scalar(select(func.count(Card.id))) == 0


def test_run_examples_without_javascript_rerenders_the_page_keeping_the_code(client, code_quiz):
    url, page = code_quiz
    code = "def double(x):\n    return x * 3  # my attempt\n"
    response = client.post(url + "/run", data=_form(page, code))
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in text
    assert "0 of 1 example passed" in text and "expected 4, got 6" in text
    assert "# my attempt" in text and 'data-code-editor="python"' in text


def test_submit_grades_by_running_tests_with_partial_credit(client, code_quiz):
    url, page = code_quiz
    code = "def double(x):\n    return abs(2 * x)\n"
    response = client.post(url, data=_form(page, code))
    assert response.status_code == 302
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.score == pytest.approx(3 / 4) and not attempt.correct
    assert attempt.response["code"] == code
    assert [r["passed"] for r in attempt.response["results"]] == [True, True, True, False]
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Partly right (75%)" in feedback and "3 of 4 tests passed" in feedback
    assert "secret negative case" in feedback and "expected -14, got 14" in feedback
    assert "double(-7)" not in feedback  # hidden test code stays hidden
    assert "return 2 * x" in re.sub(r"<[^>]+>", "", feedback)  # the reference solution
    assert '<span class="k">return</span>' in feedback  # highlighted by pygments
    assert 'class="container quiz-page quiz-code"' in feedback


def test_later_hidden_failures_say_how_they_failed_but_not_their_inputs(client, code_quiz):
    url, page = code_quiz
    code = "def double(x):\n    if isinstance(x, int) and x == 0:\n        return 0\n" \
           "    raise ValueError('not zero')\n"
    feedback = client.get(client.post(url, data=_form(page, code)).headers["Location"])
    text = feedback.get_data(as_text=True)
    assert text.count("ValueError: not zero") == 2  # the example's and the first hidden's
    kinds = re.findall(r'data-testid="failure-kind">\(([^)]+)\)', text)
    assert kinds == ["raised ValueError"]  # the second hidden failure: how, not what
    assert "double(-7)" not in text


def test_learner_code_is_shown_highlighted_and_escaped_on_feedback_and_history(
        client, code_quiz):
    url, page = code_quiz
    code = ("def double(x):\n    # </code></pre><script>alert(1)</script>\n"
            "    return x + x  # <img src=x onerror=alert(2)>\n")
    response = client.post(url, data=_form(page, code))
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    answer = feedback.split('class="prose your-answer">', 1)[1].split("</div>", 1)[0]
    assert answer.startswith('<pre><code class="language-python"><span class="k">def</span>')
    assert "&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;" in answer
    assert "<script" not in feedback.replace('<script src="', "")
    assert "<img" not in feedback
    question_id = db.session.scalars(select(Attempt.question_id)).one()
    history = client.get(f"/progress/question/{question_id}").get_data(as_text=True)
    cell = history.split('class="answer-cell prose">', 1)[1].split("</td>", 1)[0]
    assert cell.startswith('<pre><code class="language-python">')
    assert "&lt;img src=x onerror=alert(2)&gt;" in cell and "<img" not in history


def test_an_empty_submission_is_refused_and_nothing_is_lost(client, code_quiz):
    url, page = code_quiz
    response = client.post(url, data=_form(page, "   "))
    assert response.status_code == 400 and "Write some code first" in response.get_data(
        as_text=True)
    assert db.session.scalar(select(func.count(Attempt.id))) == 0


def test_run_examples_is_rate_limited_per_learner(client, code_quiz, app):
    url, page = code_quiz
    app.config["CODE_RUN_RATE_LIMIT"] = "2 per minute"
    limiter.reset()
    try:
        statuses = [client.post(url + "/run", data=_form(page, "x = 1"),
                                headers={"X-Requested-With": "fetch"}).status_code
                    for _ in range(3)]
    finally:
        app.config.pop("CODE_RUN_RATE_LIMIT")
        limiter.reset()
    assert statuses == [200, 200, 429]


TWO_QUESTIONS = BANK + """\
  - id: coding.runnable.triple
    type: code
    difficulty: 2
    body: Implement `triple(x)` returning three times `x`.
    explanation: Multiply by three.
    starter: |
      def triple(x):
          raise NotImplementedError
    tests:
      - name: zero
        code: assert_equal(triple(0), 0)
      - name: one
        code: assert_equal(triple(1), 3)
      - name: negative
        code: assert_equal(triple(-2), -6)
    solution: |
      def triple(x):
          return 3 * x
"""


def test_graded_code_answers_share_a_per_learner_budget(client, auth, tmp_path, app):
    """A script answering code questions in a loop is stopped; the answer sent is kept."""
    url, page = start_on_bank(client, auth, tmp_path, TWO_QUESTIONS)
    app.config["CODE_ANSWER_RATE_LIMIT"] = "1 per minute"
    limiter.reset()
    try:
        stale = client.post(url, data={**_form(page, "x = 1"), "version": "999"})
        assert stale.status_code == 400  # refused before grading: no run, no budget spent
        first = client.post(url, data=_form(page, "def double(x):\n    return 2 * x\n"))
        assert first.status_code == 302
        nxt = client.get(first.headers["Location"]).get_data(as_text=True)
        url = re.search(r'href="(/quiz/\d+/q/2)"', nxt).group(1)
        page = client.get(url).get_data(as_text=True)
        code = "def triple(x):\n    return 3 * x\n"
        refused = client.post(url, data=_form(page, code))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        text = refused.get_data(as_text=True)
        assert "a lot of code answers in a short time" in text
        assert "return 3 * x" in text  # kept in the editor
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        limiter.reset()  # the minute has passed
        assert client.post(url, data=_form(page, code)).status_code == 302
    finally:
        app.config.pop("CODE_ANSWER_RATE_LIMIT")
        limiter.reset()
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


@pytest.mark.parametrize("version", ["01", "001", "+1", " 1", "1 "])
def test_another_spelling_of_the_version_neither_skips_the_budget_nor_runs(
        client, auth, tmp_path, app, monkeypatch, version):
    """The budget and the grading compared the version differently ("01" as text was not
    the version on screen, so it was not charged, yet as a number it was, so it ran):
    one spelling per version, and a form with another one runs nothing."""
    from quizapp.grading import code

    runs = []
    real_run = code.run_job
    monkeypatch.setattr(code, "run_job", lambda *a, **k: runs.append(1) or real_run(*a, **k))
    url, page = start_on_bank(client, auth, tmp_path, TWO_QUESTIONS)
    app.config["CODE_ANSWER_RATE_LIMIT"] = "1 per minute"
    limiter.reset()
    try:
        odd = client.post(url, data={**_form(page, "def double(x):\n    return 2 * x\n"),
                                     "version": version})
        assert odd.status_code == 400
        assert runs == []
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0
        first = client.post(url, data=_form(page, "def double(x):\n    return 2 * x\n"))
        assert first.status_code == 302 and len(runs) == 1  # the budget's one run, as shown
    finally:
        app.config.pop("CODE_ANSWER_RATE_LIMIT")
        limiter.reset()


SQL_BANK = textwrap.dedent("""\
    domain: coding
    topic: queries
    title: Queries
    questions:
      - id: coding.queries.adults
        type: sql
        difficulty: 2
        body: Names of people aged 18 or more, oldest first.
        explanation: Filter, then sort.
        schema: CREATE TABLE people (name TEXT, age INTEGER);
        seed: INSERT INTO people VALUES ('Ann', 30), ('Bob', 12), ('Cy', 18);
        hidden_seeds:
          - INSERT INTO people VALUES ('Dee', 18), ('Eve', 17);
        starter: SELECT name FROM people
        solution: SELECT name FROM people WHERE age >= 18 ORDER BY age DESC
        ordered: true
    """)


def test_sql_question_shows_both_results_and_clear_errors(client, auth, tmp_path):
    url, page = start_on_bank(client, auth, tmp_path, SQL_BANK, "queries")
    assert 'data-code-editor="sql"' in page
    data = page.split("<summary>Example data</summary>", 1)[1].split("</details>", 1)[0]
    text = html.unescape(re.sub(r"<[^>]+>", "", data))
    assert "CREATE TABLE people" in text and "('Bob', 12)" in text  # the rows to query
    assert "Dee" not in page  # the hidden data sets stay hidden
    run = client.post(url + "/run", data=_form(page, "SELECT name FROM people"),
                      headers={"X-Requested-With": "fetch"}).get_data(as_text=True)
    assert "The query returns 3 rows; 2 expected." in run and "Bob" in run and "Ann" in run
    assert run.count('<th scope="col">name</th>') == 2  # both results name their columns
    # ordered: Ann matches; Bob (learner's row 2) and Cy (theirs 3, expected 2) differ
    assert run.count('class="cell-differs"') == 3 and "values that differ" in run
    bad = client.post(url + "/run", data=_form(page, "SELECT name FORM people WHERE"),
                      headers={"X-Requested-With": "fetch"}).get_data(as_text=True)
    assert "syntax error" in bad
    response = client.post(url, data=_form(page, "SELECT name, age FROM people WHERE age >= 18 "
                                                 "ORDER BY age DESC"))
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.score == 0.0
    assert attempt.response["results"][0]["message"] == ("The query returns 2 columns; "
                                                          "1 expected.")
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "hidden data set 1" in feedback and "Dee" not in feedback


def test_nul_and_lone_surrogates_in_messages_and_output_are_stored_safely(client, code_quiz):
    url, page = code_quiz
    code = ("print('out\\x00put \\ud800')\n"
            "def double(x):\n    raise ValueError('bad \\x00 \\udcff value')\n")
    response = client.post(url, data=_form(page, code))
    assert response.status_code == 302
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.response["results"][0]["message"] == (
        "ValueError: bad \\0 ? value (line 3 of your code)")
    assert attempt.response["output"].startswith("out\\0put ?")
    assert client.get(response.headers["Location"]).status_code == 200


NAIVE_STARTER_BANK = BANK.replace(
    "      def double(x):\n          raise NotImplementedError\n",
    "      def double(x):\n          return abs(x) * 2  # fine for the easy cases\n")


def test_the_starter_sent_back_unchanged_earns_no_credit(client, auth, tmp_path):
    """A naive starter passes the easy tests; unchanged, it is not an answer."""
    url, page = start_on_bank(client, auth, tmp_path, NAIVE_STARTER_BANK)
    starter = "def double(x):  \r\n    return abs(x) * 2  # fine for the easy cases\r\n\r\n"
    response = client.post(url, data=_form(page, starter))
    attempt = db.session.scalars(select(Attempt)).one()
    passed = [r["passed"] for r in attempt.response["results"]]
    assert passed.count(True) == 3 and attempt.score == 0.0 and not attempt.correct
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="starter-unchanged"' in feedback and "Not quite." in feedback


def test_an_edited_starter_is_graded_by_its_tests(client, auth, tmp_path):
    url, page = start_on_bank(client, auth, tmp_path, NAIVE_STARTER_BANK)
    edited = "def double(x):\n    return abs(x) * 2 + 0\n"
    client.post(url, data=_form(page, edited))
    attempt = db.session.scalars(select(Attempt)).one()
    assert attempt.score == 0.75 and "starter_unchanged" not in attempt.response

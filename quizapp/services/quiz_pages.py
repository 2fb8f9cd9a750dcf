"""A quiz page's login check and its quiz read, in one statement.

Each page of the question loop (question, answer, feedback) ran two statements before its
own work: Flask-Login's user loader (the learner of the login token) and the quiz page's
read (``quiz_view.load_quiz_page``); the feedback page a third, its attempt. A statement
costs the worker a round trip on PostgreSQL (about 50 µs of CPU) and 15-20 µs on SQLite.
For the endpoints registered in ``PAGE_ENDPOINTS`` the user loader runs one statement that
answers all of them; the view then takes what the loader read (``take_page``,
``take_attempt``) instead of reading it again.

Nothing about the login check changes: Flask-Login still calls the loader, with its session
protection and remember-cookie logic, and the loader still finds the learner by the token's
digest and refuses an expired login. The quiz is read only as the learner's own (its user
must be the token's), and a view uses it only for the quiz and position it asked for.

On PostgreSQL, where a statement is a round trip, an answer's page (``ROWS_ENDPOINTS``) also
reads the rows the answer starts from (``answer_rows.READ_COLUMNS``: the card, topic skill,
question stats and time zone), for ``answer_batch.run_guarded``: one round trip fewer.
"""

from __future__ import annotations

import collections
import functools
from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam

from quizapp import request_state
from quizapp.models import Attempt
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import User
from quizapp.models.user import Learner
from quizapp.prepared import Prepared
from quizapp.services import answer_batch
from quizapp.services import answer_rows
from quizapp.services import sessions
from quizapp.services.quiz_view import PAGE_WIDTH
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import page_from_row
from quizapp.services.quiz_view import page_statement

PAGE_ENDPOINTS: set[str] = set()  # endpoints whose view reads the page (quiz_id, position)
ATTEMPT_ENDPOINTS: set[str] = set()  # of those, the ones that show the page item's attempt
ROWS_ENDPOINTS: set[str] = set()  # of those, the ones that answer the page item
# Kept in the request's WSGI environ (one per request, even where requests share an app
# context): (quiz id, position, user id, quiz view or None).
_STASH = "quizapp.quiz_page"
_ATTEMPT_STASH = "quizapp.page_attempt"  # (user id, attempt id, the attempt's row)
_ROWS_STASH = "quizapp.answer_rows"  # (user id, item id, answer_rows.READ_COLUMNS' values)
# the login and page columns, which the answer's rows follow where they are read
_PAGE_END = len(sessions.LOGIN_COLUMNS) + PAGE_WIDTH
_READ_WIDTH = len(answer_rows.READ_COLUMNS)
_ATTEMPT_COLUMNS = tuple(Attempt.__table__.columns)
# the attempt as reports.attempt_for gives it: a row of named columns
AttemptRow = collections.namedtuple("AttemptRow", [column.key for column in _ATTEMPT_COLUMNS])


def _with_read_columns(statement: Any, item: Any) -> Any:
    return answer_rows.join_read_columns(statement, User.id, item.c.question_id,
                                         Question.topic_id)


def _learner_and_page(with_attempt: bool, with_rows: bool, dialect: str) -> Any:
    rows = with_rows and dialect == answer_batch.GUARDED_DIALECT
    statement = page_statement(
        sessions.LOGIN_COLUMNS, start=sessions.LOGIN_FROM,
        quiz_on=and_(Quiz.id == bindparam("quiz_id"), Quiz.user_id == User.id),
        attempt_of=User.id if with_attempt else None,
        then=_with_read_columns if rows else None)
    return statement.where(sessions.LOGIN_WHERE)


_LEARNER_AND_PAGE = {
    (attempt, rows): Prepared(functools.partial(_learner_and_page, attempt, rows))
    for attempt, rows in ((False, False), (True, False), (False, True))}


def requested_page() -> tuple[int, int] | None:
    """(quiz id, position) when this request's view reads a quiz page, else None."""
    request = request_state.request()
    if request.endpoint not in PAGE_ENDPOINTS or not request.view_args:
        return None
    return request.view_args["quiz_id"], request.view_args["position"]


def learner_and_page(token: str, now: datetime, quiz_id: int,
                     position: int) -> Learner | None:
    """The login check of ``sessions.user_for_token``, reading the learner's quiz page in the
    same statement; the page is kept for ``take_page``."""
    params = sessions.login_parameters(token)
    if params is None:
        return None
    request = request_state.request()
    environ, endpoint = request.environ, request.endpoint
    with_attempt, with_rows = endpoint in ATTEMPT_ENDPOINTS, endpoint in ROWS_ENDPOINTS
    row = _LEARNER_AND_PAGE[with_attempt, with_rows].first(
        {**params, "quiz_id": quiz_id, "position": position})
    learner = sessions.learner_in(row, token, now)
    if learner is None:
        return None
    page = page_from_row(row[len(sessions.LOGIN_COLUMNS):])
    environ[_STASH] = (quiz_id, position, learner.id, page)
    if with_attempt and page is not None and page.page_item is not None:
        values = row[len(row) - len(_ATTEMPT_COLUMNS):]
        attempt = None if values[0] is None else AttemptRow._make(values)
        environ[_ATTEMPT_STASH] = (learner.id, page.page_item.attempt_id, attempt)
    if with_rows and page is not None and page.page_item is not None and (
            len(row) == _PAGE_END + _READ_WIDTH):  # PostgreSQL's statement reads them
        environ[_ROWS_STASH] = (learner.id, page.page_item.id, tuple(row[_PAGE_END:]))
    return learner


def take_page(user_id: int, quiz_id: int, position: int) -> tuple[bool, QuizView | None]:
    """The page the login check read, once: (True, the quiz or None when the learner has
    no such quiz), or (False, None) when it read none for this learner, quiz and position."""
    stash: Any = request_state.request().environ.pop(_STASH, None)
    if stash is None or stash[:3] != (quiz_id, position, user_id):
        return False, None
    return True, stash[3]


def take_attempt(user_id: int, attempt_id: int) -> tuple[bool, Any]:
    """The page item's attempt the login check read, once: (True, the row or None when the
    learner has no such attempt), or (False, None) when it read none for them and it."""
    stash: Any = request_state.request().environ.pop(_ATTEMPT_STASH, None)
    if stash is None or stash[:2] != (user_id, attempt_id):
        return False, None
    return True, stash[2]


def take_rows(user_id: int, item_id: int) -> tuple[Any, ...] | None:
    """The answer's rows the login check read for this learner's item (PostgreSQL), once:
    ``answer_rows.READ_COLUMNS``' values; None when it read none."""
    stash: Any = request_state.request().environ.pop(_ROWS_STASH, None)
    if stash is None or stash[:2] != (user_id, item_id):
        return None
    return stash[2]

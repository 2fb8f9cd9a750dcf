"""A quiz page's login check and its quiz read, in one statement.

Each page of the question loop (question, answer, feedback) ran two statements before its
own work: Flask-Login's user loader (the learner of the login token) and the quiz page's
read (``quiz_view.load_quiz_page``). A statement costs the worker a round trip on
PostgreSQL (about 50 µs of CPU) and 15-20 µs on SQLite. For the endpoints registered in
``PAGE_ENDPOINTS`` the user loader runs one statement that answers both; the view then
takes the quiz the loader read (``take_page``) instead of reading it again.

Nothing about the login check changes: Flask-Login still calls the loader, with its session
protection and remember-cookie logic, and the loader still finds the learner by the token's
digest and refuses an expired login. The quiz is read only as the learner's own (its user
must be the token's), and a view uses it only for the quiz and position it asked for.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_
from sqlalchemy import bindparam

from quizapp import request_state
from quizapp.models import Quiz
from quizapp.models import User
from quizapp.models.user import Learner
from quizapp.prepared import Prepared
from quizapp.services import sessions
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import page_from_row
from quizapp.services.quiz_view import page_statement

PAGE_ENDPOINTS: set[str] = set()  # endpoints whose view reads the page (quiz_id, position)
# Kept in the request's WSGI environ (one per request, even where requests share an app
# context): (quiz id, position, user id, quiz view or None).
_STASH = "quizapp.quiz_page"

_LEARNER_AND_PAGE = Prepared(
    page_statement(sessions.LOGIN_COLUMNS, start=sessions.LOGIN_FROM,
                   quiz_on=and_(Quiz.id == bindparam("quiz_id"), Quiz.user_id == User.id))
    .where(sessions.LOGIN_WHERE)
)


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
    row = _LEARNER_AND_PAGE.first({**params, "quiz_id": quiz_id, "position": position})
    learner = sessions.learner_in(row, token, now)
    if learner is not None:
        page = page_from_row(row[len(sessions.LOGIN_COLUMNS):])
        request_state.request().environ[_STASH] = (quiz_id, position, learner.id, page)
    return learner


def take_page(user_id: int, quiz_id: int, position: int) -> tuple[bool, QuizView | None]:
    """The page the login check read, once: (True, the quiz or None when the learner has
    no such quiz), or (False, None) when it read none for this learner, quiz and position."""
    stash: Any = request_state.request().environ.pop(_STASH, None)
    if stash is None or stash[:3] != (quiz_id, position, user_id):
        return False, None
    return True, stash[3]

"""'Run examples' for code and sql questions: not an attempt, rate-limited per learner."""

from __future__ import annotations

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask_login import current_user

from quizapp.blueprints.quiz import AnswerFields
from quizapp.blueprints.quiz import _own_item
from quizapp.blueprints.quiz import _own_quiz
from quizapp.blueprints.quiz import _question_context
from quizapp.extensions import limiter
from quizapp.forms import AnswerPost
from quizapp.login_state import login_required
from quizapp.services import code_runs
from quizapp.services import quiz_pages

bp = Blueprint("code_runs", __name__, url_prefix="/quiz")
quiz_pages.PAGE_ENDPOINTS.add("code_runs.run_examples")  # its login check reads the page

RUN_LIMIT = "20 per minute"


def _run_limit() -> str:
    return current_app.config.get("CODE_RUN_RATE_LIMIT", RUN_LIMIT)


def _learner_key() -> str:
    return f"code-run:{current_user.id}"


@bp.before_request
@login_required
def _require_login() -> None:
    """Running examples needs a logged-in learner."""


@bp.post("/<id:quiz_id>/q/<id:position>/run")
@limiter.limit(_run_limit, key_func=_learner_key)
def run_examples(quiz_id: int, position: int) -> str | tuple[str, int]:
    """Run the visible examples: an HTML fragment for scripts, else the question page."""
    quiz = _own_quiz(quiz_id, position)
    item = _own_item(quiz, position)
    form = AnswerPost.read(request.form)
    if not form.valid:
        abort(400)
    try:
        result = code_runs.run_examples(quiz, item, request.form)
    except code_runs.NotRunnable:
        abort(409)
    if request.headers.get("X-Requested-With") == "fetch":
        return render_template("widgets/_example_results.html", example_run=result)
    fields = AnswerFields(form.key, form.version, form.hints_used, form.shown)
    context = _question_context(quiz, item, fields)
    context["given"] = request.form
    return render_template("quiz/question.html", example_run=result, **context)

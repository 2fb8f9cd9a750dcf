"""The quiz loop: start, question, answer, feedback, summary."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from quizapp import run_budget
from quizapp import shown_stamps
from quizapp.core.clock import utcnow
from quizapp.forms import AnswerPost
from quizapp.forms import StartQuizForm
from quizapp.grading.base import ResponseError
from quizapp.grading.code import CodeQuestion
from quizapp.grading.registry import question_type
from quizapp.login_state import current_learner
from quizapp.login_state import login_required
from quizapp.randomness import SeededOnUse
from quizapp.randomness import request_rng
from quizapp.services import answers
from quizapp.services import modes
from quizapp.services import quiz_pages
from quizapp.services import quizzes
from quizapp.services import reports
from quizapp.services.quiz_view import ItemView
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import parsed_payload
from quizapp.template_urls import template_url_for

bp = Blueprint("quiz", __name__, url_prefix="/quiz")
# their login check reads the quiz page too (quiz_pages)
quiz_pages.PAGE_ENDPOINTS.update({"quiz.question", "quiz.answer", "quiz.feedback"})
quiz_pages.ATTEMPT_ENDPOINTS.add("quiz.feedback")  # and the item's attempt
quiz_pages.ROWS_ENDPOINTS.add("quiz.answer")  # and the rows an answer starts from


@bp.before_request
@login_required
def _require_login() -> None:
    """Every quiz page needs a logged-in learner."""


def _own_quiz(quiz_id: int, position: int = 0) -> QuizView:
    """The learner's quiz with the item at ``position`` and its progress (one statement, or
    none on the pages whose login check read it), else 404."""
    user_id = current_learner().id
    read, quiz = quiz_pages.take_page(user_id, quiz_id, position)
    if read:
        return quiz if quiz is not None else abort(404)
    try:
        return quizzes.get_quiz_view(user_id, quiz_id, position)
    except quizzes.QuizNotFound:
        abort(404)


def _own_item(quiz: QuizView, position: int) -> ItemView:
    try:
        return quizzes.get_item(quiz, position)
    except quizzes.QuizNotFound:
        abort(404)


@bp.post("/start")
def start() -> Response:
    """Start a daily review (or resume the unfinished one)."""
    form = StartQuizForm()
    if not form.validate_on_submit():
        abort(400)
    unfinished = quizzes.unfinished_quiz(current_learner().id)
    if unfinished is not None:
        return redirect(url_for("quiz.resume", quiz_id=unfinished.id))
    quiz = quizzes.start_daily_review(current_learner(), utcnow(), request_rng(), form.extra.data)
    if quiz is None:
        flash("Nothing to practise right now: no reviews are due and today's new questions "
              "are done. Come back later, or keep going with extra new questions.", "info")
        return redirect(url_for("main.index"))
    return redirect(url_for("quiz.question", quiz_id=quiz.id, position=1))


@bp.get("/<id:quiz_id>")
def resume(quiz_id: int) -> Response:
    """Go to the first unanswered question, or the summary when all are answered."""
    quiz = _own_quiz(quiz_id)
    if (over := _quiz_over(quiz)) is not None:
        return over
    if quiz.first_open is None:
        return redirect(url_for("quiz.summary", quiz_id=quiz.id))
    return redirect(url_for("quiz.question", quiz_id=quiz.id, position=quiz.first_open))


@bp.get("/<id:quiz_id>/q/<id:position>")
def question(quiz_id: int, position: int) -> str | Response:
    """Show one question."""
    quiz = _own_quiz(quiz_id, position)
    if (over := _quiz_over(quiz)) is not None:
        return over
    item = _own_item(quiz, position)
    if item.attempt_id is not None:
        return redirect(url_for("quiz.feedback", quiz_id=quiz.id, position=position))
    if quiz.first_open is not None and quiz.first_open != position:
        return redirect(url_for("quiz.question", quiz_id=quiz.id, position=quiz.first_open))
    fields = AnswerFields(uuid.uuid4().hex, str(item.question.version),
                          shown=_stamp(quiz, item))
    return render_template("quiz/question.html", **_question_context(quiz, item, fields))


@bp.post("/<id:quiz_id>/q/<id:position>")
def answer(quiz_id: int, position: int) -> Response | tuple[str, int]:
    """Grade an answer (idempotent per key), then redirect to the feedback page."""
    quiz = _own_quiz(quiz_id, position)
    late = modes.in_answer_grace(quiz, utcnow())  # time ran out as it was sent
    if not late and (over := _quiz_over(quiz)) is not None:
        return over
    item = _own_item(quiz, position)
    if item.attempt_id is None and quiz.first_open != position:
        return _out_of_turn(quiz)
    form = AnswerPost.read(request.form)
    shown_at = _shown_at(quiz, item, form.shown)
    if late and not (form.valid and shown_at is not None and shown_at < quiz.deadline):
        return _too_late(quiz)
    if not form.valid:
        fields = AnswerFields(uuid.uuid4().hex, str(item.question.version),
                              form.hints_used, _stamp(quiz, item, shown_at))
        return render_template("quiz/question.html", **_question_context(
            quiz, item, fields, error="The form was incomplete. Please answer again.")), 400
    if (wait := _charge_run(item, shown_at, form.version)) is not None:
        fields = AnswerFields(form.key, str(item.question.version), form.hints_used,
                              _stamp(quiz, item, shown_at))
        error = (f"You have sent a lot of code answers in a short time. Wait {wait} s, "
                 "then submit this one again (it is kept below).")
        page = render_template("quiz/question.html", **_question_context(
            quiz, item, fields, error=error))
        return page, 429, {"Retry-After": str(wait)}
    mode = quiz.mode  # read before the answer's commit expires the quiz
    try:
        result = answers.record_answer(quiz, item, request.form, form.key,
                                       int(form.hints_used), utcnow(), request_rng(),
                                       shown_version=int(form.version), shown_at=shown_at,
                                       read=quiz_pages.take_rows(quiz.user_id, item.id))
    except answers.OutOfTurn:
        return _out_of_turn(quiz)
    except answers.QuizGone:
        abort(404)
    except ResponseError as exc:
        if late:  # nothing gradable was on screen when time ran out
            return _too_late(quiz)
        fields = AnswerFields(form.key, str(item.question.version), form.hints_used,
                              _stamp(quiz, item, shown_at))
        return render_template("quiz/question.html", **_question_context(
            quiz, item, fields, error=str(exc))), 400
    if not result.repeated and mode == "replay":
        modes.requeue_misses(quiz, utcnow())
    if mode == "mock":  # no feedback until the end
        return redirect(url_for("quiz.resume", quiz_id=result.quiz_id))
    # every answer ends here: the link from a memoised pattern (template_urls)
    return redirect(template_url_for("quiz.feedback", quiz_id=result.quiz_id,
                                     position=result.position))


def _quiz_over(quiz: QuizView) -> Response | None:
    """A stopped or timed-out quiz takes no more answers: show its summary instead."""
    if modes.end_if_expired(quiz, utcnow()) or modes.stopped_early(quiz):
        return redirect(url_for("quiz.summary", quiz_id=quiz.id))
    return None


def _too_late(quiz: QuizView) -> Response:
    """An answer sent as time ran out that cannot be taken: the quiz ends, its summary
    shows."""
    modes.end_if_expired(quiz, utcnow())
    return redirect(url_for("quiz.summary", quiz_id=quiz.id))


def _out_of_turn(quiz: QuizView) -> Response:
    """An answer to a question that is not on screen: nothing graded, back to the quiz."""
    flash("That question is not open yet. Here is the one to answer now.", "info")
    return redirect(url_for("quiz.resume", quiz_id=quiz.id), code=303)


@bp.get("/<id:quiz_id>/q/<id:position>/feedback")
def feedback(quiz_id: int, position: int) -> str | Response:
    """Show whether the answer was right, the right answer and the explanation."""
    quiz = _own_quiz(quiz_id, position)
    item = _own_item(quiz, position)
    if quiz.mode == "mock" and quiz.finished_at is None and not modes.end_if_expired(
            quiz, utcnow()):
        return redirect(url_for("quiz.resume", quiz_id=quiz.id))  # no feedback until the end
    if item.attempt_id is None:
        return redirect(url_for("quiz.question", quiz_id=quiz.id, position=position))
    read, attempt = quiz_pages.take_attempt(current_learner().id, item.attempt_id)
    if not read:
        attempt = reports.attempt_for(current_learner().id, item.attempt_id)
    if attempt is None:
        abort(404)
    kind = question_type(item.question.type)
    payload = parsed_payload(item.question)
    return render_template(
        "quiz/feedback.html", quiz=quiz, item=item, question=item.question, kind=kind,
        payload=payload, attempt=attempt, widget=kind.widget(payload, _widget_rng(quiz, item)),
        next_position=quiz.first_open, progress=_progress(quiz),
    )


@bp.get("/<id:quiz_id>/summary")
def summary(quiz_id: int) -> str | Response:
    """Show the score, time, topics and upcoming reviews of a quiz."""
    try:  # the plain view of the quiz: its questions come from the worker's snapshots
        quiz = quizzes.get_quiz_view(current_learner().id, quiz_id)
    except quizzes.QuizNotFound:
        abort(404)
    if quiz.mode == "mock":
        return redirect(url_for("practice.report", quiz_id=quiz.id))
    now = utcnow()
    return render_template("quiz/summary.html", summary=reports.quiz_summary(quiz, now), now=now)


def _widget_rng(quiz: QuizView, item: ItemView) -> random.Random:
    """Same option order every time this item is shown (shuffled per attempt)."""
    return SeededOnUse(f"{quiz.seed}:{item.position}")  # type: ignore[return-value]


def _progress(quiz: QuizView) -> dict[str, int]:
    return {"answered": quiz.answered, "total": quiz.total}


@dataclass(frozen=True)
class AnswerFields:
    """The answer form's hidden values, as the question page writes them out."""

    key: str
    version: str
    hints_used: str = "0"
    shown: str = ""  # the signed moment the page was shown (``shown_stamps``)


def _stamp(quiz: QuizView, item: ItemView, shown_at: datetime | None = None) -> str:
    """The page's shown stamp: for ``shown_at`` when the form it re-renders had a valid
    one (the answer stays timed from the first showing), else for now."""
    return shown_stamps.stamp(current_app.secret_key, quiz.user_id, item.id,
                              shown_at or utcnow())


def _shown_at(quiz: QuizView, item: ItemView, value: str | None) -> datetime | None:
    return shown_stamps.shown_at(current_app.secret_key, value, quiz.user_id, item.id)


def _charge_run(item: ItemView, shown_at: datetime | None, version: str) -> int | None:
    """For a code or SQL answer that will run (open, shown, the version on screen), count
    the run against the learner's budget (``run_budget``): None when it may run, else the
    seconds to wait. An answer refused before grading costs nothing."""
    if (item.attempt_id is not None or shown_at is None
            or int(version) != item.question.version  # as ``record_answer`` compares it
            or not isinstance(question_type(item.question.type), CodeQuestion)):
        return None
    return run_budget.charge(current_learner().id)


def _question_context(quiz: QuizView, item: ItemView, fields: AnswerFields,
                      error: str | None = None) -> dict[str, Any]:
    kind = question_type(item.question.type)
    payload = parsed_payload(item.question)
    return {
        "quiz": quiz, "item": item, "question": item.question, "kind": kind,
        "payload": payload, "widget": kind.widget(payload, _widget_rng(quiz, item)),
        "fields": fields, "error": error, "given": request.form if error else {},
        "progress": _progress(quiz),
    }

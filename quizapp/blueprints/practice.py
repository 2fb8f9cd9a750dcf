"""Practice modes: the mode picker, starting each mode, the drill tree, stopping a quiz and
the mock-interview report."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from quizapp.core.clock import utcnow
from quizapp.core.modes import expand_selection
from quizapp.forms import DrillForm
from quizapp.forms import EmptyForm
from quizapp.forms import MockForm
from quizapp.forms import ReplayForm
from quizapp.login_state import login_required
from quizapp.models import Quiz
from quizapp.models.quiz import MODES
from quizapp.randomness import request_rng
from quizapp.services import mode_reports
from quizapp.services import modes
from quizapp.services import quizzes

DRILL_SIZES = frozenset(DrillForm.size.kwargs["choices"])
_DOMAIN = re.compile(r"[a-z][a-z_-]{0,39}")  # a domain name (``Topic.domain``)

bp = Blueprint("practice", __name__, url_prefix="/practice")

NOTHING = {
    "daily": "Nothing to practise right now: no reviews are due and today's new questions "
             "are done. \"Keep going with new questions\" gives you more.",
    "weak": "No weak-area questions right now: answer a few questions first, or come back "
            "tomorrow (questions answered in the last day are left out).",
    "replay": "No missed questions in that period.",
    "mock": "The question bank is empty.",
    "drill": "Those topics have no questions.",
}


@bp.before_request
@login_required
def _require_login() -> None:
    """Every practice page needs a logged-in learner."""


@bp.get("/")
def index() -> str:
    """Pick a mode (with its options)."""
    return render_template("quiz/modes.html", card=mode_reports.practice_card(current_user,
                                                                                utcnow()),
                           form=EmptyForm(), replay_form=ReplayForm(), mock_form=MockForm())


@bp.post("/start/<any(daily, weak, replay, mock):mode>")
def start(mode: str) -> Response | tuple[str, int]:
    """Start a mode in one click (or offer to resume or abandon the open quiz)."""
    form = {"replay": ReplayForm, "mock": MockForm}.get(mode, EmptyForm)()
    if not form.validate_on_submit():
        flash("Those options are not valid; pick again.", "error")
        return redirect(url_for("practice.index"))
    now, rng = utcnow(), request_rng()
    starters: dict[str, Callable[[], Quiz | None]] = {
        "daily": lambda: _start_daily(now, rng),
        "weak": lambda: modes.start_weak_areas(current_user, now, rng),
        "replay": lambda: modes.start_replay(current_user, form.days.data, now, rng),
        "mock": lambda: modes.start_mock(current_user, form.minutes.data, now, rng),
    }
    return _start(mode, starters[mode])


def _start_daily(now: datetime, rng: random.Random) -> Quiz | None:
    """A daily review; a quiz of another mode opened meanwhile (a start racing this one:
    ``start_daily_review`` then hands back the open quiz) is offered to resume or abandon,
    as the other modes' starts do, instead of being entered as if it were the review."""
    quiz = quizzes.start_daily_review(current_user, now, rng)
    if quiz is not None and quiz.mode != "daily":
        raise modes.OpenQuizExists(quiz)
    return quiz


def _start(mode: str, starter: Callable[[], Quiz | None]) -> Response | tuple[str, int]:
    current = modes.open_quiz(current_user.id, utcnow())
    if current is not None:
        return _open_quiz_page(current, mode)
    try:
        quiz = starter()
    except modes.OpenQuizExists as exc:
        if exc.quiz is None:
            abort(409)
        return _open_quiz_page(exc.quiz, mode)
    if quiz is None:
        flash(NOTHING[mode], "info")
        return redirect(url_for("practice.drill" if mode == "drill" else "practice.index"))
    return redirect(url_for("quiz.question", quiz_id=quiz.id, position=1))


def _open_quiz_page(current: Quiz, mode: str) -> tuple[str, int]:
    back = url_for("practice.drill") if mode == "drill" else url_for("practice.index")
    carry = _drill_choice(request.form) if mode == "drill" else {}
    return render_template("quiz/open_quiz.html", current=current, wanted=MODES[mode],
                           back=back, form=EmptyForm(), carry=carry), 409


@bp.route("/drill", methods=["GET", "POST"])
def drill() -> str | Response | tuple[str, int]:
    """Choose domains and topics, then drill them."""
    form = DrillForm()
    tree = modes.topic_tree()
    error = None
    if request.method == "POST":
        chosen = _chosen_topics(tree)
        if form.validate_on_submit() and chosen:
            return _start("drill", lambda: modes.start_drill(
                current_user, chosen, form.size.data, utcnow(), request_rng()))
        error = "Pick at least one topic." if not chosen else "Those options are not valid."
    chosen_before = request.form if request.method == "POST" else request.args
    if request.method == "GET" and (size := _drill_choice(request.args)["size"]):
        form.size.data = int(size[0])  # a choice kept from the open-quiz page
    page = render_template("quiz/drill.html", form=form, tree=tree, error=error,
                           ticked_topics=set(chosen_before.getlist("topic")),
                           ticked_domains=set(chosen_before.getlist("domain")))
    return (page, 400) if error else page


def _topic_ids(values: list[str]) -> list[str]:
    """The values that are topic ids: ASCII digits only (``str.isdigit()`` also accepts "²"
    or "①", which ``int()`` refuses)."""
    return [v for v in values if v.isascii() and v.isdigit() and len(v) < 10]


def _chosen_topics(tree: list[modes.DomainNode]) -> list[int]:
    ids = [int(v) for v in _topic_ids(request.form.getlist("topic"))]
    shape = {d.domain: [t.id for t in d.topics] for d in tree}
    return expand_selection(shape, request.form.getlist("domain"), ids)


@bp.post("/quiz/<id:quiz_id>/abandon")
def abandon(quiz_id: int) -> Response:
    """Stop a quiz: unanswered questions stay unanswered; a mock interview is scored."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        quiz = modes.abandon(current_user.id, quiz_id, utcnow())
    except modes.QuizNotFound:
        abort(404)
    back = request.form.get("next", "")
    if back == url_for("practice.drill"):  # the drill asked for, its choice kept
        flash(f"Your {quiz.mode_label.lower()} is stopped. Your choice is kept below: "
              "start the drill.", "info")
        return redirect(url_for("practice.drill", **_drill_choice(request.form)))
    if back == url_for("practice.index"):
        flash(f"Your {quiz.mode_label.lower()} is stopped. Pick what to practise next.", "info")
        return redirect(back)
    return redirect(url_for("quiz.summary", quiz_id=quiz.id))


def _drill_choice(values: Any) -> dict[str, list[str]]:
    """The drill form's topics, domains and size from ``values``, well-formed ones only
    (they travel through the open-quiz page into the drill page's address)."""
    return {"topic": _topic_ids(values.getlist("topic")[:200]),
            "domain": [v for v in values.getlist("domain")[:20] if _DOMAIN.fullmatch(v)],
            "size": [v for v in values.getlist("size")[:1] if v in DRILL_SIZES]}


@bp.get("/quiz/<id:quiz_id>/report")
def report(quiz_id: int) -> str | Response:
    """The mock interview's scored report, once it is over (finished or out of time)."""
    try:
        quiz = quizzes.get_quiz(current_user.id, quiz_id)
    except quizzes.QuizNotFound:
        abort(404)
    if quiz.mode != "mock":
        return redirect(url_for("quiz.summary", quiz_id=quiz.id))
    modes.end_if_expired(quiz, utcnow())
    if quiz.finished_at is None:
        return redirect(url_for("quiz.resume", quiz_id=quiz.id))
    return render_template("quiz/mock_report.html", report=mode_reports.mock_report(quiz))


@bp.app_template_global()
def seconds_left(quiz: Quiz) -> int:
    """Whole seconds until a timed quiz's deadline (0 when past or untimed)."""
    if quiz.deadline is None:
        return 0
    return max(0, int((quiz.deadline - utcnow()).total_seconds()))

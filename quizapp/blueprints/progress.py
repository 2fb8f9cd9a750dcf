"""Progress pages: topic, question history, leaderboard; the learner's data (export, delete)."""

from __future__ import annotations

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask_login import current_user
from flask_login import logout_user

from quizapp import charts
from quizapp import login_throttle
from quizapp.core.clock import utcnow
from quizapp.forms import DeleteAccountForm
from quizapp.forms import EmptyForm
from quizapp.grading.registry import question_type
from quizapp.login_state import login_required
from quizapp.services import account_data
from quizapp.services import accounts
from quizapp.services import leaderboard as leaderboard_service
from quizapp.services import modes
from quizapp.services import topic_pages

bp = Blueprint("progress", __name__)


@bp.record_once
def _chart_helpers(state: BlueprintSetupState) -> None:
    state.app.jinja_env.globals["charts"] = charts  # the SVG chart builders, for templates


@bp.before_request
@login_required
def _require_login() -> None:
    """Every progress page needs a logged-in learner."""


@bp.get("/progress/topic/<slug>")
def topic(slug: str) -> str:
    """Stats, skill history and every question's state for one topic."""
    page = topic_pages.topic_page(current_user.id, slug[:80], utcnow())
    if page is None:
        abort(404)
    return render_template("progress/topic.html", page=page, form=EmptyForm(),
                           domain=modes.domain_label(page.topic.domain))


@bp.get("/progress/question/<id:question_id>")
def question(question_id: int) -> str:
    """Each of the learner's attempts at one question."""
    history = topic_pages.question_history(current_user.id, question_id, utcnow())
    if history is None:
        abort(404)
    kind = question_type(history.question.type)
    return render_template("progress/question.html", history=history, kind=kind,
                           payload=kind.load(history.question.payload))


@bp.get("/leaderboard")
def leaderboard() -> str:
    """Learners who opted in, by right answers over the last seven days."""
    return render_template("progress/leaderboard.html",
                           entries=leaderboard_service.leaderboard(utcnow()), form=EmptyForm())


@bp.post("/leaderboard/<any(join, leave):action>")
def leaderboard_membership(action: str) -> Response:
    """Join or leave the leaderboard; leaving removes the learner at once."""
    if EmptyForm().validate_on_submit():
        leaderboard_service.set_opt_in(accounts.account_for(current_user), action == "join")
        flash("You are on the leaderboard." if action == "join"
              else "You left the leaderboard; nobody sees you there any more.", "info")
    return redirect(url_for("progress.leaderboard"))


@bp.get("/account/export.<any(json, zip):fmt>")
def export(fmt: str) -> Response:
    """Download everything stored about the learner (JSON, or CSV files in a zip)."""
    if fmt == "json":
        body, mimetype = account_data.export_json(current_user, utcnow()), "application/json"
    else:
        body, mimetype = account_data.export_csv_zip(current_user, utcnow()), "application/zip"
    name = f"quizapp-data.{fmt}"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/account/delete", methods=["GET", "POST"])
def delete_account() -> str | Response | tuple[str, int]:
    """Ask for the password, then remove the account and every row of the learner's."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        if login_throttle.check_logged_in_password(current_user.email, lambda: (
                account_data.delete_account(current_user, form.password.data))):
            logout_user()
            flash("Your account and all your data are deleted.", "info")
            return redirect(url_for("main.index"))
        form.password.errors.append("That is not your password.")
    page = render_template("progress/delete.html", form=form)
    return (page, 400) if form.errors else page

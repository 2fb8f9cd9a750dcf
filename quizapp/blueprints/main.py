"""Home (landing page or dashboard) and settings."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from werkzeug.wrappers import Response

from quizapp.core.clock import utcnow
from quizapp.forms import SettingsForm
from quizapp.forms import StartQuizForm
from quizapp.services import accounts
from quizapp.services import quizzes
from quizapp.services import reports

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """Show the dashboard, or the landing page to visitors."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    now = utcnow()
    board = reports.dashboard(current_user, now, quizzes.unfinished_quiz(current_user.id))
    return render_template("main/dashboard.html", board=board, now=now, form=StartQuizForm())


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    """Edit display name, daily goal and time zone."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        accounts.update_settings(current_user, form.display_name.data, form.daily_goal.data,
                                 form.timezone.data)
        flash("Settings saved.", "success")
        return redirect(url_for("main.settings"))
    status = 400 if form.errors else 200
    return render_template("main/settings.html", form=form), status


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}

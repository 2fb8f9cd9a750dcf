"""Home (landing page or dashboard) and settings."""

from __future__ import annotations

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import current_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from quizapp import login_throttle
from quizapp.core.clock import utcnow
from quizapp.forms import MAX_DAILY_GOAL
from quizapp.forms import ChangePasswordForm
from quizapp.forms import DailyGoalForm
from quizapp.forms import EmptyForm
from quizapp.forms import SettingsForm
from quizapp.forms import StartQuizForm
from quizapp.login_state import login_required
from quizapp.services import accounts
from quizapp.services import health
from quizapp.services import mode_reports
from quizapp.services import preferences
from quizapp.services import progress
from quizapp.services import reports
from quizapp.services import sessions
from quizapp.services.modes import open_quiz

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> str:
    """Show the dashboard, or the landing page to visitors."""
    if not current_user.is_authenticated:
        return render_template("main/landing.html")
    now = utcnow()
    unfinished = open_quiz(current_user.id, now)  # ends an overdue mock first
    standing = progress.dashboard(current_user, now)  # today's and the bank's counts too
    practice = mode_reports.practice_card_from(current_user, now, unfinished,
                                               standing.total_answers)
    return render_template("main/dashboard.html", now=now, form=StartQuizForm(),
                           board=reports.dashboard(current_user, now, unfinished),
                           practice=practice, progress=standing)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings() -> str | Response | tuple[str, int]:
    """Edit display name, daily goal and time zone."""
    form = SettingsForm(obj=current_user)
    if form.validate_on_submit():
        plan = preferences.Preferences(
            form.interview_date.data, form.target_readiness.data or current_user.target_readiness,
            form.target_retention.data, form.theme.data, form.leaderboard_opt_in.data)
        accounts.update_settings(accounts.account_for(current_user), form.display_name.data,
                                 form.daily_goal.data, form.timezone.data, form.focus.data, plan)
        flash("Settings saved.", "success")
        return redirect(url_for("main.settings"))
    return _settings_page(form=form)


@bp.get("/settings/password", defaults={"anchor": "password-heading"})
@bp.get("/settings/logout-everywhere", defaults={"anchor": "sessions-heading"})
@login_required
def settings_section(anchor: str) -> Response:
    """These forms post to their own address, so a reload after a refused change asks for
    it: send it to the settings page, at the form (it was a 405 page)."""
    return redirect(url_for("main.settings") + f"#{anchor}")


@bp.post("/settings/password")
@login_required
def change_password() -> str | Response | tuple[str, int]:
    """Change the password (the current one is required); other devices are logged out."""
    form = ChangePasswordForm()
    form.account_context = [current_user.email, current_user.display_name]
    if form.validate_on_submit():
        account = accounts.account_for(current_user)
        new_hash = login_throttle.check_logged_in_password(account.email, lambda: (
            accounts.change_password(account, form.current.data, form.password.data)))
        if new_hash is not None:
            flash("Password changed. Every other device was logged out.", "success")
            response = redirect(url_for("main.settings"))
            # this browser proved the new password: it stays trusted (the others' trust,
            # earned with the old one, has ended)
            login_throttle.remember_device(response, account.email, new_hash)
            return response
        form.current.errors.append("That is not your current password.")
    return _settings_page(password_form=form)


@bp.post("/settings/daily-goal")
@login_required
def daily_goal() -> Response:
    """Set the daily goal in one click (the plan's offer on the dashboard)."""
    form = DailyGoalForm()
    if form.validate_on_submit():
        accounts.set_daily_goal(accounts.account_for(current_user), form.goal.data)
        flash(f"Your daily goal is now {form.goal.data} questions.", "success")
    else:
        flash("That daily goal is not valid; set it in Settings (1 to "
              f"{MAX_DAILY_GOAL} questions).", "error")
    return redirect(url_for("main.index"))


@bp.post("/settings/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    """End every login of this account, this one included."""
    if EmptyForm().validate_on_submit():
        sessions.end_all_sessions(current_user.id)
        logout_user()
        flash("You are logged out on every device.", "info")
    return redirect(url_for("main.index"))


def _settings_page(form: SettingsForm | None = None,
                   password_form: ChangePasswordForm | None = None) -> tuple[str, int]:
    # a form not sent shows the stored settings, not the other form's fields (a refused
    # password change had unticked the leaderboard box: no such field in its post)
    forms = {"form": form or SettingsForm(formdata=None, obj=current_user),
             "password_form": password_form or ChangePasswordForm(formdata=None),
             "logout_form": EmptyForm(formdata=None)}
    failed = any(f.errors for f in forms.values())
    devices = sessions.active_sessions(current_user.id, utcnow())
    return render_template("main/settings.html", devices=devices, **forms), 400 if failed else 200


@bp.get("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    """Readiness: 200 when the database answers, else 503 with the reason."""
    if (problem := health.database_problem()) is not None:
        return {"status": "unavailable", "reason": problem}, 503
    return {"status": "ok"}, 200

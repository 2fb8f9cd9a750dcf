"""Register, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from quizapp.core.clock import utcnow
from quizapp.extensions import limiter
from quizapp.forms import EmptyForm
from quizapp.forms import LoginForm
from quizapp.forms import RegisterForm
from quizapp.ratelimit_keys import login_email_key
from quizapp.services import accounts

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _email_limit() -> str:
    return current_app.config["LOGIN_EMAIL_RATE_LIMIT"]


def safe_next(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site (no scheme, host or '//')."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return None
    return target


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def register() -> str | Response | tuple[str, int]:
    """Create an account and log in."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register_user(form.email.data, form.password.data,
                                          form.display_name.data, utcnow(),
                                          current_app.config["DEFAULT_DAILY_GOAL"])
        except accounts.EmailTaken:
            form.email.errors.append("An account with this email already exists. Log in instead?")
        else:
            login_user(user)
            flash(f"Welcome, {user.display_name}! Start your first daily review below.",
                  "success")
            return redirect(url_for("main.index"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@limiter.limit(_email_limit, methods=["POST"], key_func=login_email_key)
def login() -> str | Response | tuple[str, int]:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data) or url_for("main.index"))
        form.password.errors.append("Wrong email or password.")
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out (POST with CSRF token)."""
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))

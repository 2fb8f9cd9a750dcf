"""Register, log in, log out, reset a forgotten password."""

from __future__ import annotations

from contextlib import suppress
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from werkzeug.wrappers import Response

from quizapp import csrf_tokens
from quizapp import login_throttle
from quizapp.core.clock import utcnow
from quizapp.extensions import limiter
from quizapp.forms import EmptyForm
from quizapp.forms import LoginForm
from quizapp.forms import RegisterForm
from quizapp.forms import ResetPasswordForm
from quizapp.login_state import login_required
from quizapp.models import User
from quizapp.ratelimit_keys import login_account_client_key
from quizapp.services import accounts
from quizapp.services import sessions

bp = Blueprint("auth", __name__, url_prefix="/auth")

# The same words whether the email was new or already registered (no account enumeration).
REGISTERED = ("Sign-up done. Now log in with the password you just chose. (If this email "
              "already had an account, that account's password still applies.)")


def _auth_limit() -> str:
    return current_app.config["AUTH_RATE_LIMIT"]


def _account_client_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_CLIENT_RATE_LIMIT"]


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
    """Create an account, then send the learner to log in.

    A new and an already registered email get the same answer (and cost the same time), so
    the form cannot be used to find out who has an account.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        with suppress(accounts.EmailTaken):  # same answer either way
            accounts.register_user(form.email.data, form.password.data, form.display_name.data,
                                   utcnow(), current_app.config["DEFAULT_DAILY_GOAL"],
                                   form.chosen_timezone())
        session["login_email"] = accounts.normalise_email(form.email.data)
        flash(REGISTERED, "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
@limiter.limit(_account_client_limit, methods=["POST"], key_func=login_account_client_key,
               exempt_when=login_throttle.is_trusted_device)
def login() -> str | Response | tuple[str, int]:
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        form.email.data = session.pop("login_email", None)
    if form.validate_on_submit():
        email = form.email.data
        trusted = login_throttle.is_trusted_device(email)
        if not trusted and (wait := login_throttle.wait_seconds(email)):
            return login_throttle.locked_response(wait)
        user = accounts.authenticate(email, form.password.data)
        if user is not None:
            login_throttle.record_success(email)
            password_hash = user.password_hash  # read before the login's commit expires it
            _log_in(user, remember=form.remember.data)
            response = redirect(safe_next(form.next.data) or url_for("main.index"))
            login_throttle.remember_device(response, email, password_hash)
            return response
        if trusted:
            login_throttle.record_device_failure(email)
        else:
            login_throttle.record_failure(email)
        form.password.errors.append("Wrong email or password.")
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


def _log_in(user: User, remember: bool) -> None:
    """Start a new login session (a new token, so a new remember cookie) and log in."""
    config = current_app.config
    lifetime = (config["REMEMBER_COOKIE_DURATION"] if remember
                else timedelta(hours=config["LOGIN_SESSION_HOURS"]))
    sessions.start_session(user, remember, lifetime, utcnow(),
                           request.headers.get("User-Agent", ""))
    session.permanent = False
    csrf_tokens.renew_secret()  # a token from before the login is no good after it
    login_user(user, remember=remember, duration=lifetime if remember else None)


@bp.post("/logout")
@login_required
def logout() -> Response:
    """Log out this device (POST with CSRF token); its cookies stop working."""
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end_session(current_user.login_token)
        logout_user()
        flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_auth_limit, methods=["POST"])
def reset(token: str) -> str | Response | tuple[str, int]:
    """Set a new password from a one-time link an operator made (``flask user reset-password``)."""
    config = current_app.config
    user = accounts.user_for_reset_token(token, config["SECRET_KEY"],
                                         config["PASSWORD_RESET_MAX_AGE"])
    if user is None:  # a page that says what went wrong, not the generic "not found"
        hours = max(1, round(config["PASSWORD_RESET_MAX_AGE"] / 3600))
        return render_template("auth/reset_invalid.html", hours=hours), 404
    form = ResetPasswordForm()
    form.account_context = [user.email, user.display_name]
    if form.validate_on_submit():
        accounts.reset_password(user, form.password.data)
        if current_user.is_authenticated:
            logout_user()
        session["login_email"] = user.email
        flash("Your password is changed and every device was logged out. Log in again.",
              "success")
        return redirect(url_for("auth.login"))
    status = 400 if form.errors else 200
    return render_template("auth/reset.html", form=form, email=user.email), status

"""Flask-Login's per-request work, with fewer context look-ups and hashes.

Every request of a logged-in learner ran Flask-Login's session-protection check (a SHA-512
of the client's address and user agent), its remember-cookie hook and, on each protected
page, ``login_required``: about fifteen ``LocalProxy`` look-ups (~0.8 µs each) and a hash per
request, where the answer is the same as on the previous request. Here:

- ``LearnerLoginManager`` memoises the session identifier per (address, user agent) and runs
  the remember-cookie hook only when it has something to do (the session asks to set or
  clear the cookie, or ``REMEMBER_COOKIE_REFRESH_EACH_REQUEST`` is on);
- ``login_required`` and the templates' ``current_user`` are Flask-Login's, reading the
  request and the user directly.

What they decide is Flask-Login's: the identifier is computed exactly as it does (so
sessions made by either match), and the cookie and redirect logic is its own code.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from hashlib import sha512
from typing import Any
from typing import TypeVar

from flask import Flask
from flask import has_request_context
from flask_login import LoginManager
from flask_login.config import EXEMPT_METHODS

from quizapp import request_state

IDENTIFIER_MEMORY = 4096  # distinct (address, user agent) pairs remembered per worker
_IDENTIFIERS: dict[tuple[str | None, str | None, str | None], str] = {}
F = TypeVar("F", bound=Callable[..., Any])


def session_identifier() -> str:
    """Flask-Login's ``_create_identifier``: SHA-512 of "address|user agent", memoised."""
    request = request_state.request()
    environ = request.environ
    # Remembered by the raw WSGI values (what the headers below are decoded from): looking
    # up a header the request lacks raised and caught an exception in Werkzeug.
    key = (environ.get("HTTP_X_FORWARDED_FOR"), environ.get("REMOTE_ADDR"),
           environ.get("HTTP_USER_AGENT"))
    identifier = _IDENTIFIERS.get(key)
    if identifier is None:
        headers = request.headers
        address = headers.get("X-Forwarded-For", request.remote_addr)
        user_agent = headers.get("User-Agent")
        first = None if address is None else address.encode("utf-8").split(b",")[0].strip()
        agent = None if user_agent is None else user_agent.encode("utf-8")
        identifier = sha512(f"{first}|{agent}".encode()).hexdigest()
        if len(_IDENTIFIERS) >= IDENTIFIER_MEMORY:
            _IDENTIFIERS.clear()
        _IDENTIFIERS[key] = identifier
    return identifier


class LearnerLoginManager(LoginManager):
    """``LoginManager`` with the memoised identifier and a remember-cookie hook that returns
    at once when there is nothing to set or clear."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._session_identifier_generator = session_identifier

    def init_app(self, app: Flask, add_context_processor: bool = True) -> None:
        """Flask-Login's set-up; templates get ``current_user`` from ``_user_context``."""
        super().init_app(app, add_context_processor=False)
        if add_context_processor:
            app.context_processor(_user_context)

    def _update_remember_cookie(self, response: Any) -> Any:
        if "_remember" not in request_state.session() and not request_state.app().config.get(
                "REMEMBER_COOKIE_REFRESH_EACH_REQUEST"):
            return response
        return super()._update_remember_cookie(response)


def _user_context() -> dict[str, Any]:
    """Flask-Login's template context: the request's user (None outside a request)."""
    return {"current_user": current_learner() if has_request_context() else None}


def current_learner() -> Any:
    """``current_user`` without the proxy: the request's user (Flask-Login loads it once)."""
    g = request_state.g()
    if "_login_user" not in g:
        request_state.app().login_manager._load_user()
    return g._login_user


def login_required(view: F) -> F:
    """Flask-Login's ``login_required``, reading the request and the user directly."""

    @functools.wraps(view)
    def decorated_view(*args: Any, **kwargs: Any) -> Any:
        app = request_state.app()
        if request_state.request().method in EXEMPT_METHODS or app.config.get(
                "LOGIN_DISABLED"):
            pass
        elif not current_learner().is_authenticated:
            return app.login_manager.unauthorized()
        return app.ensure_sync(view)(*args, **kwargs)

    return decorated_view  # type: ignore[return-value]

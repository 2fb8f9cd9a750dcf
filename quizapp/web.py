"""Web wiring: blueprints, login loader, security headers, error pages, template helpers."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Flask
from flask import Request
from flask import render_template
from flask.templating import _default_template_ctx_processor
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from werkzeug.routing import UnicodeConverter
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property

from quizapp import request_state
from quizapp.core.clock import humanize_delta
from quizapp.core.clock import local_time
from quizapp.core.clock import utcnow
from quizapp.core.skill import EARLY_ANSWERS
from quizapp.extensions import limiter
from quizapp.extensions import login_manager
from quizapp.forms import MAX_DAILY_GOAL
from quizapp.grading.registry import question_type
from quizapp.models.user import Learner
from quizapp.rendering import excerpt
from quizapp.rendering import render_code
from quizapp.rendering import render_inline
from quizapp.rendering import render_markdown
from quizapp.rendering import render_untrusted_inline
from quizapp.rendering import render_untrusted_markdown
from quizapp.request_log import register_request_log
from quizapp.security_headers import SecurityHeaders
from quizapp.services import quiz_pages
from quizapp.services import sessions
from quizapp.services.modes import DOMAIN_LABELS
from quizapp.static_assets import register_static
from quizapp.template_urls import register_template_urls

ErrorPage = tuple[str, int] | tuple[str, int, dict[str, str]]


COOKIE_MEMORY = 4096  # distinct Cookie headers whose parsing a worker remembers
_PARSED_COOKIES: dict[str, ImmutableMultiDict[str, str]] = {}


class CleanRequest(Request):
    """Drops NUL characters from form and query values: no database can store them.

    Its cookies are parsed once per distinct ``Cookie`` header per worker: Werkzeug found
    the header by walking the whole WSGI environ (renaming every key) and then parsed it,
    about 2 % of a served worker's CPU in the answer loop, for a header that stays the same
    from one request of a learner to the next. The parsed cookies are immutable, so one
    parse can serve many requests.
    """

    @cached_property
    def cookies(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        header = self.environ.get("HTTP_COOKIE", "")  # WSGI servers join repeated headers
        parsed = _PARSED_COOKIES.get(header)
        if parsed is None:
            parsed = parse_cookie(header, cls=self.dict_storage_class)
            if len(_PARSED_COOKIES) >= COOKIE_MEMORY:
                _PARSED_COOKIES.clear()
            _PARSED_COOKIES[header] = parsed
        return parsed

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _without_nul(self.__dict__["form"])

    @property
    def args(self) -> ImmutableMultiDict[str, str]:  # type: ignore[override]
        return _without_nul(super().args)


def _without_nul(values: ImmutableMultiDict[str, str]) -> ImmutableMultiDict[str, str]:
    if not any("\x00" in k or "\x00" in v for k, v in values.items(multi=True)):
        return values
    return ImmutableMultiDict([(k.replace("\x00", ""), v.replace("\x00", ""))
                               for k, v in values.items(multi=True)])


class IdConverter(IntegerConverter):
    """A positive database id that fits a 32-bit integer column (else 404, not a crash)."""

    def __init__(self, url_map: object) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


class TextConverter(UnicodeConverter):
    """A path segment, as Werkzeug's default, that never matches with a NUL in it: no
    database stores one in text (PostgreSQL refuses it), so such a path is not found (404),
    not a crash when a view looks it up."""

    def __init__(self, url_map: object, *args: object, **kwargs: object) -> None:
        super().__init__(url_map, *args, **kwargs)  # type: ignore[arg-type]
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def register_web(app: Flask) -> None:
    """Attach blueprints, the login loader, headers, error pages and Jinja helpers."""
    app.request_class = CleanRequest
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter
    from quizapp.blueprints import auth
    from quizapp.blueprints import code_runs
    from quizapp.blueprints import main
    from quizapp.blueprints import practice
    from quizapp.blueprints import progress
    from quizapp.blueprints import quiz

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(code_runs.bp)
    app.register_blueprint(practice.bp)
    app.register_blueprint(progress.bp)

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)

    register_request_log(app)
    register_static(app)
    register_template_urls(app)
    # outermost, after WhiteNoise: static files get the headers too
    app.wsgi_app = SecurityHeaders(  # type: ignore[method-assign]
        app.wsgi_app, https=app.config["SESSION_COOKIE_SECURE"])
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["markdown_inline"] = render_inline
    app.jinja_env.filters["excerpt"] = excerpt
    app.jinja_env.filters["learner_markdown"] = render_untrusted_markdown
    app.jinja_env.filters["learner_markdown_inline"] = render_untrusted_inline
    app.jinja_env.filters["learner_code"] = render_code
    app.jinja_env.filters["humanize_delta"] = humanize_delta
    app.jinja_env.filters["duration"] = format_duration
    app.jinja_env.filters["local_time"] = _local_time
    app.jinja_env.filters["question_type_label"] = _question_type_label
    app.jinja_env.globals["focus_error"] = _focus_error
    app.jinja_env.globals["domain_names"] = DOMAIN_LABELS
    app.jinja_env.globals["early_answers"] = EARLY_ANSWERS
    app.jinja_env.globals["max_daily_goal"] = MAX_DAILY_GOAL
    app.jinja_env.filters["by_domain"] = _by_domain
    _run_default_context_once(app)


_DOMAIN_ORDER = {domain: i for i, domain in enumerate(DOMAIN_LABELS)}


def _by_domain(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """A per-domain mapping's items in the one order every page uses (ML, math, coding,
    design; any other domain after them, by name)."""
    return sorted(mapping.items(),
                  key=lambda item: (_DOMAIN_ORDER.get(item[0], len(_DOMAIN_ORDER)), item[0]))


def _question_type_label(name: str) -> str:
    """A question type's name as learners read it ('Multiple choice', not 'mcq')."""
    try:
        return question_type(name).label
    except KeyError:
        return name.replace("_", " ")


def _focus_error() -> bool:
    """True for the first form field with errors a page renders, False after: that field
    gets ``autofocus``, so the browser scrolls to the first problem and the cursor is there
    (``_forms.field``)."""
    state = request_state.g()
    if vars(state).get("focused_error"):
        return False
    state.focused_error = True
    return True


def _run_default_context_once(app: Flask) -> None:
    """Flask gives each blueprint its own copy of the default template context processor
    (``g``, ``request``, ``session``), so a blueprint's page ran it twice: keep the app's."""
    for name, processors in app.template_context_processors.items():
        if name is not None:
            processors[:] = [p for p in processors if p is not _default_template_ctx_processor]


def _load_user(login_token: str) -> Learner | None:
    """Flask-Login's loader: the cookie carries a login-session token, not a user id. On a
    quiz page it reads the page's quiz in the same statement (``quiz_pages``)."""
    page = quiz_pages.requested_page()
    if page is None:
        return sessions.user_for_token(login_token, utcnow())
    return quiz_pages.learner_and_page(login_token, utcnow(), *page)


def _csrf_error(error: CSRFError) -> tuple[str, int]:
    message = "Your form expired or was sent from another site. Go back, reload and try again."
    return render_template("error.html", code=400, title="Form expired", message=message), 400


def retry_after(reset_at: float, window: int, now: float | None = None) -> int:
    """Whole seconds until a limit resets: at least 1, never more than its window (Redis
    rounds a key's TTL, so `reset_at` can lie a fraction of a second past the window)."""
    wait = math.ceil(reset_at - (time.time() if now is None else now))
    return min(max(1, wait), window)


def _http_error(error: HTTPException) -> ErrorPage | HTTPException:
    if error.code is None or error.code < 400:
        return error
    titles = {404: "Page not found", 403: "Not allowed", 429: "Slow down"}
    messages = {
        404: "There is nothing here. It may have been moved, or it belongs to someone else.",
        429: "Too many attempts in a short time. Wait a minute and try again.",
    }
    title = titles.get(error.code, error.name)
    message = messages.get(error.code, error.description or "")
    page = render_template("error.html", code=error.code, title=title, message=message)
    if error.code == 429 and (limit := limiter.current_limit) is not None:
        wait = retry_after(limit.reset_at, limit.limit.get_expiry())
        return page, 429, {"Retry-After": str(wait)}
    return page, error.code


def _local_time(moment: datetime, fmt: str = "%d %b %Y, %H:%M") -> str:
    timezone = getattr(current_user, "timezone", None) or "UTC"
    return local_time(moment, timezone, fmt)


def format_duration(milliseconds: int | float | None) -> str:
    """'45 s', '3 min 20 s', '1 h 5 min'."""
    seconds = round((milliseconds or 0) / 1000)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"

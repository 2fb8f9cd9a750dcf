"""Extension objects, created unbound and wired to the app in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from quizapp import ratelimit_storage  # noqa: F401 - registers quizapp-memory://
from quizapp import request_state
from quizapp.csrf_tokens import CSRFProtection
from quizapp.db_session import RequestSession
from quizapp.db_session import app_context_id
from quizapp.login_state import LearnerLoginManager
from quizapp.ratelimit_keys import client_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class RouteLimiter(Limiter):
    """Flask-Limiter that checks a request only where a limit applies to it.

    The extension checks every request before dispatch, for default, application and
    blueprint limits. quizapp sets none of those: each limit decorates its route, and the
    decorator checks it. The before-dispatch pass then only resolved that nothing applies,
    at about a tenth of a small request's CPU. It still runs if such limits are ever set.
    """

    def _check_request_limit(self, callable_name: str | None = None,
                             in_middleware: bool = True) -> None:
        if in_middleware and not self._has_request_wide_limits():
            return
        super()._check_request_limit(callable_name, in_middleware)

    def init_app(self, app: Flask) -> None:
        """Its after-request and teardown hooks run only for requests that met a limit.

        They add rate-limit headers (off here), charge conditional limits and clear the
        request's limiter state: for a request no limit looked at, that state does not exist
        and they had nothing to do but create it, on every request.
        """
        super().init_app(app)
        for hooks in (app.after_request_funcs[None], app.teardown_request_funcs[None]):
            hooks[:] = [_when_limited(hook) if _is_limiter_hook(hook) else hook
                        for hook in hooks]

    def _has_request_wide_limits(self) -> bool:
        manager = self.limit_manager
        return bool(manager.default_limits or manager.application_limits
                    or manager._blueprint_limits or self._meta_limits)


def _is_limiter_hook(hook: Any) -> bool:
    target = getattr(hook, "func", hook)  # after_request holds a functools.partial
    return getattr(target, "__qualname__", "") in (
        "Limiter.__inject_headers", "Limiter.__release_context")


def _when_limited(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        if _limiter_used():
            return hook(value)
        return value  # the response, for an after-request hook

    return run


def _limiter_used() -> bool:
    """Whether ``Limiter.context`` made its state on this request's context.

    Read from the context's own attributes: ``hasattr`` through the ``request_ctx`` proxy
    raised and caught an ``AttributeError`` on every request no limit looked at, twice per
    request (about 4 % of a bare page's instructions, counted with callgrind).
    """
    context = request_state.request_context_if_any()
    return context is not None and "_limiter_request_context" in vars(context)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base, session_options={"class_": RequestSession,
                                                  "scopefunc": app_context_id})
migrate = Migrate()
login_manager = LearnerLoginManager()
csrf = CSRFProtection()
limiter = RouteLimiter(key_func=client_key)

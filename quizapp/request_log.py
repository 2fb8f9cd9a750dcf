"""One structured log line per request: method, path, status, duration and user id.

``REQUEST_LOG`` selects the format: ``logfmt`` (default), ``json`` or ``off`` (tests). Lines go
to the ``quizapp.request`` logger, which writes to stderr (gunicorn's error log) unless the
deployment configures logging itself. Static files are served by WhiteNoise before Flask,
so they are not logged here (the reverse proxy's access log has them).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from typing import Any

from flask import Flask
from sqlalchemy import inspect
from werkzeug.wsgi import get_path_info

from quizapp import request_state
from quizapp.models.user import Learner

LOGGER = logging.getLogger("quizapp.request")
FORMATS = ("logfmt", "json", "off")
_QUOTED = re.compile(r'[ "=\\]')  # a value with one of these is quoted


def _logfmt_value(value: object) -> str:
    text = str(value)
    if text and not _QUOTED.search(text) and text.isprintable():
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped) + '"'


def format_line(fields: dict[str, object], style: str) -> str:
    """Render one request's fields as logfmt or JSON."""
    if style == "json":
        return json.dumps(fields, separators=(",", ":"))
    return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


def _user_id(request_globals: Any) -> int | None:
    """The logged-in user's id, read without a query, from the request's ``g``.

    Flask-Login caches the loaded user in g: usually a ``Learner`` snapshot. On the login
    request it is the ``User`` row, which a commit has expired; reading ``user.id`` would
    reload the whole row just to log it, and the identity key has it.
    """
    user = getattr(request_globals, "_login_user", None)
    if user is None or isinstance(user, Learner):
        return getattr(user, "id", None)
    state = inspect(user, raiseerr=False)
    if state is not None and state.identity:
        return state.identity[0]
    return getattr(user, "id", None)


def register_request_log(app: Flask) -> None:
    """Time every request and log it in the configured format."""
    style = app.config.get("REQUEST_LOG", "logfmt")
    if style not in FORMATS:
        raise RuntimeError(f"REQUEST_LOG must be one of {', '.join(FORMATS)}, not {style!r}")
    if style == "off":
        return
    if not LOGGER.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        LOGGER.addHandler(handler)
        LOGGER.propagate = False
    LOGGER.setLevel(logging.INFO)
    app.wsgi_app = RequestLog(app.wsgi_app, style)  # type: ignore[method-assign]


class RequestLog:
    """WSGI middleware around Flask: one line per request, when its response starts.

    The duration covers Flask's whole handling (contexts, hooks, view, template), and the
    fields come from the WSGI environ and the status line, where Flask hooks went through a
    dozen context-local lookups per request. The app context is still active when Flask
    starts the response, so the logged-in user and lock retries are read from ``g``.
    """

    def __init__(self, app: Any, style: str) -> None:
        self.app = app
        self.style = style

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        started = time.perf_counter()

        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if LOGGER.isEnabledFor(logging.INFO):
                self._log(environ, status, time.perf_counter() - started)
            return start_response(status, headers, exc_info)

        return self.app(environ, start)

    def _log(self, environ: dict[str, Any], status: str, seconds: float) -> None:
        fields: dict[str, object] = {
            "event": "request", "method": environ.get("REQUEST_METHOD", ""),
            "path": "/" + get_path_info(environ).lstrip("/"), "status": int(status[:3]),
            "duration_ms": round(seconds * 1000, 1),
        }
        state = request_state.g_if_any()
        if (user_id := _user_id(state)) is not None:
            fields["user_id"] = user_id
        fields["ip"] = environ.get("REMOTE_ADDR") or ""
        if retries := getattr(state, "lock_retries", None):
            fields["lock_retries"] = retries
        # A record without the caller's file and line: finding them was a third of its cost.
        line = format_line(fields, self.style)
        LOGGER.handle(LOGGER.makeRecord(LOGGER.name, logging.INFO, __file__, 0, line, None, None))

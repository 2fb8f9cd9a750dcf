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

from flask import Flask
from flask import Response
from flask import g
from flask import request
from sqlalchemy import inspect

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


def _user_id() -> int | None:
    """The logged-in user's id, read without a query.

    Flask-Login caches the loaded user in g: usually a ``Learner`` snapshot. On the login
    request it is the ``User`` row, which a commit has expired; reading ``user.id`` would
    reload the whole row just to log it, and the identity key has it.
    """
    user = g.get("_login_user")
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

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        fields: dict[str, object] = {
            "event": "request", "method": request.method, "path": request.path,
            "status": response.status_code, "duration_ms": round(duration, 1),
            "user_id": _user_id(), "ip": request.remote_addr or "",
        }
        if fields["user_id"] is None:
            del fields["user_id"]
        if retries := g.get("lock_retries"):
            fields["lock_retries"] = retries
        if LOGGER.isEnabledFor(logging.INFO):  # a record without the caller's file and line:
            LOGGER.handle(LOGGER.makeRecord(  # finding them was a third of the line's cost
                LOGGER.name, logging.INFO, __file__, 0, format_line(fields, style), None, None))
        return response

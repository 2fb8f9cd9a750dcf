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
    if text and text.isprintable() and not _QUOTED.search(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped) + '"'


def format_line(fields: dict[str, object], style: str) -> str:
    """Render one request's fields as logfmt or JSON."""
    if style == "json":
        return json.dumps(fields, separators=(",", ":"))
    return " ".join(f"{key}={_logfmt_value(value)}" for key, value in fields.items())


class _MessageOnly(logging.Formatter):
    """The record's message as it is: the line is complete (``logging.Formatter`` with
    ``%(message)s`` says the same through a %-format of the record's fields)."""

    def format(self, record: logging.LogRecord) -> str:
        return record.getMessage()


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
    own = None
    if not LOGGER.handlers and not logging.getLogger().handlers:
        own = logging.StreamHandler(sys.stderr)
        own.setFormatter(_MessageOnly())
        LOGGER.addHandler(own)
        LOGGER.propagate = False
    LOGGER.setLevel(logging.INFO)
    app.wsgi_app = RequestLog(app.wsgi_app, style, own)  # type: ignore[method-assign]


class RequestLog:
    """WSGI middleware around Flask: one line per request, when its response starts.

    The duration covers Flask's whole handling (contexts, hooks, view, template), and the
    fields come from the WSGI environ and the status line, where Flask hooks went through a
    dozen context-local lookups per request. The app context is still active when Flask
    starts the response, so the logged-in user and lock retries are read from ``g``.

    ``own`` is the stderr handler ``register_request_log`` installed, if it did. While it is
    the logger's only way out, a line goes straight to its stream, as it would have written
    it: a log record and the logging machinery cost about 30 µs of a served request's CPU
    (measured with py-spy under load.py), more than the line itself.
    """

    def __init__(self, app: Any, style: str,
                 own: logging.StreamHandler[Any] | None = None) -> None:
        self.app = app
        self.style = style
        self.own = own

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
        # g's attributes live in its __dict__ (getattr on a missing one raises and catches)
        if state is not None and (retries := vars(state).get("lock_retries")):
            fields["lock_retries"] = retries
        line = format_line(fields, self.style)
        if not self._write_own(line):
            # A record without the caller's file and line: finding them cost a third of it.
            LOGGER.handle(LOGGER.makeRecord(LOGGER.name, logging.INFO, __file__, 0, line,
                                            None, None))

    def _write_own(self, line: str) -> bool:
        """Write ``line`` to the own handler's stream if nothing else would see the record
        (no other handler, no filter, no propagation) and it would write it; False: log it
        the usual way."""
        own, handlers = self.own, LOGGER.handlers
        if (own is None or len(handlers) != 1 or handlers[0] is not own or LOGGER.filters
                or own.filters or LOGGER.propagate or LOGGER.disabled
                or own.level > logging.INFO):
            return False
        own.acquire()
        try:
            own.stream.write(line + own.terminator)
            own.stream.flush()
        except Exception:  # e.g. a closed stream: logging reports it its own way
            return False
        finally:
            own.release()
        return True

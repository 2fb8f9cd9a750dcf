"""Flask's signed-cookie sessions, verifying each distinct cookie once per worker.

A learner's session cookie (login token, CSRF secret) stays the same from one request to the
next, yet Flask verified its signature and decoded it on every request: about 3 % of a
worker's CPU in the answer loop. This interface remembers what a cookie it has verified
said, and when it was signed, and still applies the session lifetime on every request.
Only verified cookies are remembered, each app keeps its own memory (a cookie signed with
another app's key is never accepted), and the memory is bounded.

Flask also built a new signing serializer for every request, even one with no cookie at all
(a visitor's landing or login page), where building it serialised an empty dict to learn the
serializer's kind: about 5 % of such a page's instructions. A request without a cookie gets
an empty session directly, and each interface keeps one serializer per set of secret keys.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from flask import Flask
from flask import Request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from flask.sessions import SessionMixin
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer
from werkzeug.wrappers import Response

CACHE_LIMIT = 4096  # distinct cookies remembered per worker (a few per active learner)
_IMMUTABLE = frozenset({str, int, float, bool, type(None), bytes})


def _copy(data: dict[str, Any]) -> dict[str, Any]:
    """A copy the request may change freely: shallow when every value is immutable (the
    usual login and CSRF secrets), deep otherwise (flashed messages are a list)."""
    if all(type(value) in _IMMUTABLE for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)


class VerifiedCookieSessions(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` with a per-worker memory of verified cookies."""

    def __init__(self) -> None:
        self._verified: dict[str, tuple[dict[str, Any], float]] = {}
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's serializer for the app's current secret keys, made once per set of keys
        (it holds nothing per request)."""
        if not app.secret_key:
            return None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) >= 8:  # keys rotated many times (tests)
                self._serializers.clear()
            self._serializers[keys] = serializer
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None  # Flask's null session, as ``super().open_session`` answers
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(value)
        if known is not None:
            data, signed_at = known
            if 0 <= time.time() - signed_at <= max_age:
                return self.session_class(_copy(data))  # the session may be changed
            self._verified.pop(value, None)  # another thread may have dropped it (gthread)
        serializer = self.get_signing_serializer(app)
        assert serializer is not None  # a secret key is set
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if len(self._verified) >= CACHE_LIMIT:
            self._verified.clear()
        self._verified[value] = (_copy(data), signed.timestamp())
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask's, with its usual case short: an unchanged session that writes no cookie
        only marks the response ``Vary: Cookie`` (a header added, where ``response.vary``
        parsed and rebuilt the header set on every page)."""
        if session.modified or (session.permanent and app.config[
                "SESSION_REFRESH_EACH_REQUEST"]):
            super().save_session(app, session, response)
        elif session.accessed:
            if response.headers.getlist("Vary"):  # ``in`` raised and caught a KeyError
                response.vary.add("Cookie")
            else:
                response.headers["Vary"] = "Cookie"

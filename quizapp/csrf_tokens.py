"""Flask-WTF's CSRF protection, signing and verifying each session's token once per worker.

Flask-WTF signs the session's CSRF secret afresh on every page that shows a form (the
navigation's log-out button is on every page) and verifies the signed token on every POST:
HMACs, JSON and base64 each time, about 4 % of the answer loop's CPU, for tokens that repeat
from one page to the next. ``CSRFProtection`` keeps, per app, the token it signed for each
secret and the secrets of the tokens it verified, so a learner's pages reuse one token for
``REFRESH_SECONDS`` and each token is verified once. The checks are Flask-WTF's: the same
error messages, exemptions, referrer checks on HTTPS and ``WTF_CSRF_TIME_LIMIT``. A token is
accepted from memory only if it was signed or verified with this app's key, and only within
the time limit counted from when it was signed.

It also skips the exemption lookups for requests whose method needs no token (GETs), which
Flask-WTF did before looking at the method.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from typing import Any

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from flask_wtf.csrf import same_origin
from itsdangerous import BadData
from itsdangerous import SignatureExpired
from itsdangerous import URLSafeTimedSerializer
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from quizapp import request_state

LOGGER = logging.getLogger("flask_wtf.csrf")
REFRESH_SECONDS = 600  # a page's token is at most this old when the page is served
MEMORY_LIMIT = 8192  # tokens remembered per app and kind (a few per active learner)
SALT = "wtf-csrf-token"  # Flask-WTF's: its tokens and ours are interchangeable


class TokenMemory:
    """Signed tokens by session secret, and verified tokens' secrets, for one app."""

    def __init__(self) -> None:
        self.signed: dict[tuple[str, str], tuple[str, float]] = {}
        self.verified: dict[tuple[str, str], tuple[str, float]] = {}

    def sign(self, secret_key: str, raw: str) -> str:
        key = (secret_key, raw)
        known = self.signed.get(key)
        now = time.time()
        if known is not None and now - known[1] < _reuse_seconds():
            return known[0]
        signed_at = int(now)  # itsdangerous stamps the same second or a later one
        token = URLSafeTimedSerializer(secret_key, salt=SALT).dumps(raw)
        _remember(self.signed, key, (token, signed_at))
        _remember(self.verified, (secret_key, token), (raw, signed_at))
        return token

    def verify(self, secret_key: str, token: str, time_limit: int | None) -> str:
        """The secret ``token`` signs; raises itsdangerous' errors like ``loads``."""
        key = (secret_key, token)
        known = self.verified.get(key)
        if known is not None:
            raw, signed_at = known
            if time_limit is None or time.time() - signed_at <= time_limit:
                return raw
            self.verified.pop(key, None)  # another thread may have dropped it (gthread)
        serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
        raw, stamp = serializer.loads(token, max_age=time_limit, return_timestamp=True)
        _remember(self.verified, key, (raw, stamp.timestamp()))
        return raw


def _remember(memory: dict[Any, Any], key: Any, value: Any) -> None:
    if len(memory) >= MEMORY_LIMIT:
        memory.clear()
    memory[key] = value


def _reuse_seconds() -> float:
    limit = request_state.app().config["WTF_CSRF_TIME_LIMIT"]
    return REFRESH_SECONDS if limit is None else min(REFRESH_SECONDS, limit / 4)


def _secret_key(app: Flask) -> str:
    key = app.config.get("WTF_CSRF_SECRET_KEY") or app.secret_key
    if not key:
        raise RuntimeError("A secret key is required to use CSRF.")
    return key


def csrf_token() -> str:
    """The request's signed CSRF token (Flask-WTF's ``generate_csrf``, remembered)."""
    app, g = request_state.app(), request_state.g()
    field_name = app.config["WTF_CSRF_FIELD_NAME"]
    token = g.get(field_name)
    if token is None:
        session = request_state.session()
        raw = session.get(field_name)
        if not isinstance(raw, str):
            raw = session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()  # noqa: S324
        token = app.extensions["csrf_tokens"].sign(_secret_key(app), raw)
        setattr(g, field_name, token)  # where Flask-WTF's forms look for it
    return token


def renew_secret() -> None:
    """Give the session a new CSRF secret at the next form (call at login).

    A token known before login (say, of a session cookie planted in the victim's browser)
    must not be valid for the account afterwards."""
    app = request_state.app()
    field_name = app.config["WTF_CSRF_FIELD_NAME"]
    request_state.session().pop(field_name, None)
    request_state.g().__dict__.pop(field_name, None)


class FormCSRF(CSRF):
    """The forms' CSRF field (``Meta.csrf_class``), with the remembered token."""

    def generate_csrf_token(self, csrf_token_field: Any) -> str:
        return csrf_token()

    def validate_csrf_token(self, form: Any, field: Any) -> None:
        if request_state.g().get("csrf_valid", False):  # CSRFProtection checked the request already
            return
        CSRFProtection.validate(field.data)


class CSRFProtection(CSRFProtect):
    """``CSRFProtect`` with remembered tokens (see the module's docstring)."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.extensions["csrf_tokens"] = TokenMemory()
        # Flask-WTF gives templates its csrf_token twice (a global and a context processor);
        # templates get ours, as a global only.
        processors = app.template_context_processors[None]
        processors[:] = [p for p in processors
                         if not p.__qualname__.startswith("CSRFProtect.init_app.")]
        app.jinja_env.globals["csrf_token"] = csrf_token

    def protect(self, apply_exemptions: bool = False) -> None:
        request, config = request_state.request(), request_state.app().config
        if request.method not in config["WTF_CSRF_METHODS"]:
            return
        if apply_exemptions and (not request.endpoint or self._is_exempt()):
            return
        try:
            self.validate(self._get_csrf_token())
        except ValidationError as exc:
            LOGGER.info(exc.args[0])
            self._error_response(exc.args[0])
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        request_state.g().csrf_valid = True

    @staticmethod
    def validate(data: str | None) -> None:
        """Flask-WTF's ``validate_csrf``, with the signature checked once per token."""
        app, session = request_state.app(), request_state.session()
        config = app.config
        if not data:
            raise ValidationError("The CSRF token is missing.")
        field_name = config["WTF_CSRF_FIELD_NAME"]
        if field_name not in session:
            raise ValidationError("The CSRF session token is missing.")
        memory: TokenMemory = app.extensions["csrf_tokens"]
        try:
            raw = memory.verify(_secret_key(app), data, config["WTF_CSRF_TIME_LIMIT"])
        except SignatureExpired as exc:
            raise ValidationError("The CSRF token has expired.") from exc
        except BadData as exc:
            raise ValidationError("The CSRF token is invalid.") from exc
        if not isinstance(raw, str) or not hmac.compare_digest(session[field_name], raw):
            raise ValidationError("The CSRF tokens do not match.")

"""Per-account back-off for password guessing that a stranger cannot turn into a lock-out.

Three layers (documented in docs/security.md):

1. Flask-Limiter counts POSTs per client network (``AUTH_RATE_LIMIT``) and per
   (account, client) pair (``LOGIN_ACCOUNT_CLIENT_RATE_LIMIT``).
2. Here: failed passwords for one account, from any client, start an exponential back-off
   once ``LOGIN_BACKOFF_FREE_FAILURES`` have failed within ``LOGIN_BACKOFF_WINDOW_SECONDS``:
   1 s, 2 s, 4 s ... capped at ``LOGIN_BACKOFF_MAX_SECONDS``. It is measured in seconds, so a
   botnet spraying one account gets about one guess per cap, and the owner waits at most that.
3. A browser that has logged in to the account before carries a signed device cookie
   (OWASP "device cookies"); it is exempt from the account back-off and the per-pair limit,
   so an attack on an account never locks its owner out of their own devices. The trust is
   bound to the password it was earned with (a fingerprint of its hash: a password change
   or reset ends it, so a cookie kept from a login before the change guesses the new
   password as slowly as anyone), and a trusted device loses it for the back-off window
   after ``LOGIN_BACKOFF_FREE_FAILURES`` wrong passwords of its own (each device has an id).

Counters live in the limiter's storage (Redis when ``REDIS_URL`` is set, so every app
server shares them), keyed by a hash of the email: unknown and known emails behave alike.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from typing import Any
from typing import TypeVar

from flask import abort
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer
from limits.storage import MemoryStorage
from limits.storage import Storage
from werkzeug.wrappers import Response

from quizapp.extensions import limiter
from quizapp.services import accounts

DEVICE_COOKIE = "quizapp_device"
DEVICE_COOKIE_DAYS = 365
MAX_ACCOUNTS_PER_DEVICE = 5
_fallback = MemoryStorage()
T = TypeVar("T")


def account_key(email: str) -> str:
    """A short stable hash of the normalised email (no addresses in the counter store)."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]


def _storage() -> Storage:
    try:
        return limiter.storage
    except Exception:  # limiter not initialised or storage gone: count in this process
        return _fallback


def _call(operation: str, *args: Any) -> Any:
    try:
        return getattr(_storage(), operation)(*args)
    except Exception:  # Redis down: Flask-Limiter falls back to memory, and so do we
        return getattr(_fallback, operation)(*args)


def wait_seconds(email: str) -> int:
    """Seconds an untrusted client must wait before trying this account again (0 = now)."""
    key = "login-lock:" + account_key(email)
    if not _call("get", key):
        return 0
    return max(1, math.ceil(_call("get_expiry", key) - time.time()))


def record_failure(email: str) -> None:
    """Count a wrong password and, past the free failures, lock the account for a while."""
    config = current_app.config
    key = account_key(email)
    failures = _call("incr", "login-fail:" + key, config["LOGIN_BACKOFF_WINDOW_SECONDS"])
    over = failures - config["LOGIN_BACKOFF_FREE_FAILURES"]
    if over >= 0:
        delay = min(2 ** min(over, 30), config["LOGIN_BACKOFF_MAX_SECONDS"])
        _call("clear", "login-lock:" + key)
        _call("incr", "login-lock:" + key, delay)


def record_success(email: str) -> None:
    """The right password ends the back-off for this account."""
    key = account_key(email)
    _call("clear", "login-fail:" + key)
    _call("clear", "login-lock:" + key)


def locked_response(wait: int) -> tuple[str, int, dict[str, str]]:
    """The 429 page asking an untrusted client to wait ``wait`` seconds."""
    message = (f"Too many wrong passwords for this account. Try again in {wait} "
               f"second{'s' if wait != 1 else ''}.")
    page = render_template("error.html", code=429, title="Slow down", message=message)
    return page, 429, {"Retry-After": str(wait)}


def check_logged_in_password(email: str, check: Callable[[], T]) -> T:
    """Run ``check`` (a password check by a logged-in learner: changing the password,
    deleting the account) under the account's back-off: whoever holds a stolen session
    cookie guesses no faster there than on the login page. Its failures count with the
    login page's, with no device exemption (a stolen session comes with its cookies).
    Returns what ``check`` returned (false: a wrong password); while the account is locked,
    ends the request with the 429 page instead (``check`` does not run)."""
    if wait := wait_seconds(email):
        abort(make_response(*locked_response(wait)))
    result = check()
    if result:
        record_success(email)
    else:
        record_failure(email)
    return result


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="device-cookie")


def _device() -> tuple[str | None, dict[str, str]]:
    """This browser's device id and the accounts it is trusted for (account key -> the
    credential fingerprint it logged in with); (None, {}) without a valid cookie. A cookie
    of the earlier format (a bare list of accounts, no id or fingerprint) trusts nothing."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None, {}
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None, {}
    if not isinstance(data, dict):
        return None, {}
    device, entries = data.get("d"), data.get("a")
    if not isinstance(device, str) or not isinstance(entries, list):
        return None, {}
    return device, {entry[0]: entry[1] for entry in entries
                    if isinstance(entry, list) and len(entry) == 2
                    and all(isinstance(part, str) for part in entry)}


def _device_failures_key(device: str, key: str) -> str:
    return f"login-device-fail:{key}:{hashlib.sha256(device.encode()).hexdigest()[:24]}"


def is_trusted_device(email: str | None = None) -> bool:
    """True if this browser has logged in to the account being tried before, with its
    current password, and has not since sent too many wrong ones itself."""
    if email is None:
        email = request.form.get("email") or ""
    device, entries = _device()
    key = account_key(email)
    if device is None or key not in entries:
        return False
    failures = _call("get", _device_failures_key(device, key)) or 0
    if failures >= current_app.config["LOGIN_BACKOFF_FREE_FAILURES"]:
        return False
    user = accounts.find_by_email(email)
    return user is not None and hmac.compare_digest(
        entries[key], accounts.credential_fingerprint(user.password_hash))


def record_device_failure(email: str) -> None:
    """Count a wrong password sent from a device trusted for the account."""
    device, _ = _device()
    if device is not None:
        _call("incr", _device_failures_key(device, account_key(email)),
              current_app.config["LOGIN_BACKOFF_WINDOW_SECONDS"])


def remember_device(response: Response, email: str, password_hash: str) -> None:
    """Trust this browser for the account under its current password (signed cookie), and
    clear the device's own failures for it."""
    key = account_key(email)
    device, entries = _device()
    if device is None:
        device = secrets.token_urlsafe(12)
    else:
        _call("clear", _device_failures_key(device, key))
    kept = [[k, v] for k, v in entries.items() if k != key]
    fresh = [[key, accounts.credential_fingerprint(password_hash)], *kept]
    response.set_cookie(
        DEVICE_COOKIE, _serializer().dumps({"d": device, "a": fresh[:MAX_ACCOUNTS_PER_DEVICE]}),
        max_age=DEVICE_COOKIE_DAYS * 86400, secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True, samesite="Lax", path="/auth/",
    )

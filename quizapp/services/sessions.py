"""Login sessions: one row per login, so logging out really revokes the cookies.

Flask-Login keeps ``User.get_id()`` in the signed session cookie and in the remember-me
cookie. Here that value is a random token created at each login; the database keeps only
its SHA-256. Deleting the row (log out, password change, "log out everywhere") makes both
cookies worthless even when an attacker replays a copy.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from quizapp.core.clock import as_utc
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import LoginSession
from quizapp.models import User
from quizapp.models.user import LEARNER_COLUMNS
from quizapp.models.user import Learner
from quizapp.prepared import Prepared

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}\Z")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


_DIGESTS: dict[str, str] = {}  # token -> digest, for the tokens of recent requests
DIGEST_MEMORY = 4096


def _request_digest(token: str) -> str:
    """``_digest`` for the login check on every request, memoised per worker."""
    digest = _DIGESTS.get(token)
    if digest is None:
        if len(_DIGESTS) >= DIGEST_MEMORY:
            _DIGESTS.clear()
        digest = _DIGESTS[token] = _digest(token)
    return digest


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _without_controls(text: str) -> str:
    """``text`` without control characters (a header may carry a NUL byte, which
    PostgreSQL's text refuses)."""
    return _CONTROL.sub("", text)


@retry_on_lock
def start_session(user: User, remember: bool, lifetime: timedelta, now: datetime,
                  user_agent: str = "") -> str:
    """Record a new login for ``user``; return its token (also set on ``user``)."""
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.expires_at <= now))
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token), remember=remember,
                                user_agent=_without_controls(user_agent)[:200], created_at=now,
                                expires_at=now + lifetime))
    db.session.commit()
    user.login_token = token
    return token


def user_for_token(token: str, now: datetime) -> Learner | None:
    """The learner a live login token belongs to (a snapshot of their row); else None.

    One Core statement: building an ORM ``User`` for every request cost about a fifth of a
    question page's CPU, and the pages of the question loop only read a few columns.
    """
    params = login_parameters(token)
    return None if params is None else learner_in(_USER_FOR_TOKEN.first(params), token, now)


# A login check's columns: the learner's (``LEARNER_COLUMNS``), then the login's expiry.
LOGIN_COLUMNS = (*(User.__table__.c[name] for name in LEARNER_COLUMNS),
                 LoginSession.expires_at)
LOGIN_FROM = LoginSession.__table__.join(User.__table__, LoginSession.user_id == User.id)
LOGIN_WHERE = LoginSession.token_hash == bindparam("token_hash")
_USER_FOR_TOKEN = Prepared(select(*LOGIN_COLUMNS).select_from(LOGIN_FROM).where(LOGIN_WHERE))


def login_parameters(token: str) -> dict[str, str] | None:
    """The parameters of a login check for ``token`` (None: not a token at all)."""
    return {"token_hash": _request_digest(token)} if _TOKEN.match(token) else None


def learner_in(row: Any, token: str, now: datetime) -> Learner | None:
    """The learner of a login check's row (``LOGIN_COLUMNS`` first): None when there was
    no such login, or it has expired."""
    expires = len(LEARNER_COLUMNS)
    if row is None or row[expires] is None or as_utc(row[expires]) <= now:
        return None
    return Learner(*row[:expires], token)


@retry_on_lock
def end_session(token: str | None) -> None:
    """Log out the device holding ``token``."""
    if token:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))
        db.session.commit()


def end_other_sessions(user_id: int, keep_token: str | None) -> None:
    """Delete every login of a user except ``keep_token``'s (no commit: caller's unit)."""
    stmt = delete(LoginSession).where(LoginSession.user_id == user_id)
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != _digest(keep_token))
    db.session.execute(stmt)


@retry_on_lock
def end_all_sessions(user_id: int) -> None:
    """Log a learner out on every device."""
    end_other_sessions(user_id, None)
    db.session.commit()


def active_sessions(user_id: int, now: datetime) -> int:
    """How many devices are logged in to this account."""
    return db.session.scalar(select(func.count(LoginSession.id)).where(
        LoginSession.user_id == user_id, LoginSession.expires_at > now)) or 0

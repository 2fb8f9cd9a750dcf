"""Register, authenticate and update learners; change and reset passwords."""

from __future__ import annotations

import hashlib
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from itsdangerous import BadData
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.core.selection import FOCUSES
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import User
from quizapp.models.user import Learner
from quizapp.services.preferences import Preferences
from quizapp.services.preferences import apply_preferences
from quizapp.services.sessions import end_other_sessions

_HASHER = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class EmailTaken(ValueError):
    """An account with this email already exists."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def account_for(learner: Learner) -> User:
    """The logged-in learner's ``User`` row, for a service that changes the account.

    ``current_user`` is a read-only snapshot (``Learner``); the row carries its login token
    too, so "log out the other devices" keeps this one.
    """
    user = db.session.get(User, learner.id)
    if user is None:  # deleted since this request's login check
        raise LookupError(f"user {learner.id} no longer exists")
    user.login_token = learner.login_token
    return user


def find_by_email(email: str) -> User | None:
    stmt = select(User).where(User.email == normalise_email(email))
    return db.session.scalars(stmt).first()


@retry_on_lock
def register_user(
    email: str, password: str, display_name: str, now: datetime, daily_goal: int = 20,
    timezone: str = "UTC",
) -> User:
    """Create an account with a hashed password; raise ``EmailTaken`` on a duplicate.
    ``timezone`` (an IANA name the caller checked) decides when the learner's day starts."""
    email = normalise_email(email)
    password_hash = _HASHER.hash(password)  # first, so a taken email costs the same time
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=display_name.strip(),
        daily_goal=daily_goal,
        timezone=timezone,
        role="user",
        created_at=now,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(email) from None
    return user


@retry_on_lock
def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password matches; rehash outdated hashes on the way."""
    user = find_by_email(email)
    if user is None:
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        return None
    if _HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = _HASHER.hash(password)
        db.session.commit()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@retry_on_lock
def update_settings(user: User, display_name: str, daily_goal: int, timezone: str,
                    focus: str | None = None, plan: Preferences | None = None) -> None:
    """Save a learner's settings (``focus``: "balanced" or "weak"; None keeps it).

    ``plan`` (interview date, targets, theme, leaderboard) is applied in the same unit of
    work, so a re-run after a lost race applies it again and nothing is saved half.
    """
    if focus is not None and focus not in FOCUSES:
        raise ValueError(f"unknown focus {focus!r}; expected one of {FOCUSES}")
    if plan is not None:
        apply_preferences(user, plan)
    user.display_name = display_name.strip()
    user.daily_goal = daily_goal
    user.timezone = timezone
    if focus is not None:
        user.focus = focus
    db.session.commit()


@retry_on_lock
def set_daily_goal(user: User, goal: int) -> None:
    """Change only the daily goal (the dashboard's one-click offer)."""
    user.daily_goal = goal
    db.session.commit()


@retry_on_lock
def change_password(user: User, current: str, new: str) -> str | None:
    """Set a new password if ``current`` is right, and log out every other device: the new
    password's hash (read without reloading the committed row), or None when ``current``
    is wrong."""
    if not _verify(user.password_hash, current):
        return None
    password_hash = user.password_hash = _HASHER.hash(new)
    end_other_sessions(user.id, user.login_token)
    db.session.commit()
    return password_hash


def _reset_serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="password-reset")


def credential_fingerprint(password_hash: str) -> str:
    """Changes whenever the password does: a used reset link stops working, and a browser
    trusted under the old password is trusted no more (``login_throttle``)."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def reset_token(user: User, secret: str) -> str:
    """A signed, expiring, one-time token for resetting ``user``'s password."""
    return _reset_serializer(secret).dumps(
        {"u": user.id, "f": credential_fingerprint(user.password_hash)})


def user_for_reset_token(token: str, secret: str, max_age: int) -> User | None:
    """The learner a reset token is for, if it is genuine, fresh and not yet used."""
    try:
        data = _reset_serializer(secret).loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = db.session.get(User, data["u"])
    if user is None or data.get("f") != credential_fingerprint(user.password_hash):
        return None
    return user


@retry_on_lock
def reset_password(user: User, new: str) -> None:
    """Set a new password from a reset link and log the account out everywhere."""
    user.password_hash = _HASHER.hash(new)
    end_other_sessions(user.id, None)
    db.session.commit()

"""Register, authenticate and update learners."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import User

_HASHER = PasswordHasher()
# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = _HASHER.hash("not-a-real-password")


class EmailTaken(ValueError):
    """An account with this email already exists."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    stmt = select(User).where(User.email == normalise_email(email))
    return db.session.scalars(stmt).first()


@retry_on_lock
def register_user(
    email: str, password: str, display_name: str, now: datetime, daily_goal: int = 20
) -> User:
    """Create an account with a hashed password; raise ``EmailTaken`` on a duplicate."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise EmailTaken(email)
    user = User(
        email=email,
        password_hash=_HASHER.hash(password),
        display_name=display_name.strip(),
        daily_goal=daily_goal,
        timezone="UTC",
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
def update_settings(user: User, display_name: str, daily_goal: int, timezone: str) -> None:
    """Save a learner's preferences."""
    user.display_name = display_name.strip()
    user.daily_goal = daily_goal
    user.timezone = timezone
    db.session.commit()

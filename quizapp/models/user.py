"""Accounts and the login sessions that belong to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import false
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from quizapp.extensions import db
from quizapp.models.types import UTCDateTime

ROLES = ("user", "author", "admin")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16), default="user")
    daily_goal: Mapped[int] = mapped_column(default=20)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    interview_date: Mapped[date | None]
    target_readiness: Mapped[int] = mapped_column(default=80, server_default="80")
    target_retention: Mapped[float] = mapped_column(default=0.9, server_default="0.9")
    theme: Mapped[str] = mapped_column(String(8), default="system", server_default="system")
    leaderboard_opt_in: Mapped[bool] = mapped_column(default=False, server_default=false())
    # New questions in a daily review: "balanced" or "weak" (weak areas first).
    focus: Mapped[str] = mapped_column(String(8), default="balanced", server_default="balanced")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # The login token this request was authenticated with (set by the session service,
    # not stored): Flask-Login keeps it in the session and remember cookies instead of the
    # user id, so ending the login session revokes both cookies.
    login_token = None  # str | None; not a column

    def get_id(self) -> str:
        """The login token Flask-Login stores in cookies (never the bare user id)."""
        if not self.login_token:
            raise RuntimeError("log in through services.sessions.start_session")
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(db.Model):
    """One login on one device; deleting the row logs that device out."""

    __tablename__ = "login_sessions"
    __table_args__ = (Index("ix_login_sessions_user_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool]
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


# The columns a request's login identity carries: every column of ``users`` but the
# password hash, in table order.
LEARNER_COLUMNS = tuple(column.name for column in User.__table__.columns
                        if column.name != "password_hash")


@dataclass(frozen=True, slots=True, eq=False)
class Learner:
    """Who is logged in on this request: a read-only snapshot of their ``users`` row.

    Flask-Login's ``current_user`` on every request after the login one. It is read with one
    Core statement (no ORM object, no identity map): the question loop's pages only need the
    id and a few preferences. A view whose service changes the account loads the ``User``
    (``accounts.account_for``). Field order is ``LEARNER_COLUMNS``; ``login_token`` last.
    """

    id: int
    email: str
    display_name: str
    role: str
    daily_goal: int
    timezone: str
    interview_date: date | None
    target_readiness: int
    target_retention: float
    theme: str
    leaderboard_opt_in: bool
    focus: str
    created_at: datetime
    login_token: str

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return self.login_token

    def __repr__(self) -> str:
        return f"<Learner {self.id}>"


# What a service that only reads a learner's profile accepts: the ORM row or the snapshot.
Profile = User | Learner

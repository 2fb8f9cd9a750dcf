"""Accounts."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import String
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"

"""Readiness checks for load balancers and monitors."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from quizapp.extensions import db


def database_problem() -> str | None:
    """None when the database answers ``SELECT 1``; else a short reason (no secrets)."""
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError as exc:
        db.session.rollback()
        return f"database unavailable: {type(getattr(exc, 'orig', None) or exc).__name__}"
    finally:
        db.session.rollback()  # end the read transaction: a monitor must not hold locks
    return None

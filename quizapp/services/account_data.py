"""The learner's data: export it (JSON, or CSV files in a zip) and delete the account."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy import Table
from sqlalchemy import delete
from sqlalchemy import select

from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import Topic
from quizapp.models import TopicSkill
from quizapp.models import User
from quizapp.models.user import Profile
from quizapp.services import accounts
from quizapp.services import quizzes

ACCOUNT_FIELDS = ("id", "email", "display_name", "role", "daily_goal", "timezone",
                  "interview_date", "target_readiness", "target_retention", "theme",
                  "leaderboard_opt_in", "created_at")


def export_data(user: Profile, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Account, attempts, cards and skills as lists of flat rows (5 queries). A mock
    interview still running shows no verdict until it ends: its attempts have no score,
    correctness, rating, next due or test results, and the cards of its questions no
    schedule (they would tell a miss from a hit)."""
    running = quizzes.running_mock_ids(user.id, now)
    attempts = db.session.execute(
        select(Attempt, Question.uid).join(Question, Question.id == Attempt.question_id)
        .where(Attempt.user_id == user.id).order_by(Attempt.created_at, Attempt.id)).all()
    cards = db.session.execute(
        select(Card, Question.uid).join(Question, Question.id == Card.question_id)
        .where(Card.user_id == user.id).order_by(Card.id)).all()
    skills = db.session.execute(
        select(TopicSkill, Topic.slug).join(Topic, Topic.id == TopicSkill.topic_id)
        .where(TopicSkill.user_id == user.id).order_by(Topic.slug)).all()
    in_mock = {uid for a, uid in attempts if a.quiz_id in running}
    return {
        "account": [{name: _plain(getattr(user, name)) for name in ACCOUNT_FIELDS}],
        "attempts": [_attempt_row(a, uid, a.quiz_id in running) for a, uid in attempts],
        "cards": [_card_row(c, uid, uid in in_mock) for c, uid in cards],
        "skills": [{
            "topic": slug, "rating": s.rating, "deviation": s.deviation,
            "volatility": s.volatility, "answers": s.n, "updated_at": _plain(s.updated_at)}
            for s, slug in skills],
    }


def _attempt_row(a: Attempt, uid: str, hidden: bool) -> dict[str, Any]:
    """One attempt's row; ``hidden``: its verdict (score, correct, rating, next due and a
    code answer's test results) left out."""
    def verdict(value: Any) -> Any:
        return None if hidden else value

    response = a.response
    if hidden and isinstance(response, dict) and "results" in response:
        response = {"code": response.get("code")}  # what was sent, not how it fared
    return {"question": uid, "question_version": a.question_version, "quiz_id": a.quiz_id,
            "created_at": _plain(a.created_at), "response": response,
            "score": verdict(a.score), "correct": verdict(a.correct),
            "duration_ms": a.duration_ms, "hints_used": a.hints_used,
            "confidence": a.confidence, "rating": verdict(a.rating), "was_new": a.was_new,
            "next_due": verdict(_plain(a.next_due))}


def _card_row(c: Card, uid: str, hidden: bool) -> dict[str, Any]:
    """One card's row; ``hidden`` (its question is in a running mock): no schedule."""
    row = {"question": uid, "state": c.state, "step": c.step, "stability": c.stability,
           "difficulty": c.difficulty, "due": _plain(c.due),
           "last_review": _plain(c.last_review), "reps": c.reps, "lapses": c.lapses,
           "created_at": _plain(c.created_at)}
    return {key: (value if key in ("question", "created_at") or not hidden else None)
            for key, value in row.items()}


def export_json(user: Profile, now: datetime) -> bytes:
    return json.dumps(export_data(user, now), indent=1, ensure_ascii=False).encode()


def export_csv_zip(user: Profile, now: datetime) -> bytes:
    """One CSV file per section (account.csv, attempts.csv, cards.csv, skills.csv)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in export_data(user, now).items():
            text = io.StringIO()
            if rows:
                writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows({key: _cell(value) for key, value in row.items()}
                                 for row in rows)
            archive.writestr(f"{name}.csv", text.getvalue())
    return buffer.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as text: one starting like a formula gets a leading
    apostrophe (OWASP's advice on CSV injection), so a display name or an answer such as
    ``=HYPERLINK(...)`` is not run when the export is opened. Numbers are left alone; a
    list or mapping (a multi-select or code answer) is written as JSON."""
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def tables_with_user_rows() -> list[tuple[Table, Column[Any]]]:
    """Every table that holds rows belonging to one learner, with the column naming them
    (any foreign key to ``users.id``), in dependency order."""
    return [(table, fk.parent) for table in db.metadata.sorted_tables
            for fk in table.foreign_keys
            if fk.column.table.name == User.__tablename__ and table.name != User.__tablename__]


@retry_on_lock
def delete_account(user: Profile, password: str) -> bool:
    """Remove every row of the learner's if ``password`` is theirs; False otherwise."""
    if accounts.authenticate(user.email, password) is None:
        return False
    quiz_ids = select(Quiz.id).where(Quiz.user_id == user.id).scalar_subquery()
    db.session.execute(delete(QuizItem).where(QuizItem.quiz_id.in_(quiz_ids)))
    for table, column in reversed(tables_with_user_rows()):
        db.session.execute(delete(table).where(column == user.id))
    db.session.execute(delete(User.__table__).where(User.__table__.c.id == user.id))
    db.session.commit()
    db.session.expunge_all()
    return True

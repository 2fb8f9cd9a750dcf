"""Read models for the practice modes: the dashboard's Practise card and the mock-interview
report (fixed number of queries each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from quizapp.core import modes as policy
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import DailyActivity
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models.user import Profile
from quizapp.prepared import Prepared
from quizapp.services.modes import domain_label
from quizapp.services.modes import open_quiz


@dataclass(frozen=True)
class PracticeCard:
    open_quiz: Quiz | None
    answered: int
    misses: int
    replay_days: int
    mock_minutes: tuple[int, ...]
    replay_asks: int = policy.REPLAY_ASKS  # times a miss is asked in one replay quiz, at most


# Built once, with bind parameters (the home page runs them: see reports._NEXT_DUE).
_ANSWERED = Prepared(select(func.sum(DailyActivity.answers)).where(
    DailyActivity.user_id == bindparam("user_id")))
_MISSES = Prepared(select(func.count(func.distinct(Attempt.question_id))).where(
    Attempt.user_id == bindparam("user_id"), Attempt.created_at >= bindparam("since"),
    Attempt.correct.is_(False)))


def practice_card(user: Profile, now: datetime) -> PracticeCard:
    """What the Practise card needs; ends an overdue mock interview first."""
    # Both read indexed, bounded rows: day summaries, and attempts since a few days ago.
    answered = _ANSWERED.scalar({"user_id": user.id}) or 0
    return practice_card_from(user, now, open_quiz(user.id, now), answered)


def practice_card_from(user: Profile, now: datetime, unfinished: Quiz | None,
                       answered: int) -> PracticeCard:
    """The Practise card from what the caller has read already: the open quiz (from
    ``modes.open_quiz``, which ends an overdue mock) and the learner's answer count (the
    dashboard's ``progress.Board.total_answers``)."""
    since = now - timedelta(days=policy.REPLAY_DAYS)
    misses = _MISSES.scalar({"user_id": user.id, "since": since})
    return PracticeCard(unfinished, answered, misses or 0, policy.REPLAY_DAYS,
                        policy.MOCK_MINUTES)


@dataclass(frozen=True)
class DomainScore:
    domain: str
    label: str
    asked: int
    answered: int
    right: int
    points: float

    @property
    def score(self) -> float:
        """Share of the domain's points; unanswered questions score 0."""
        return self.points / self.asked if self.asked else 0.0


@dataclass(frozen=True)
class MockReport:
    quiz: Quiz
    domains: list[DomainScore]
    rows: list[tuple[QuizItem, Attempt | None]]
    asked: int
    answered: int
    right: int
    score: float
    minutes: int
    used_seconds: int


def mock_report(quiz: Quiz) -> MockReport:
    """Per-domain scores and every question with its answer (one query beyond the quiz)."""
    attempts = {a.id: a for a in db.session.scalars(
        select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == quiz.user_id))}
    rows = [(item, attempts.get(item.attempt_id or -1)) for item in quiz.items]
    tally: dict[str, list[float]] = {}
    for item, attempt in rows:
        counts = tally.setdefault(item.question.topic.domain, [0, 0, 0, 0.0])
        counts[0] += 1
        if attempt is not None:
            counts[1] += 1
            counts[2] += int(attempt.correct)
            counts[3] += attempt.score
    order = {d: i for i, d in enumerate(policy.MOCK_MIX)}
    domains = [DomainScore(d, domain_label(d), int(c[0]), int(c[1]), int(c[2]), c[3])
               for d, c in sorted(tally.items(), key=lambda kv: (order.get(kv[0], 99), kv[0]))]
    done = [a for _, a in rows if a is not None]
    end = quiz.finished_at or quiz.deadline or quiz.created_at
    limit = quiz.deadline or end
    return MockReport(
        quiz=quiz, domains=domains, rows=rows, asked=len(rows), answered=len(done),
        right=sum(1 for a in done if a.correct),
        score=sum(a.score for a in done) / len(rows) if rows else 0.0,
        minutes=round((limit - quiz.created_at).total_seconds() / 60),
        used_seconds=max(0, round((min(end, limit) - quiz.created_at).total_seconds())),
    )

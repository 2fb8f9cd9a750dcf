"""Practice modes: start weak-areas, topic-drill, replay and mock-interview quizzes; re-ask
misses; end timed quizzes at their deadline; stop a quiz; the mock interview's report."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from quizapp.core import modes as policy
from quizapp.core.memory import retrievability
from quizapp.core.selection import Pick
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Card
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import Topic
from quizapp.models.user import Profile
from quizapp.services.quiz_view import QuizView
from quizapp.services.quiz_view import reading_order
from quizapp.services.quizzes import QuizNotFound
from quizapp.services.quizzes import commit_new_quiz
from quizapp.services.quizzes import get_quiz
from quizapp.services.quizzes import memory_of
from quizapp.services.quizzes import skills_for
from quizapp.services.quizzes import unfinished_quiz

ANSWER_GRACE = timedelta(seconds=20)  # a timed quiz takes an answer this long past its end
DOMAIN_LABELS = {"ml": "ML concepts", "math": "Math & statistics", "coding": "Coding",
                 "design": "ML system design"}


class OpenQuizExists(Exception):
    """The learner has an open quiz: resume or abandon it before starting another."""

    def __init__(self, quiz: Quiz | None) -> None:
        super().__init__(quiz.id if quiz else None)
        self.quiz = quiz


def domain_label(domain: str) -> str:
    return DOMAIN_LABELS.get(domain, domain.title())


def open_quiz(user_id: int, now: datetime) -> Quiz | None:
    """The learner's open quiz, after ending an overdue mock interview."""
    quiz = unfinished_quiz(user_id)
    if quiz is not None and end_if_expired(quiz, now):
        return None
    return quiz


# --- reading the learner's state -----------------------------------------------------------

def _pool(user_id: int, now: datetime,
          topic_ids: list[int] | None = None) -> list[policy.PoolQuestion]:
    """Live questions (optionally of some topics) with the learner's card, in one query."""
    stmt = (
        select(Question.id, Question.topic_id, Topic.domain, Question.difficulty, Card)
        .join(Topic, Topic.id == Question.topic_id)
        .outerjoin(Card, (Card.question_id == Question.id) & (Card.user_id == user_id))
        .where(Question.retired_at.is_(None))
    )
    if topic_ids is not None:
        stmt = stmt.where(Question.topic_id.in_(topic_ids))
    pool = []
    for qid, topic_id, domain, difficulty, card in db.session.execute(stmt):
        seen = card is not None and card.last_review is not None
        pool.append(policy.PoolQuestion(
            qid, topic_id, domain, difficulty,
            due=seen and card.due <= now,
            retrievability=retrievability(memory_of(card), now) if seen else None,
            last_review=card.last_review if seen else None))
    return pool


def standings(user_id: int) -> dict[int, policy.TopicStanding]:
    """Per practised topic: answers, right answers and the skill rating (two queries)."""
    right = func.sum(case((Attempt.correct.is_(True), 1), else_=0))
    stmt = (
        select(Question.topic_id, func.count(Attempt.id), right)
        .join(Question, Question.id == Attempt.question_id)
        .where(Attempt.user_id == user_id)
        .group_by(Question.topic_id)
    )
    skills = skills_for(user_id)
    result = {}
    for topic_id, answered, correct in db.session.execute(stmt):
        skill = skills.get(topic_id)
        rating, deviation = (skill.rating, skill.deviation) if skill else (1500.0, 350.0)
        result[topic_id] = policy.TopicStanding(topic_id, rating, deviation, answered,
                                                int(correct or 0))
    return result


@dataclass(frozen=True)
class TopicNode:
    id: int
    title: str
    questions: int


@dataclass(frozen=True)
class DomainNode:
    domain: str
    label: str
    topics: list[TopicNode]


def topic_tree() -> list[DomainNode]:
    """Domains and their topics that have live questions, with question counts."""
    stmt = (
        select(Topic.id, Topic.domain, Topic.title, func.count(Question.id))
        .join(Question, Question.topic_id == Topic.id)
        .where(Question.retired_at.is_(None))
        .group_by(Topic.id, Topic.domain, Topic.title)
    )
    domains: dict[str, list[TopicNode]] = {}
    for topic_id, domain, title, count in db.session.execute(stmt):
        domains.setdefault(domain, []).append(TopicNode(topic_id, title, count))
    order = list(DOMAIN_LABELS) + sorted(set(domains) - set(DOMAIN_LABELS))
    return [DomainNode(d, domain_label(d),
                       sorted(domains[d], key=lambda topic: reading_order(topic.title)))
            for d in order if d in domains]


def recent_misses(user_id: int, days: int, now: datetime) -> list[policy.Miss]:
    """Live questions answered wrong in the last ``days`` days (uses the attempt index)."""
    stmt = (
        select(Attempt.question_id, Question.topic_id, func.count(Attempt.id),
               func.max(Attempt.created_at))
        .join(Question, Question.id == Attempt.question_id)
        .where(Attempt.user_id == user_id, Attempt.created_at >= now - timedelta(days=days),
               Attempt.correct.is_(False), Question.retired_at.is_(None))
        .group_by(Attempt.question_id, Question.topic_id)
    )
    return [policy.Miss(*row) for row in db.session.execute(stmt)]


# --- starting quizzes ----------------------------------------------------------------------

def _create(user: Profile, mode: str, picks: list[Pick], now: datetime,
            rng: random.Random, extras: dict[int, dict] | None = None,
            topic_filter: list[int] | None = None, deadline: datetime | None = None,
            ) -> Quiz | None:
    """Insert the quiz and its items and commit; None when there is nothing to ask."""
    if not picks:
        return None
    if open_quiz(user.id, now) is not None:
        raise OpenQuizExists(unfinished_quiz(user.id))
    quiz = Quiz(user_id=user.id, mode=mode, seed=rng.randrange(2**31), created_at=now,
                topic_filter=topic_filter, deadline=deadline)
    items = [{"position": i, "question_id": p.question_id, "kind": p.kind,
              "extra": (extras or {}).get(p.topic_id)} for i, p in enumerate(picks, start=1)]
    if not commit_new_quiz(quiz, items):
        raise OpenQuizExists(unfinished_quiz(user.id))
    return quiz


@retry_on_lock
def start_weak_areas(user: Profile, now: datetime, rng: random.Random) -> Quiz | None:
    """Questions from the weakest practised topics, each with the reason it was chosen."""
    weakest = policy.weakest_topics(standings(user.id).values())
    topic_ids = [s.topic_id for s in weakest]
    picks = policy.weak_area_quiz(topic_ids, _pool(user.id, now, topic_ids), now, rng)
    reasons = {s.topic_id: {"reason": policy.weakness_reason(s)} for s in weakest}
    return _create(user, "weak", picks, now, rng, extras=reasons, topic_filter=topic_ids)


@retry_on_lock
def start_drill(user: Profile, topic_ids: list[int], size: int, now: datetime,
                rng: random.Random) -> Quiz | None:
    """``size`` questions from the chosen topics: due, then unseen, then the rest."""
    picks = policy.drill_quiz(topic_ids, _pool(user.id, now, topic_ids), size, rng)
    return _create(user, "drill", picks, now, rng, topic_filter=topic_ids)


@retry_on_lock
def start_replay(user: Profile, days: int, now: datetime, rng: random.Random) -> Quiz | None:
    """The questions answered wrong in the last ``days`` days."""
    picks = policy.replay_order(recent_misses(user.id, days, now))
    return _create(user, "replay", picks, now, rng)


@retry_on_lock
def start_mock(user: Profile, minutes: int, now: datetime, rng: random.Random) -> Quiz | None:
    """A timed interview of mixed domains; the deadline is absolute (server clock)."""
    if minutes not in policy.MOCK_MINUTES:
        raise ValueError(f"a mock interview lasts one of {policy.MOCK_MINUTES} minutes")
    picks = policy.mock_quiz(_pool(user.id, now), minutes, now, rng)
    return _create(user, "mock", picks, now, rng, deadline=now + timedelta(minutes=minutes))


# --- during and after a quiz ---------------------------------------------------------------

def requeue_misses(quiz: Quiz | QuizView, now: datetime) -> int:
    """Replay mode: ask a question again at the end while its latest answer is wrong.

    Call right after an answer was recorded. Reopens the quiz if that answer finished it.
    Returns how many items were added.
    """
    return _requeue_misses(quiz, now) if quiz.mode == "replay" else 0


@retry_on_lock
def _requeue_misses(quiz: Quiz | QuizView, now: datetime) -> int:
    db.session.execute(select(Quiz.id).where(Quiz.id == quiz.id).with_for_update())
    rows = db.session.execute(
        select(QuizItem.position, QuizItem.question_id, QuizItem.attempt_id, Attempt.correct)
        .outerjoin(Attempt, Attempt.id == QuizItem.attempt_id)
        .where(QuizItem.quiz_id == quiz.id)).all()
    played = [policy.PlayedItem(p, q, a is not None, bool(c)) for p, q, a, c in rows]
    again = policy.to_requeue(played)
    if not again:
        return 0
    last = max(p.position for p in played)
    for offset, question_id in enumerate(again, start=1):
        db.session.add(QuizItem(quiz_id=quiz.id, position=last + offset,
                                question_id=question_id, kind="review",
                                extra={"again": True}))
    db.session.execute(update(Quiz).where(Quiz.id == quiz.id).values(finished_at=None))
    try:
        db.session.commit()
    except IntegrityError:  # another quiz was opened meanwhile: leave this one finished
        db.session.rollback()
        return 0
    return len(again)


def in_answer_grace(quiz: Quiz | QuizView, now: datetime) -> bool:
    """Past a timed quiz's deadline by less than ``ANSWER_GRACE``, and not ended yet.

    When time runs out the question page sends what is typed; an answer to a question shown
    before the deadline is still taken in this window (the network's and the page's delay).
    """
    return (quiz.deadline is not None and quiz.finished_at is None
            and quiz.deadline <= now < quiz.deadline + ANSWER_GRACE)


def end_if_expired(quiz: Quiz | QuizView, now: datetime) -> bool:
    """Finish a timed quiz whose deadline has passed; True if it is over by the clock.

    Unanswered items stay unanswered (no attempts are made up for them).
    """
    if quiz.deadline is None or now < quiz.deadline:
        return False
    if quiz.finished_at is None:
        deadline = quiz.deadline
        _finish_at(quiz.id, deadline)
        if isinstance(quiz, QuizView):  # an ORM quiz reloads after the commit
            quiz.finished_at = deadline
    return True


@retry_on_lock
def _finish_at(quiz_id: int, deadline: datetime) -> None:
    db.session.execute(update(Quiz).where(Quiz.id == quiz_id, Quiz.finished_at.is_(None))
                       .values(finished_at=deadline))
    db.session.commit()


@retry_on_lock
def abandon(user_id: int, quiz_id: int, now: datetime) -> Quiz:
    """Stop an open quiz now: it counts as finished; unanswered items stay unanswered."""
    quiz = get_quiz(user_id, quiz_id)
    if quiz.finished_at is None:
        quiz.finished_at = min(now, quiz.deadline) if quiz.deadline else now
        db.session.commit()
    return quiz


def stopped_early(quiz: Quiz | QuizView) -> bool:
    """Finished (stopped or out of time) with questions left unanswered."""
    return quiz.finished_at is not None and quiz.answered < quiz.total


__all__ = ["ANSWER_GRACE", "OpenQuizExists", "QuizNotFound", "abandon", "end_if_expired",
           "in_answer_grace", "open_quiz", "requeue_misses", "start_drill", "start_mock",
           "start_replay", "start_weak_areas", "stopped_early", "topic_tree"]

"""The dashboard read model: readiness, plan, mastery map, forecast, activity, streaks.

A fixed number of queries whatever the history size: the learner's cards (at most one per
question), the bank's question counts per topic and difficulty, topic skills, the per-day
summary rows, recent and mock quizzes. No query reads the answer history itself.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import NamedTuple

from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select

from quizapp.core import plan as plan_model
from quizapp.core import readiness as readiness_model
from quizapp.core import skill as skill_model
from quizapp.core.clock import start_of_local_day
from quizapp.core.streaks import Streaks
from quizapp.core.streaks import streaks
from quizapp.extensions import db
from quizapp.models import Card
from quizapp.models import DailyActivity
from quizapp.models import Question
from quizapp.models import Topic
from quizapp.models.types import UTCDateTime
from quizapp.models.user import Profile
from quizapp.prepared import Prepared
from quizapp.services.activity import local_day
from quizapp.services.quiz_view import TopicView
from quizapp.services.quiz_view import reading_order
from quizapp.services.quizzes import skills_for
from quizapp.services.reports import RecentQuiz
from quizapp.services.reports import recent_quiz_scores

FORECAST_DAYS = 14
ACTIVITY_DAYS = 30
PACE_DAYS = 7  # the recent pace of new questions: their mean over this many days
MAP_EXTREMES = 3  # weakest and strongest topics listed
WEAK_BELOW = 0.5  # mastery below this reads "weak"
STRONG_FROM = 0.75  # mastery from this reads "strong"


@dataclass(frozen=True)
class TopicCell:
    topic_id: int
    slug: str
    title: str
    domain: str
    skill: skill_model.Skill | None
    mastery: float | None  # 0-1, None when never practised
    recall: float | None  # mean predicted recall of the studied questions
    seen: int
    total: int

    @property
    def level(self) -> str:
        if self.mastery is None:
            return "none"
        if self.skill is not None and skill_model.too_early(self.skill):
            # One right answer leaves the rating so uncertain that the cautious mastery
            # reads below half: calling that topic weak (or any level) would mislead.
            return "early"
        if self.mastery < WEAK_BELOW:
            return "weak"
        return "strong" if self.mastery >= STRONG_FROM else "mid"


@dataclass(frozen=True)
class DayPoint:
    day: date
    answers: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


@dataclass(frozen=True)
class Board:
    readiness: readiness_model.Readiness
    plan: plan_model.Plan
    target: int
    mastery_map: dict[str, list[TopicCell]]
    weakest: list[TopicCell]
    strongest: list[TopicCell]
    due_now: int
    forecast: list[tuple[date, int]]
    activity: list[DayPoint]
    streaks: Streaks
    total_ms: int
    total_answers: int
    mock_scores: list[tuple[RecentQuiz, int, float, int]]
    answered_today: int  # answers on the learner's local day (its summary row)
    new_today: int  # never-seen questions among them (the daily budget's count)
    new_available: int  # live questions the learner has no card for
    pace_days: int = PACE_DAYS  # the days plan.recent_new_per_day is a mean over

    @property
    def pace_words(self) -> str:
        """When the pace of ``plan.recent_new_per_day`` was kept, in words."""
        if self.pace_days >= PACE_DAYS:
            return "this week"
        return "today" if self.pace_days == 1 else f"in your first {self.pace_days} days"

    @property
    def forecast_points(self) -> list[tuple[str, float]]:
        return [(day.strftime("%d %b") if i == 0 else day.strftime("%d"), n)
                for i, (day, n) in enumerate(self.forecast)]

    @property
    def answers_points(self) -> list[tuple[str, float | None]]:
        return [(d.day.strftime("%d %b"), d.answers) for d in self.activity]

    @property
    def accuracy_points(self) -> list[tuple[str, float | None]]:
        return [(d.day.strftime("%d %b"),
                 None if d.accuracy is None else round(100 * d.accuracy, 1))
                for d in self.activity]


class _CardRow(NamedTuple):  # one per card: a named tuple is cheaper to build
    topic_id: int
    difficulty: int
    stability: float | None
    elapsed_days: float | None  # since the last review, None if never reviewed
    due_day: float  # days from the start of the learner's today to the due time


def dashboard(user: Profile, now: datetime) -> Board:
    """Everything the dashboard shows beyond today's counts."""
    today = local_day(now, user.timezone)
    midnight = start_of_local_day(now, user.timezone)
    cards = _cards(user.id, now, midnight)
    topics, totals = _bank()
    skills = skills_for(user.id)
    days = _DAYS.all({"user_id": user.id})
    seen = Counter((card.topic_id, card.difficulty) for card in cards)  # cards per bucket
    ready = readiness_model.readiness(
        [c for c in cards if c.elapsed_days is not None and c.stability],
        _topic_banks(topics, totals, seen), skills)
    cells = _cells(topics, totals, seen, skills, ready)
    practised = sorted((c for c in cells if c.mastery is not None and c.level != "early"),
                       key=lambda c: c.mastery)
    due_days = [math.floor(c.due_day) for c in cards]
    since_midnight = (now - midnight).total_seconds() / 86400
    recent_days = _pace_days(today, local_day(user.created_at, user.timezone))
    recent_new = sum(d.new for d in days if (today - d.day).days < recent_days) / recent_days
    by_day = {d.day: d for d in days}
    today_row = by_day.get(today)
    new_today = today_row.new if today_row else 0
    plan = plan_model.make_plan(
        today, user.interview_date, user.target_readiness, user.target_retention,
        _goals(topics, ready), _due_by_domain(cards, due_days, topics, _horizon(today, user)),
        recent_new, new_today=new_today)
    mastery_map: dict[str, list[TopicCell]] = {}
    for cell in cells:
        mastery_map.setdefault(cell.domain, []).append(cell)
    return Board(
        readiness=ready, plan=plan, target=user.target_readiness, mastery_map=mastery_map,
        weakest=practised[:MAP_EXTREMES],
        strongest=list(reversed(practised[-MAP_EXTREMES:]))
        if len(practised) > MAP_EXTREMES else [],
        due_now=sum(1 for c in cards if c.due_day <= since_midnight),
        forecast=[(today + timedelta(days=i), n)
                  for i, n in enumerate(_forecast_counts(due_days, FORECAST_DAYS))],
        activity=[_point(by_day, today - timedelta(days=ACTIVITY_DAYS - 1 - i))
                  for i in range(ACTIVITY_DAYS)],
        streaks=streaks((d.day for d in days if d.answers), today),
        total_ms=sum(d.duration_ms for d in days),
        total_answers=sum(d.answers for d in days),
        mock_scores=_mock_scores(user.id),
        answered_today=today_row.answers if today_row else 0,
        new_today=new_today, pace_days=recent_days,
        new_available=sum(sum(counts.values()) for counts in totals.values()) - len(cards),
    )


def _cards(user_id: int, now: datetime, midnight: datetime) -> list[_CardRow]:
    """The learner's live cards (at most one per question in the bank).

    The database turns the datetimes into day counts: converting 2,000 pairs of datetimes
    in Python costs more than the rest of the dashboard. Due days count whole 24-hour days
    from local midnight (a DST change shifts the boundary by an hour).
    """
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        params: dict[str, Any] = {"now": now, "midnight": midnight}
    else:  # SQLite compares its storage form of the datetimes
        params = {name: moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
                  for name, moment in (("now", now), ("midnight", midnight))}
    rows = _CARDS.tuples({"user_id": user_id, **params})
    return [_CardRow(topic, difficulty, stability,
                     None if elapsed is None else float(elapsed), float(due))
            for topic, difficulty, stability, elapsed, due in rows]


def _cards_statement(dialect: str) -> Any:
    """``_cards``' statement for a dialect (``Prepared`` builds it once per dialect)."""

    def days_after(start: str, column: Any) -> Any:  # column - start, in days
        if dialect == "postgresql":
            return func.extract("epoch", column - bindparam(start, type_=UTCDateTime())) / 86400.0
        return func.julianday(column) - func.julianday(bindparam(start, type_=String()))

    return (select(Question.topic_id, Question.difficulty, Card.stability,
                   -days_after("now", Card.last_review), days_after("midnight", Card.due))
            .join(Question, Question.id == Card.question_id)
            .where(Card.user_id == bindparam("user_id"), Question.retired_at.is_(None)))


# plain rows from the DBAPI cursor: an old learner has thousands of cards, and SQLAlchemy's
# result rows cost more than the rest of reading them
_CARDS = Prepared(_cards_statement)

_DAYS = Prepared(select(DailyActivity.day, DailyActivity.answers, DailyActivity.correct,
                        DailyActivity.new, DailyActivity.duration_ms)
                 .where(DailyActivity.user_id == bindparam("user_id")))


def _bank() -> tuple[dict[int, TopicView], dict[int, dict[int, int]]]:
    """Topics with live questions, and their question counts by difficulty (plain rows:
    loading the topics as ORM objects cost a fifth of the dashboard).

    The counts come from the covering index alone and the topics are joined here: grouping
    the join by the topics' columns sorted every live question's row twice (0.72 against
    0.22 ms for 900 questions on SQLite)."""
    totals: dict[int, dict[int, int]] = {}
    for topic_id, difficulty, count in _BANK_COUNTS.tuples({}):
        totals.setdefault(topic_id, {})[difficulty] = count
    live = sorted((row for row in _TOPICS.tuples({}) if row[0] in totals),
                  key=lambda row: (row[2], *reading_order(row[3])))  # domain, then title
    topics = {row[0]: TopicView(*row) for row in live}
    return topics, {topic_id: totals[topic_id] for topic_id in topics}


# the same for every learner: compiled once, the counts read from ix_question_live
_BANK_COUNTS = Prepared(
    select(Question.topic_id, Question.difficulty, func.count())
    .where(Question.retired_at.is_(None))
    .group_by(Question.topic_id, Question.difficulty)
    .order_by(Question.topic_id, Question.difficulty))
_TOPICS = Prepared(select(Topic.id, Topic.slug, Topic.domain, Topic.title))


def _topic_banks(topics: dict[int, TopicView], totals: dict[int, dict[int, int]],
                 seen: Counter[tuple[int, int]]) -> list[readiness_model.TopicBank]:
    """Each topic's unseen questions by difficulty (``seen``: the learner's cards by topic
    and difficulty)."""
    return [readiness_model.TopicBank(
        topic_id=tid, domain=topics[tid].domain,
        unseen_by_difficulty={d: max(0, n - seen.get((tid, d), 0))
                              for d, n in totals[tid].items()},
        total=sum(totals[tid].values())) for tid in topics]


def _cells(topics: dict[int, TopicView], totals: dict[int, dict[int, int]],
           seen_by_difficulty: Counter[tuple[int, int]],
           skills: dict[int, skill_model.Skill],
           ready: readiness_model.Readiness) -> list[TopicCell]:
    seen: Counter[int] = Counter()
    for (topic_id, _difficulty), count in seen_by_difficulty.items():
        seen[topic_id] += count
    cells = []
    for tid, topic in topics.items():
        skill = skills.get(tid)
        practised = skill is not None and skill.n > 0
        cells.append(TopicCell(
            topic_id=tid, slug=topic.slug, title=topic.title, domain=topic.domain,
            skill=skill if practised else None,
            mastery=skill_model.mastery(skill) if practised else None,
            recall=ready.topics[tid].mean_recall, seen=seen.get(tid, 0),
            total=sum(totals[tid].values())))
    return cells


def _goals(topics: dict[int, TopicView],
           ready: readiness_model.Readiness) -> list[plan_model.DomainGoal]:
    return [plan_model.DomainGoal(domain, score.total, score.studied, score.unseen_sum)
            for domain, score in sorted(ready.domains.items())]


def _pace_days(today: date, first_day: date) -> int:
    """Days the recent pace is averaged over: a week, or the account's days when younger."""
    return max(1, min(PACE_DAYS, (today - first_day).days + 1))


def _horizon(today: date, user: Profile) -> int:
    if user.interview_date is None:
        return 0
    return max(0, (user.interview_date - today).days)


def _forecast_counts(due_days: list[int], n_days: int) -> list[int]:
    """Reviews falling due on each of the next ``n_days`` days (day 0 includes overdue)."""
    counts = [0] * n_days
    if not n_days:
        return counts
    for offset in due_days:
        if offset < n_days:
            counts[offset if offset > 0 else 0] += 1
    return counts


def _due_by_domain(cards: list[_CardRow], due_days: list[int], topics: dict[int, TopicView],
                   n_days: int) -> dict[str, list[int]]:
    offsets: dict[str, list[int]] = {}
    for card, offset in zip(cards, due_days, strict=True):
        if card.topic_id in topics:
            offsets.setdefault(topics[card.topic_id].domain, []).append(offset)
    return {domain: _forecast_counts(days, n_days) for domain, days in offsets.items()}


def _point(by_day: dict[date, object], day: date) -> DayPoint:
    row = by_day.get(day)
    return DayPoint(day, row.answers, row.correct) if row else DayPoint(day, 0, 0)


def _mock_scores(user_id: int, limit: int = 5) -> list[tuple[RecentQuiz, int, float, int]]:
    return recent_quiz_scores(user_id, limit, finished_mocks=True)

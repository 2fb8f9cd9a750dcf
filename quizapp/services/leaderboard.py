"""The opt-in leaderboard: weekly points, accuracy and streak of learners who joined."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import select

from quizapp.core.streaks import streaks
from quizapp.database import retry_on_lock
from quizapp.extensions import db
from quizapp.models import DailyActivity
from quizapp.models import User

WEEK_DAYS = 7
SHOWN = 50
STREAK_LOOKBACK_DAYS = 400  # the current streak is what the leaderboard shows


@dataclass(frozen=True)
class Entry:
    rank: int
    user_id: int
    display_name: str
    points: int  # right answers in the last 7 days
    answers: int
    streak: int

    @property
    def accuracy(self) -> float | None:
        return self.points / self.answers if self.answers else None


@retry_on_lock
def set_opt_in(user: User, opt_in: bool) -> None:
    """Join or leave the leaderboard (leaving takes effect on the next page load)."""
    user.leaderboard_opt_in = opt_in
    db.session.commit()


def leaderboard(now: datetime) -> list[Entry]:
    """The top learners who opted in, by right answers over the last 7 days (2 queries)."""
    today = now.date()
    since = today - timedelta(days=WEEK_DAYS - 1)
    answers = func.coalesce(func.sum(DailyActivity.answers), 0)
    correct = func.coalesce(func.sum(DailyActivity.correct), 0)
    rows = db.session.execute(
        select(User.id, User.display_name, answers, correct)
        .outerjoin(DailyActivity, and_(DailyActivity.user_id == User.id,
                                       DailyActivity.day >= since))
        .where(User.leaderboard_opt_in.is_(True))
        .group_by(User.id, User.display_name)
        .order_by(correct.desc(), User.display_name, User.id).limit(SHOWN)).all()
    ids = [r[0] for r in rows]
    days: dict[int, list[date]] = {i: [] for i in ids}
    if ids:
        for user_id, day in db.session.execute(
                select(DailyActivity.user_id, DailyActivity.day).where(
                    DailyActivity.user_id.in_(ids), DailyActivity.answers > 0,
                    DailyActivity.day >= today - timedelta(days=STREAK_LOOKBACK_DAYS))):
            days[user_id].append(day)
    return [Entry(rank, uid, name, int(right), int(total), streaks(days[uid], today).current)
            for rank, (uid, name, total, right) in enumerate(rows, start=1)]

"""The interview plan: new questions and reviews per day, per domain, to reach a readiness
target by the interview date with a smoothed workload.

Model (docs/readiness.md has the reasoning and a worked example):

* A studied question whose reviews are kept up is recalled with probability ``retention``
  (FSRS schedules each review when recall falls to that level) at the interview.
* Learning an unseen question raises its probability from its unseen credit to
  ``retention``. A domain needs ``ceil((target x total - retention x studied - unseen
  credit) / (retention - mean unseen credit))`` new questions, at most all it has unseen.
* A question first studied on day ``d`` comes back for review on ``d + o`` for each offset
  in ``REVIEW_OFFSETS`` (FSRS-6 default intervals after "Good" answers at 90 % retention).
* The schedule puts a daily cap on the workload (reviews + new), carries reviews over the
  cap to the next day, spreads the remaining new questions evenly over the days left for
  new material, and takes the smallest cap that places every new question and clears every
  review before the interview (binary search). No new questions in the last
  ``FINAL_REVIEW_DAYS`` days.
* Today's share of new questions counts those already learned today: the day's even share
  is taken as at the start of the day, less what today brought, so a learner who has done
  today's share sees no more new questions planned for today.
* On track: the learner's new questions per day over the last week (or over the days
  since the account began, when younger) are at least ``ON_TRACK_SHARE`` of the plan's
  new questions per day.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

REVIEW_OFFSETS = (1, 3, 8, 21, 55)
FINAL_REVIEW_DAYS = 2
ON_TRACK_SHARE = 0.9
MAX_DAILY_LOAD = 300  # above this, a plan is not a plan a person can follow
MAX_PLAN_DAYS = 366  # a plan looks at most a year ahead
DEFAULT_TARGET = 80
DEFAULT_RETENTION = 0.9


@dataclass(frozen=True)
class DomainGoal:
    """A domain's state as readiness sees it: sizes and the unseen questions' credit."""

    domain: str
    total: int
    studied: int
    unseen_credit: float  # summed probability over the unseen questions


@dataclass(frozen=True)
class PlanDay:
    day: date
    new: dict[str, int]
    reviews: int
    reviews_by_domain: dict[str, int]

    @property
    def total(self) -> int:
        return self.reviews + sum(self.new.values())


@dataclass(frozen=True)
class Plan:
    status: str  # no_date | today | past | too_far | reached | on_track | behind | unreachable
    days: list[PlanDay]
    new_by_domain: dict[str, int]
    reachable: bool
    recent_new_per_day: float

    @property
    def total_new(self) -> int:
        return sum(self.new_by_domain.values())

    @property
    def new_per_day(self) -> float:
        study = [d for d in self.days if sum(d.new.values())]
        return self.total_new / len(study) if study else 0.0

    @property
    def average_load(self) -> float:
        return sum(d.total for d in self.days) / len(self.days) if self.days else 0.0

    @property
    def max_load(self) -> int:
        return max((d.total for d in self.days), default=0)


def new_needed(goal: DomainGoal, target: float, retention: float) -> tuple[int, bool]:
    """New questions ``goal``'s domain needs to reach ``target`` (0-1); and whether it can."""
    unseen = goal.total - goal.studied
    have = retention * goal.studied + goal.unseen_credit
    need = target * goal.total - have
    if need <= 1e-9:
        return 0, True
    gain = retention - (goal.unseen_credit / unseen if unseen else 0.0)
    if unseen == 0 or gain <= 0:
        return 0, False
    count = math.ceil(need / gain - 1e-9)
    return min(count, unseen), count <= unseen


def make_plan(today: date, interview: date | None, target: float, retention: float,
              goals: Sequence[DomainGoal], due_by_domain: Mapping[str, Sequence[int]],
              recent_new_per_day: float, new_today: int = 0) -> Plan:
    """Plan every day from ``today`` to the day before ``interview``.

    ``target`` is readiness 0-100; ``due_by_domain[domain][i]`` counts the domain's reviews
    already due on day ``today + i`` (day 0 includes the overdue ones); ``new_today`` is
    the questions learned for the first time today (already counted in ``goals``).
    """
    if interview is None:
        return Plan("no_date", [], {}, True, recent_new_per_day)
    n_days = (interview - today).days
    if n_days <= 0:  # no day left before it: the interview is today, or over
        return Plan("today" if n_days == 0 else "past", [], {}, True, recent_new_per_day)
    if n_days > MAX_PLAN_DAYS:
        return Plan("too_far", [], {}, True, recent_new_per_day)
    needed = {g.domain: new_needed(g, target / 100, retention) for g in goals}
    new_by_domain = {d: n for d, (n, _) in needed.items() if n}
    reachable = all(ok for _, ok in needed.values())
    total_new = sum(new_by_domain.values())
    by_domain = {d: _padded(counts, n_days) for d, counts in due_by_domain.items()}
    due = [sum(counts[i] for counts in by_domain.values()) for i in range(n_days)]
    new_days = max(1, n_days - FINAL_REVIEW_DAYS) if n_days > FINAL_REVIEW_DAYS * 2 else n_days
    cap = _smallest_cap(due, total_new, new_days, new_today)
    new_counts, reviews = _fill(due, total_new, new_days, cap, new_today)
    split = _split_by_domain(new_by_domain, new_counts)
    review_split = _reviews_by_domain(by_domain, split, reviews)
    days = [PlanDay(today + timedelta(days=i), split[i], reviews[i], review_split[i])
            for i in range(n_days)]
    if not total_new:
        status = "reached" if reachable else "unreachable"
    elif not reachable or cap > MAX_DAILY_LOAD:
        status = "unreachable"
    elif recent_new_per_day >= ON_TRACK_SHARE * total_new / new_days:
        status = "on_track"
    else:
        status = "behind"
    return Plan(status, days, new_by_domain, reachable and cap <= MAX_DAILY_LOAD,
                recent_new_per_day)


def _fill(due: Sequence[int], total_new: int, new_days: int, cap: int,
          new_today: int = 0) -> tuple[list[int], list[int]] | tuple[None, None]:
    """Greedy day-by-day schedule under ``cap``; (None, None) if it cannot fit.

    Day 0's even share is taken as at the start of the day (``new_today`` more to place),
    less ``new_today``.
    """
    n_days = len(due)
    load = list(due)
    new_counts, reviews = [0] * n_days, [0] * n_days
    carry, remaining = 0, total_new
    for i in range(n_days):
        waiting = load[i] + carry
        reviews[i] = min(waiting, cap)
        carry = waiting - reviews[i]
        if i < new_days and remaining:
            done = new_today if i == 0 else 0
            even = math.ceil((remaining + done) / (new_days - i)) - done
            new_counts[i] = max(0, min(remaining, even, cap - reviews[i]))
            remaining -= new_counts[i]
            for offset in REVIEW_OFFSETS:
                if i + offset < n_days:
                    load[i + offset] += new_counts[i]
    if remaining or carry:
        return None, None
    return new_counts, reviews


def _smallest_cap(due: Sequence[int], total_new: int, new_days: int, new_today: int = 0) -> int:
    """The smallest daily cap under which everything fits (binary search)."""
    lo = max(1, math.ceil((sum(due) + total_new) / len(due)))
    hi = lo
    while _fill(due, total_new, new_days, hi, new_today)[0] is None:
        hi *= 2
    while lo < hi:
        mid = (lo + hi) // 2
        if _fill(due, total_new, new_days, mid, new_today)[0] is None:
            lo = mid + 1
        else:
            hi = mid
    return hi


def _padded(counts: Sequence[int], n_days: int) -> list[int]:
    return [int(x) for x in counts[:n_days]] + [0] * max(0, n_days - len(counts))


def _reviews_by_domain(due: Mapping[str, list[int]], new: list[dict[str, int]],
                       reviews: list[int]) -> list[dict[str, int]]:
    """Split each day's planned reviews over the domains waiting for them.

    Replays the schedule per domain (its due reviews, plus the returns of its new
    questions); a day's reviews go to the domains in proportion to what each has waiting
    (largest remainder), and the rest waits for the next day, as in ``_fill``.
    """
    n_days = len(reviews)
    domains = sorted(set(due) | {d for day in new for d in day})
    load = {d: list(due.get(d, [0] * n_days)) for d in domains}
    waiting = dict.fromkeys(domains, 0)
    result = []
    for i in range(n_days):
        for d in domains:
            waiting[d] += load[d][i]
        share = _largest_remainder(waiting, reviews[i])
        for d in domains:
            waiting[d] -= share[d]
            for offset in REVIEW_OFFSETS:
                if i + offset < n_days:
                    load[d][i + offset] += new[i].get(d, 0)
        result.append({d: n for d, n in share.items() if n})
    return result


def _largest_remainder(weights: Mapping[str, int], total: int) -> dict[str, int]:
    """Integers summing to ``min(total, sum(weights))`` in proportion to ``weights``."""
    whole = sum(weights.values())
    total = min(total, whole)
    if not whole:
        return dict.fromkeys(weights, 0)
    exact = {d: total * w / whole for d, w in weights.items()}
    share = {d: math.floor(x) for d, x in exact.items()}
    left = total - sum(share.values())
    for d in sorted(exact, key=lambda d: (share[d] - exact[d], d))[:left]:
        share[d] += 1
    return share


def _split_by_domain(new_by_domain: dict[str, int], per_day: list[int]) -> list[dict[str, int]]:
    """Interleave domains in proportion to their needs, then cut into the daily counts."""
    order = sorted(
        ((k + 0.5) / n, domain) for domain, n in new_by_domain.items() for k in range(n)
    )
    sequence = [domain for _, domain in order]
    days, start = [], 0
    for count in per_day:
        chunk: dict[str, int] = {}
        for domain in sequence[start:start + count]:
            chunk[domain] = chunk.get(domain, 0) + 1
        days.append(chunk)
        start += count
    return days

"""Question selection for the practice modes: weak areas, topic drill, replay misses and
mock interview. Pure: the caller passes ``now`` and ``rng``; nothing here touches a database.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

from quizapp.core.selection import Pick
from quizapp.core.selection import interleave
from quizapp.core.skill import Skill
from quizapp.core.skill import mastery

# Weak areas
WEAK_TOPICS = 3                 # topics per weak-areas quiz
WEAK_QUIZ_SIZE = 10             # questions per weak-areas quiz
MIN_ANSWERS = 5                 # fewer answers in a topic: its rating is "uncertain"
UNCERTAIN_DEVIATION = 200.0     # ...and its deviation counts as at least this much
RECENT = timedelta(days=1)      # questions answered this recently are left out

# Replay misses
REPLAY_DAYS = 14                # default look-back
REPLAY_MAX = 20                 # distinct missed questions per replay quiz
REPLAY_ASKS = 3                 # times one question is asked in a replay quiz, at most

# Mock interview: an ML engineer loop (shares of the questions, summing to 1)
MOCK_MIX = {"ml": 0.35, "math": 0.20, "coding": 0.25, "design": 0.20}
MOCK_MINUTES = (30, 45)
SECONDS_PER_QUESTION = 120      # planning pace: 30 minutes -> 15 questions



@dataclass(frozen=True)
class TopicStanding:
    """What is known about a learner in one topic (rating and deviation from Glicko-2)."""

    topic_id: int
    rating: float
    deviation: float
    answered: int
    right: int


@dataclass(frozen=True)
class PoolQuestion:
    """A live question with the learner's memory of it.

    ``retrievability`` and ``last_review`` are None for a question never answered;
    ``due`` says whether its review is due now.
    """

    question_id: int
    topic_id: int
    domain: str
    difficulty: int
    due: bool = False
    retrievability: float | None = None
    last_review: datetime | None = None

    @property
    def unseen(self) -> bool:
        return self.last_review is None


def _pick(question: PoolQuestion) -> Pick:
    return Pick(question.question_id, question.topic_id,
                    "new" if question.unseen else "review")


# --- weak areas --------------------------------------------------------------------------

def weakness_bound(standing: TopicStanding) -> float:
    """How weak a topic could plausibly be: rating minus (at least uncertain) deviation.

    A lower bound ranks a topic with few answers as possibly weak, so it gets checked.
    """
    deviation = standing.deviation
    if standing.answered < MIN_ANSWERS:
        deviation = max(deviation, UNCERTAIN_DEVIATION)
    return standing.rating - deviation


def weakest_topics(standings: Iterable[TopicStanding],
                   count: int = WEAK_TOPICS) -> list[TopicStanding]:
    """The ``count`` practised topics with the lowest plausible rating (ties by id)."""
    practised = [s for s in standings if s.answered > 0]
    return sorted(practised, key=lambda s: (weakness_bound(s), s.topic_id))[:count]


def weakness_reason(standing: TopicStanding) -> str:
    """One line saying why a topic was chosen."""
    skill = mastery(Skill(standing.rating, standing.deviation, n=standing.answered))
    line = (f"you got {standing.right} of {standing.answered} right; "
            f"skill {skill:.0%}")  # the dashboard's measure: an average question's chance
    if standing.answered < MIN_ANSWERS:
        line += " (few answers yet, so uncertain)"
    return line


def weak_area_quiz(topics: Sequence[int], pool: Iterable[PoolQuestion], now: datetime,
                   rng: random.Random, size: int = WEAK_QUIZ_SIZE) -> list[Pick]:
    """Questions from ``topics`` (weakest first): due and unseen alternating, then other
    seen ones; topics take turns. Nothing answered within ``RECENT`` of ``now``."""
    fresh = [q for q in pool if q.topic_id in set(topics) and not _recent(q, now)]
    queues = {t: _due_new_mix([q for q in fresh if q.topic_id == t], rng) for t in topics}
    picks: list[Pick] = []
    while len(picks) < size and any(queues.values()):
        for topic in topics:
            if queues[topic] and len(picks) < size:
                picks.append(_pick(queues[topic].pop(0)))
    return picks


def _recent(question: PoolQuestion, now: datetime) -> bool:
    return question.last_review is not None and now - question.last_review < RECENT


def _due_new_mix(questions: Sequence[PoolQuestion], rng: random.Random) -> list[PoolQuestion]:
    due = sorted((q for q in questions if q.due), key=_forgotten_first)
    new = sorted((q for q in questions if q.unseen), key=lambda q: q.question_id)
    rng.shuffle(new)
    rest = sorted((q for q in questions if not q.due and not q.unseen), key=_forgotten_first)
    mixed: list[PoolQuestion] = []
    for index in range(max(len(due), len(new))):
        mixed.extend(q[index] for q in (due, new) if index < len(q))
    return mixed + rest


def _forgotten_first(question: PoolQuestion) -> tuple[float, int]:
    return (question.retrievability if question.retrievability is not None else 1.0,
            question.question_id)


# --- topic drill -------------------------------------------------------------------------

def expand_selection(tree: Mapping[str, Sequence[int]], domains: Iterable[str],
                     topics: Iterable[int]) -> list[int]:
    """Topic ids chosen: every topic of a ticked domain plus the ticked topics, in tree order.

    Unknown domains and topic ids are ignored.
    """
    ticked_domains = set(domains)
    ticked_topics = set(topics)
    return [t for domain, ids in tree.items() for t in ids
            if domain in ticked_domains or t in ticked_topics]


def drill_quiz(topics: Iterable[int], pool: Iterable[PoolQuestion], size: int,
               rng: random.Random) -> list[Pick]:
    """``size`` questions from ``topics``: due first, then unseen (random order), then the
    rest. Within a tier the topics take turns (``_in_turns``), each topic's questions most
    forgotten first (due and rest): a learner who picks two topics is asked both, where a
    slice of the tier could come all from the larger topic."""
    chosen = set(topics)
    questions = [q for q in pool if q.topic_id in chosen]
    due = sorted((q for q in questions if q.due), key=_forgotten_first)
    new = sorted((q for q in questions if q.unseen), key=lambda q: q.question_id)
    rng.shuffle(new)
    rest = sorted((q for q in questions if not q.due and not q.unseen), key=_forgotten_first)
    picks: list[Pick] = []
    for tier in (due, new, rest):
        room = size - len(picks)
        if room <= 0:
            break
        picks.extend(interleave([_pick(q) for q in _in_turns(tier, room)]))
    return picks


def _in_turns(tier: Sequence[PoolQuestion], room: int) -> list[PoolQuestion]:
    """Up to ``room`` questions of ``tier``, one topic after another in turn (topics in the
    order they first appear, each topic's questions in tier order)."""
    queues: dict[int, list[PoolQuestion]] = {}
    for question in tier:
        queues.setdefault(question.topic_id, []).append(question)
    taken: list[PoolQuestion] = []
    for turn in range(max((len(q) for q in queues.values()), default=0)):
        taken.extend(q[turn] for q in queues.values() if turn < len(q))
        if len(taken) >= room:
            break
    return taken[:room]


# --- replay misses -----------------------------------------------------------------------

@dataclass(frozen=True)
class Miss:
    """A question answered wrong at least once in the look-back window."""

    question_id: int
    topic_id: int
    misses: int
    last_missed: datetime


def replay_order(misses: Iterable[Miss], limit: int = REPLAY_MAX) -> list[Pick]:
    """Most-missed first, then most recently missed; topics spread."""
    ordered = sorted(misses, key=lambda m: (-m.misses, -m.last_missed.timestamp(),
                                            m.question_id))[:limit]
    return interleave([Pick(m.question_id, m.topic_id, "review") for m in ordered])


@dataclass(frozen=True)
class PlayedItem:
    position: int
    question_id: int
    answered: bool
    correct: bool


def to_requeue(items: Sequence[PlayedItem], max_asks: int = REPLAY_ASKS) -> list[int]:
    """Questions to ask again: their latest item in the quiz was answered wrong, and they
    were asked fewer than ``max_asks`` times (after that the answer has been shown often
    enough; spaced reviews bring the question back, and the quiz cannot grow without end).

    Idempotent: once a question has a newer (open) item it is not returned again.
    """
    latest: dict[int, PlayedItem] = {}
    asked: dict[int, int] = {}
    for item in sorted(items, key=lambda i: i.position):
        latest[item.question_id] = item
        asked[item.question_id] = asked.get(item.question_id, 0) + 1
    return [q for q, item in latest.items()
            if item.answered and not item.correct and asked[q] < max_asks]


# --- mock interview ----------------------------------------------------------------------

def mock_size(minutes: int) -> int:
    """Questions in a mock interview of ``minutes``, at ``SECONDS_PER_QUESTION`` each."""
    return max(1, round(minutes * 60 / SECONDS_PER_QUESTION))


def domain_quotas(available: Mapping[str, int], total: int,
                  mix: Mapping[str, float] = MOCK_MIX) -> dict[str, int]:
    """Split ``total`` questions between domains by ``mix`` (largest remainder).

    Domains missing from the bank give their share to the others; no domain gets more
    than it has; what is left over goes to domains with questions to spare.
    """
    present = {d: share for d, share in mix.items() if available.get(d, 0) > 0}
    total = min(total, sum(available.get(d, 0) for d in present))
    weight = sum(present.values())
    if not present or total <= 0:
        return {}
    exact = {d: total * share / weight for d, share in present.items()}
    quotas = {d: min(int(x), available[d]) for d, x in exact.items()}
    by_remainder = sorted(present, key=lambda d: (-(exact[d] - int(exact[d])), d))
    while sum(quotas.values()) < total:
        spare = [d for d in by_remainder if quotas[d] < available[d]]
        for domain in spare:
            if sum(quotas.values()) < total:
                quotas[domain] += 1
        by_remainder = [d for d in by_remainder if d in spare]
    return {d: q for d, q in quotas.items() if q > 0}


def mock_quiz(pool: Iterable[PoolQuestion], minutes: int, now: datetime,
              rng: random.Random) -> list[Pick]:
    """A timed mix of domains like an ML engineer loop, in a random domain order.

    Within a domain, questions not answered within ``RECENT`` come first (random order).
    """
    by_domain: dict[str, list[PoolQuestion]] = {}
    for question in sorted(pool, key=lambda q: q.question_id):
        by_domain.setdefault(question.domain, []).append(question)
    quotas = domain_quotas({d: len(qs) for d, qs in by_domain.items()}, mock_size(minutes))
    picks: list[Pick] = []
    for domain in sorted(quotas):
        questions = by_domain[domain]
        rng.shuffle(questions)
        questions.sort(key=lambda q: _recent(q, now))  # stable: random order within tiers
        picks.extend(_pick(q) for q in questions[:quotas[domain]])
    rng.shuffle(picks)
    return interleave(picks)

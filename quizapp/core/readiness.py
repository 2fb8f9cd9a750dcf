"""Readiness: how likely the learner is to answer a question from the bank right today.

Readiness of a set of questions (a topic, a domain, the bank) is 100 x the mean, over every
live question in the set, of the probability of answering it right:

* a studied question (an FSRS card with a review): the memory model's predicted recall
  ``R(t, S) = (1 + FACTOR * t / S) ** DECAY`` (FSRS-6; ``t`` days since the last review,
  ``S`` the card's stability; ``R(S, S) = 0.9``);
* an unseen question: ``UNSEEN_CREDIT x`` the topic skill's expected score against the
  question's difficulty, with the rating lowered by half its deviation (an uncertain skill
  earns less credit); no credit at all in a topic never practised.

Overall readiness weights every question equally, so a domain counts by its size.
See docs/readiness.md for the reasoning and worked examples.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import NamedTuple
from typing import Protocol

from fsrs import Scheduler

from quizapp.core.skill import Skill
from quizapp.core.skill import expected_score
from quizapp.core.skill import question_rating

_DEFAULTS = Scheduler()
DECAY: float = _DEFAULTS._DECAY  # -w20 of the default FSRS-6 parameters (-0.1542)
FACTOR: float = _DEFAULTS._FACTOR  # 0.9 ** (1 / DECAY) - 1, so that R(S, S) = 0.9
UNSEEN_CREDIT = 0.5  # an unseen question is answered right half as often as skill predicts


class Studied(Protocol):
    """What readiness reads of a studied card (``StudiedCard``, or a caller's own row with
    these fields: the dashboard passes the rows it read, one per card, as they are)."""

    @property
    def topic_id(self) -> int: ...
    @property
    def stability(self) -> float: ...
    @property
    def elapsed_days(self) -> float: ...


class StudiedCard(NamedTuple):
    """The parts of a card readiness needs: its topic, stability, days since last review."""

    topic_id: int
    stability: float
    elapsed_days: float


@dataclass(frozen=True)
class TopicBank:
    """A topic's live questions: how many of each difficulty (1-5) and how many are unseen."""

    topic_id: int
    domain: str
    unseen_by_difficulty: Mapping[int, int]
    total: int


@dataclass
class Score:
    """Summed probabilities over ``total`` questions; ``value`` is 0-100."""

    recall_sum: float = 0.0  # over studied questions
    unseen_sum: float = 0.0  # over unseen questions
    studied: int = 0
    total: int = 0

    @property
    def value(self) -> float:
        if not self.total:
            return 0.0
        return round(100.0 * (self.recall_sum + self.unseen_sum) / self.total, 1)

    @property
    def mean_recall(self) -> float | None:
        """Mean predicted recall of the studied questions (None when none is studied)."""
        return self.recall_sum / self.studied if self.studied else None

    def add(self, other: Score) -> None:
        self.recall_sum += other.recall_sum
        self.unseen_sum += other.unseen_sum
        self.studied += other.studied
        self.total += other.total


@dataclass
class Readiness:
    overall: Score = field(default_factory=Score)
    domains: dict[str, Score] = field(default_factory=dict)
    topics: dict[int, Score] = field(default_factory=dict)


def predicted_recall(stability: float, elapsed_days: float) -> float:
    """FSRS-6 forgetting curve: probability of recall ``elapsed_days`` after a review."""
    if stability <= 0:
        return 0.0
    return (1.0 + FACTOR * max(elapsed_days, 0.0) / stability) ** DECAY


def unseen_probability(skill: Skill | None, difficulty: int) -> float:
    """Credit for an unseen question of ``difficulty`` in a topic with ``skill``."""
    if skill is None or skill.n == 0:
        return 0.0
    cautious = skill.rating - skill.deviation / 2
    return UNSEEN_CREDIT * expected_score(cautious, question_rating(difficulty))


def readiness(cards: Iterable[Studied], bank: Iterable[TopicBank],
              skills: Mapping[int, Skill]) -> Readiness:
    """Readiness per topic, per domain and overall (elapsed days are counted to "now")."""
    topics: dict[int, Score] = {}
    domain_of: dict[int, str] = {}
    for topic in bank:
        skill = skills.get(topic.topic_id)
        score = Score(total=topic.total)
        score.unseen_sum = sum(count * unseen_probability(skill, difficulty)
                               for difficulty, count in topic.unseen_by_difficulty.items())
        topics[topic.topic_id] = score
        domain_of[topic.topic_id] = topic.domain
    for card in cards:
        score = topics.get(card.topic_id)
        if score is None:
            continue  # a card of a retired topic
        score.recall_sum += predicted_recall(card.stability, card.elapsed_days)
        score.studied += 1
    result = Readiness(topics=topics)
    for topic_id, score in topics.items():
        result.domains.setdefault(domain_of[topic_id], Score()).add(score)
        result.overall.add(score)
    return result

"""This engine driven in memory through the same core functions the services call.

``services.quizzes.start_daily_review`` loads rows, calls ``selection.daily_quiz`` and
draws the quiz seed; ``services.answers.record_answer`` grades, calls
``grading_to_rating.rating_for`` and ``practice.apply_answer`` on locked rows. This adapter
does the same on dictionaries, in the same order, with the same ``rng`` draws.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from fsrs import State

from benchmarks.simulation.learner import Item
from quizapp.core import selection
from quizapp.core.calibration import QuestionRecord
from quizapp.core.calibration import effective_rating
from quizapp.core.clock import start_of_local_day
from quizapp.core.grading_to_rating import Outcome
from quizapp.core.grading_to_rating import rating_for
from quizapp.core.memory import MemoryState
from quizapp.core.memory import retrievability
from quizapp.core.practice import apply_answer
from quizapp.core.skill import Skill

QUIZ_SEED_RANGE = 2**31  # services.quizzes draws Quiz.seed with rng.randrange(2**31)


class EngineAdapter:
    """The engine's state for one learner: cards, topic skills, question statistics."""

    name = "engine"

    def __init__(self, items: Sequence[Item], goal: int, focus: str = "balanced",
                 timezone: str = "UTC") -> None:
        self.items = {i.question_id: i for i in items}
        self.goal = goal
        self.focus = focus
        self.timezone = timezone
        self.cards: dict[int, MemoryState] = {}
        self.skills: dict[int, Skill] = {}
        self.questions: dict[int, QuestionRecord] = {}
        self.new_on_day: dict[datetime, int] = {}
        self.asked: list[int] = []

    def start(self, now: datetime, rng: random.Random, extra: bool = False) -> list[int]:
        """Choose a daily review exactly as ``start_daily_review`` does."""
        introduced = self.new_on_day.get(start_of_local_day(now, self.timezone), 0)
        budget = self.goal if extra else max(0, self.goal - introduced)
        request = selection.DailyRequest(self._due(now), self._new(), dict(self.skills),
                                         self.goal, budget, self.focus)
        picks = selection.daily_quiz(request, rng)
        if not picks:
            return []
        rng.randrange(QUIZ_SEED_RANGE)
        self.asked = [p.question_id for p in picks]
        return list(self.asked)

    def record(self, question_id: int, score: float, now: datetime, seconds: float,
               rng: random.Random) -> int | None:
        """Apply one answer exactly as ``record_answer`` does; return a question to ask
        again at the end of this quiz, if the rule says so."""
        item = self.items[question_id]
        rating = rating_for(Outcome(score, seconds, item.expected_seconds))
        memory = self.cards.get(question_id, MemoryState())
        skill = self.skills.get(item.topic_id, Skill())
        record = self.questions.get(question_id, QuestionRecord.fresh(item.difficulty))
        effects = apply_answer(memory, skill, record, item.difficulty, rating, score, seconds,
                               now, rng)
        self.cards[question_id] = effects.memory
        self.skills[item.topic_id] = effects.skill
        self.questions[question_id] = effects.question
        if effects.was_new:
            day = start_of_local_day(now, self.timezone)
            self.new_on_day[day] = self.new_on_day.get(day, 0) + 1
        if selection.reask("daily", score, self.asked.count(question_id)):
            self.asked.append(question_id)
            return question_id
        return None

    def _due(self, now: datetime) -> list[selection.DueCard]:
        return [
            selection.DueCard(qid, self.items[qid].topic_id, retrievability(card, now),
                              learning=card.state != State.Review.value)
            for qid, card in self.cards.items()
            if card.due is not None and card.due <= now
        ]

    def _new(self) -> list[selection.Candidate]:
        return [
            selection.Candidate(i.question_id, i.topic_id, i.difficulty,
                                effective_rating(i.difficulty, self.questions.get(i.question_id)))
            for i in self.items.values() if i.question_id not in self.cards
        ]

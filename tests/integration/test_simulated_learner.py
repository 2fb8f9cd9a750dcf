"""A simulated learner with hidden per-topic ability practises daily for three weeks."""

from __future__ import annotations

import math
import random
from datetime import timedelta

import yaml
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from quizapp.bank.loader import load_bank
from quizapp.core.skill import question_rating
from quizapp.extensions import db
from quizapp.models import Topic
from quizapp.models import TopicSkill
from quizapp.services import accounts
from quizapp.services import answers
from quizapp.services import quizzes
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW

ABILITY = {"weak": 1150.0, "middling": 1500.0, "strong": 1850.0}


def write_bank(root) -> None:
    for slug in ABILITY:
        questions = [{"id": f"sim.{slug}.{i}", "type": "short_text", "difficulty": 1 + i % 5,
                      "body": f"Question {i} about {slug}.", "explanation": "e",
                      "answers": ["right"]} for i in range(25)]
        path = root / "ml" / f"{slug}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump({"domain": "ml", "topic": slug, "title": slug,
                                        "questions": questions}))


def knows(topic: str, difficulty: int, rng: random.Random) -> bool:
    gap = (ABILITY[topic] - question_rating(difficulty)) / 173.7
    return rng.random() < 1 / (1 + math.exp(-gap))


def practise(user, days: int, rng: random.Random) -> None:
    """A daily review every day, answering from the hidden ability."""
    for day in range(days):
        now = NOW + timedelta(days=day)
        quiz = quizzes.start_daily_review(user, now, rng)
        for item in quiz.items if quiz else []:
            shown, now = now, now + timedelta(seconds=40)
            topic = item.question.topic.slug
            said = "right" if knows(topic, item.question.difficulty, rng) else "wrong"
            answers.record_answer(quiz, item, MultiDict({"answer": said}),
                                  f"{item.id:032x}", 0, now, rng, item.question.version,
                                  shown_at=shown)


def simulate(tmp_path, seed: int) -> dict[str, tuple[float, int]]:
    """Run one learner for three weeks; return {topic: (estimated rating, answers)}."""
    user = accounts.register_user(f"sim{seed}@example.com", "sim-password", "Sim", NOW,
                                  daily_goal=8)
    practise(user, days=21, rng=random.Random(seed))
    rows = db.session.execute(
        select(Topic.slug, TopicSkill.rating, TopicSkill.n)
        .join(TopicSkill, TopicSkill.topic_id == Topic.id)
        .where(TopicSkill.user_id == user.id)).all()
    return {slug: (rating, n) for slug, rating, n in rows}


def test_skill_model_finds_the_weak_topic_and_practises_it_most(ctx, tmp_path):
    write_bank(tmp_path)
    sync_bank(load_bank(tmp_path), NOW)
    runs = [simulate(tmp_path, seed) for seed in (1, 2, 3)]
    for run in runs:
        rating = {slug: value for slug, (value, _) in run.items()}
        practice = {slug: n for slug, (_, n) in run.items()}
        assert rating["weak"] < min(rating["middling"], rating["strong"]), rating
        assert practice["weak"] == max(practice.values()), practice
        assert practice["weak"] > 2 * practice["strong"], practice
    mean = {slug: sum(run[slug][0] for run in runs) / len(runs) for slug in ABILITY}
    assert mean["weak"] < mean["middling"] < mean["strong"], mean

"""selection._choose computes weights once; its draws equal recomputing them per draw."""

from __future__ import annotations

import random
from collections import Counter

from quizapp.core import selection
from quizapp.core.selection import Candidate
from quizapp.core.skill import Skill


def _reference_choose(candidates, weight_of, skills, count, rng):
    """The plain algorithm: every weight and closeness recomputed at every draw."""
    by_topic: dict[int, list[Candidate]] = {}
    for candidate in sorted(candidates, key=lambda c: c.question_id):
        by_topic.setdefault(candidate.topic_id, []).append(candidate)
    per_topic: Counter[int] = Counter()
    chosen = []
    while by_topic and len(chosen) < count:
        topics = sorted(by_topic)
        weights = [weight_of(t) * selection.SAME_TOPIC_PENALTY ** per_topic[t] for t in topics]
        topic = topics[selection._weighted_index(weights, rng)]
        pool = by_topic[topic]
        skill = skills.get(topic, Skill())
        pick = pool.pop(selection._weighted_index(
            [selection.closeness(c, skill) for c in pool], rng))
        if not pool:
            del by_topic[topic]
        per_topic[topic] += 1
        chosen.append(pick)
    return chosen


def test_draws_match_the_plain_algorithm():
    for trial in range(200):
        r = random.Random(trial)
        candidates = [Candidate(q, r.randrange(1, 30), r.randrange(1, 6), r.uniform(1200, 1800))
                      for q in r.sample(range(5000), r.randrange(0, 400))]
        skills = {t: Skill(r.uniform(1200, 1800), r.uniform(50, 350), 0.06, r.randrange(40))
                  for t in range(1, 30) if r.random() < 0.6}
        count = r.randrange(0, 40)

        def weight(topic: int, skills: dict[int, Skill] = skills) -> float:
            return selection.coverage_weight(skills.get(topic, Skill()))

        ours = selection._choose(candidates, weight, skills, count, random.Random(trial))
        plain = _reference_choose(candidates, weight, skills, count, random.Random(trial))
        assert [c.question_id for c in ours] == [c.question_id for c in plain]

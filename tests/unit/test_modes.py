"""Practice-mode selection (core.modes), with hand-checked values."""

from __future__ import annotations

import random
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from itertools import pairwise

import pytest

from quizapp.core import modes
from quizapp.core.modes import Miss
from quizapp.core.modes import PlayedItem
from quizapp.core.modes import PoolQuestion
from quizapp.core.modes import TopicStanding
from quizapp.core.selection import Pick
from quizapp.core.selection import interleave

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def q(qid, topic=1, domain="ml", due=False, r=None, ago=None) -> PoolQuestion:
    return PoolQuestion(qid, topic, domain, 3, due=due, retrievability=r,
                        last_review=None if ago is None else NOW - ago)


# weak areas

def test_weakness_bound_is_rating_minus_deviation_floored_while_uncertain():
    assert modes.weakness_bound(TopicStanding(1, 1320, 90, 9, 3)) == 1230
    # 3 answers < MIN_ANSWERS: a deviation of 80 counts as 200
    assert modes.weakness_bound(TopicStanding(1, 1450, 80, 3, 1)) == 1250
    assert modes.weakness_bound(TopicStanding(1, 1450, 260, 3, 1)) == 1190


def test_weakest_topics_rank_by_plausible_rating_and_skip_unpractised():
    standings = [
        TopicStanding(1, 1320, 90, 9, 3),    # 1230
        TopicStanding(2, 1600, 60, 20, 17),  # 1540
        TopicStanding(3, 1450, 80, 3, 1),    # uncertain: 1250
        TopicStanding(4, 1290, 70, 12, 4),   # 1220
        TopicStanding(5, 1500, 350, 0, 0),   # never answered: not a known weak area
    ]
    assert [s.topic_id for s in modes.weakest_topics(standings, 3)] == [4, 1, 3]


def test_weakness_reason_line():
    assert modes.weakness_reason(TopicStanding(1, 1320.4, 89.6, 9, 3)) == (
        "you got 3 of 9 right; skill 22%")
    assert modes.weakness_reason(TopicStanding(1, 1400, 210, 2, 0)) == (
        "you got 0 of 2 right; skill 24% (few answers yet, so uncertain)")


def test_weak_area_quiz_alternates_due_and_new_and_skips_recent_answers():
    pool = [
        q(1, due=True, r=0.8, ago=timedelta(days=3)),
        q(2, due=True, r=0.4, ago=timedelta(days=5)),
        q(3), q(4),
        q(5, r=0.95, ago=timedelta(days=2)),           # seen, not due: after the mix
        q(6, due=True, r=0.2, ago=timedelta(hours=3)),  # answered today: left out
        q(7, topic=9),                                  # another topic: left out
    ]
    picks = modes.weak_area_quiz([1], pool, NOW, random.Random(0), size=10)
    ids = [p.question_id for p in picks]
    assert ids[0] == 2 and ids[2] == 1         # due, most forgotten first
    assert set(ids[1::2][:2]) == {3, 4}        # unseen in between
    assert ids[-1] == 5 and 6 not in ids and 7 not in ids
    assert [p.kind for p in picks] == ["review", "new", "review", "new", "review"]


def test_weak_area_quiz_takes_topics_in_turn_up_to_size():
    pool = [q(i, topic=1 + i % 2) for i in range(1, 9)]
    picks = modes.weak_area_quiz([2, 1], pool, NOW, random.Random(3), size=5)
    assert [p.topic_id for p in picks] == [2, 1, 2, 1, 2]


# topic drill

def test_expand_selection_counts_a_domain_as_all_its_topics():
    tree = {"ml": [1, 2, 3], "math": [4, 5], "coding": [6]}
    assert modes.expand_selection(tree, ["math"], [2]) == [2, 4, 5]
    assert modes.expand_selection(tree, ["astrology"], [99]) == []
    assert modes.expand_selection(tree, ["ml"], [1]) == [1, 2, 3]


def test_drill_puts_due_first_then_unseen_then_the_rest():
    pool = [q(1, r=0.9, ago=timedelta(days=1)), q(2), q(3, due=True, r=0.5, ago=timedelta(days=4)),
            q(4, topic=2, due=True, r=0.3, ago=timedelta(days=9)), q(5, topic=2),
            q(6, topic=3)]
    picks = modes.drill_quiz([1, 2], pool, 5, random.Random(0))
    ids = [p.question_id for p in picks]
    assert ids[:2] == [4, 3]
    assert set(ids[2:4]) == {2, 5}
    assert ids[4] == 1 and 6 not in ids


@pytest.mark.parametrize("seed", range(5))
def test_a_drill_of_two_topics_asks_both_however_uneven_they_are(seed):
    pool = [q(i, topic=1) for i in range(1, 41)] + [q(i, topic=2) for i in range(41, 46)]
    topics = [p.topic_id for p in modes.drill_quiz([1, 2], pool, 6, random.Random(seed))]
    assert sorted(topics) == [1, 1, 1, 2, 2, 2]
    few = [p.topic_id for p in modes.drill_quiz([1, 2], pool[:40] + pool[40:41], 5,
                                                random.Random(seed))]
    assert sorted(few) == [1, 1, 1, 1, 2]  # topic 2 has one question: the rest from topic 1


def test_drill_stops_at_size():
    pool = [q(i) for i in range(1, 30)]
    assert len(modes.drill_quiz([1], pool, 10, random.Random(0))) == 10


def test_mode_picks_keep_order_but_avoid_repeats():
    picks = [Pick(1, 1, "new"), Pick(2, 1, "new"), Pick(3, 2, "new")]
    assert [p.question_id for p in interleave(picks)] == [1, 3, 2]


# replay misses

def test_replay_order_most_missed_then_most_recent():
    misses = [Miss(1, 1, 1, NOW - timedelta(days=1)), Miss(2, 1, 3, NOW - timedelta(days=9)),
              Miss(3, 2, 1, NOW - timedelta(hours=2))]
    assert [p.question_id for p in modes.replay_order(misses)] == [2, 3, 1]
    assert len(modes.replay_order(misses, limit=2)) == 2


def test_to_requeue_reasks_a_question_whose_latest_answer_is_wrong():
    items = [PlayedItem(1, 10, True, False), PlayedItem(2, 11, True, True),
             PlayedItem(3, 12, True, False), PlayedItem(4, 12, False, False)]
    assert modes.to_requeue(items) == [10]  # 12 already has an open item
    items.append(PlayedItem(5, 10, True, True))
    assert modes.to_requeue(items) == []


def test_to_requeue_stops_after_the_last_allowed_ask():
    wrong_twice = [PlayedItem(1, 10, True, False), PlayedItem(2, 10, True, False)]
    assert modes.to_requeue(wrong_twice) == [10]
    wrong_thrice = [*wrong_twice, PlayedItem(3, 10, True, False)]
    assert modes.REPLAY_ASKS == 3 and modes.to_requeue(wrong_thrice) == []
    assert modes.to_requeue(wrong_thrice, max_asks=4) == [10]


# mock interview

def test_mock_size_plans_two_minutes_a_question():
    assert modes.mock_size(30) == 15
    assert modes.mock_size(45) == 22  # 22.5 rounds to even


def test_domain_quotas_largest_remainder():
    # 15 x (.35, .20, .25, .20) = 5.25, 3, 3.75, 3 -> coding takes the spare one
    assert modes.domain_quotas({"ml": 50, "math": 50, "coding": 50, "design": 50}, 15) == {
        "ml": 5, "math": 3, "coding": 4, "design": 3}


def test_domain_quotas_share_out_missing_and_small_domains():
    # no coding or design: 10 x .35/.55 = 6.36, 10 x .20/.55 = 3.64 -> 6 and 4
    assert modes.domain_quotas({"ml": 20, "math": 20}, 10) == {"ml": 6, "math": 4}
    # math has only 2: ml takes what is left
    assert modes.domain_quotas({"ml": 20, "math": 2}, 10) == {"ml": 8, "math": 2}
    assert modes.domain_quotas({"ml": 3}, 10) == {"ml": 3}
    assert modes.domain_quotas({}, 10) == {}


def test_mock_quiz_mixes_domains_and_prefers_questions_not_answered_today():
    pool = ([q(i, domain="ml", ago=timedelta(hours=1)) for i in range(1, 4)]
            + [q(i, domain="ml") for i in range(4, 10)]
            + [q(i, topic=2, domain="math") for i in range(10, 20)]
            + [q(i, topic=3, domain="coding") for i in range(20, 30)]
            + [q(i, topic=4, domain="design") for i in range(30, 40)])
    picks = modes.mock_quiz(pool, 30, NOW, random.Random(5))
    domains = {}
    for p in picks:
        domains[p.topic_id] = domains.get(p.topic_id, 0) + 1
    assert domains == {1: 5, 2: 3, 3: 4, 4: 3}
    assert not {p.question_id for p in picks} & {1, 2, 3}
    assert all(a.topic_id != b.topic_id for a, b in pairwise(picks))


@pytest.mark.parametrize("minutes", [30, 45])
def test_mock_quiz_is_reproducible_with_a_seed(minutes):
    pool = [q(i, topic=i % 4, domain=["ml", "math", "coding", "design"][i % 4])
            for i in range(60)]
    first = modes.mock_quiz(pool, minutes, NOW, random.Random(7))
    assert first == modes.mock_quiz(pool, minutes, NOW, random.Random(7))
    assert len(first) == modes.mock_size(minutes)

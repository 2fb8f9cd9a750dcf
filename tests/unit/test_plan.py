"""The interview plan: new questions needed, the smoothed schedule and the status."""

from datetime import date
from datetime import timedelta

from quizapp.core.plan import DomainGoal
from quizapp.core.plan import make_plan
from quizapp.core.plan import new_needed

TODAY = date(2026, 3, 2)


def test_new_questions_needed_for_a_target():
    # 0.8 x 100 - 0.9 x 20 = 62 points short; each new question adds 0.9: 68.9 -> 69
    assert new_needed(DomainGoal("ml", 100, 20, 0.0), 0.8, 0.9) == (69, True)
    # 80 unseen questions already earn 8 in all (0.1 each): 80 - 18 - 8 = 54 short,
    # gain 0.9 - 0.1 = 0.8 per new question: 67.5 -> 68
    assert new_needed(DomainGoal("ml", 100, 20, 8.0), 0.8, 0.9) == (68, True)


def test_target_already_reached_and_unreachable():
    assert new_needed(DomainGoal("ml", 10, 10, 0.0), 0.8, 0.9) == (0, True)
    # 9.5 needed, 0.9 per question: 11 questions, but only 10 exist
    assert new_needed(DomainGoal("ml", 10, 0, 0.0), 0.95, 0.9) == (10, False)


def test_small_plan_by_hand():
    # 0.8 x 12 = 9.6 -> 11 new (9.6 / 0.9 = 10.7). 5 days; new material on the first 3
    # (the last 2 are for review); reviews come back 1 and 3 days after first study.
    # Cap 6 cannot place all 11; cap 7 can:
    # day 0: 4 new (ceil(11/3)); day 1: 4 reviews + 3 new; day 2: 3 reviews + 4 new;
    # day 3: 4 + 4 = 8 reviews, 7 done, 1 carried; day 4: 3 + 1 = 4 reviews.
    plan = make_plan(TODAY, TODAY + timedelta(days=5), 80, 0.9,
                     [DomainGoal("ml", 12, 0, 0.0)], {}, recent_new_per_day=3.0)
    assert plan.new_by_domain == {"ml": 11}
    assert [(sum(d.new.values()), d.reviews) for d in plan.days] == [
        (4, 0), (3, 4), (4, 3), (0, 7), (0, 4)]
    assert plan.days[0].day == TODAY and plan.days[-1].day == TODAY + timedelta(days=4)
    assert plan.max_load == 7 and plan.average_load == 5.8


def test_on_track_compares_this_weeks_pace_with_the_plan():
    args = (TODAY, TODAY + timedelta(days=5), 80, 0.9, [DomainGoal("ml", 12, 0, 0.0)], {})
    # the plan needs 11 / 3 = 3.67 new a day; on track from 0.9 x 3.67 = 3.3
    assert make_plan(*args, recent_new_per_day=3.0).status == "behind"
    assert make_plan(*args, recent_new_per_day=3.4).status == "on_track"


def test_statuses_without_a_plan():
    goals = [DomainGoal("ml", 10, 10, 0.0)]
    assert make_plan(TODAY, None, 80, 0.9, goals, {}, 0).status == "no_date"
    assert make_plan(TODAY, TODAY, 80, 0.9, goals, {}, 0).status == "today"
    assert make_plan(TODAY, TODAY - timedelta(days=1), 80, 0.9, goals, {}, 0).status == "past"
    assert make_plan(TODAY, TODAY + timedelta(days=367), 80, 0.9, goals, {}, 0).status == (
        "too_far")
    assert make_plan(TODAY, TODAY + timedelta(days=3), 80, 0.9, goals, {}, 0).status == "reached"
    short = [DomainGoal("ml", 10, 0, 0.0)]
    assert make_plan(TODAY, TODAY + timedelta(days=9), 95, 0.9, short, {}, 0).status == (
        "unreachable")


def test_domains_are_interleaved_in_proportion():
    goals = [DomainGoal("ml", 100, 0, 0.0), DomainGoal("math", 50, 0, 0.0)]
    plan = make_plan(TODAY, TODAY + timedelta(days=30), 80, 0.9, goals, {}, 0)
    assert plan.new_by_domain == {"ml": 89, "math": 45}
    totals = {"ml": 0, "math": 0}
    for day in plan.days:
        for domain, n in day.new.items():
            totals[domain] += n
        if sum(day.new.values()) >= 6:  # a full day holds both domains about 2:1
            assert day.new["ml"] >= day.new["math"] >= 1
    assert totals == plan.new_by_domain


def test_workload_is_smooth_with_a_lumpy_backlog():
    """No day above 1.5 x the average, even with 120 overdue reviews on day 0."""
    due = {"ml": [100, 0, 0, 40, 0, 0, 0, 35, 0, 0] + [8] * 50, "design": [20]}
    goals = [DomainGoal("ml", 400, 100, 10.0), DomainGoal("design", 200, 20, 0.0)]
    plan = make_plan(TODAY, TODAY + timedelta(days=60), 85, 0.9, goals, due, 0)
    assert plan.total_new > 300
    assert plan.max_load <= 1.5 * plan.average_load
    assert sum(d.reviews for d in plan.days) >= 203 + 8 * 50  # every due review is planned
    for day in plan.days:
        assert sum(day.reviews_by_domain.values()) == day.reviews


def test_reviews_are_split_by_domain_in_proportion_to_what_waits():
    # No new questions needed; 3 ml and 1 design review due today, 2 design tomorrow.
    # Cap: ceil(6 / 2) = 3 a day. Day 0 does 3 of the 4 waiting: 3 x 3/4 = 2.25 ml and
    # 0.75 design -> 2 ml + 1 design (largest remainder); day 1: 1 ml + 2 design.
    goals = [DomainGoal("ml", 3, 3, 0.0), DomainGoal("design", 3, 3, 0.0)]
    plan = make_plan(TODAY, TODAY + timedelta(days=2), 80, 0.9, goals,
                     {"ml": [3], "design": [1, 2]}, 0)
    assert [d.reviews_by_domain for d in plan.days] == [
        {"ml": 2, "design": 1}, {"ml": 1, "design": 2}]


def test_todays_new_questions_count_toward_todays_share():
    args = (TODAY, TODAY + timedelta(days=5), 80, 0.9)
    before = make_plan(*args, [DomainGoal("ml", 12, 0, 0.0)], {}, recent_new_per_day=0)
    # Four learned today (studied now, so 7 left to place): today's share as at the start
    # of the day, ceil(11 / 3) = 4, is done; the 7 spread over the two days after.
    after = make_plan(*args, [DomainGoal("ml", 12, 4, 0.0)], {},
                      recent_new_per_day=4.0, new_today=4)
    assert before.days[0].new == {"ml": 4}
    assert after.total_new == 7 and after.days[0].new == {}
    assert [sum(d.new.values()) for d in after.days[:3]] == [0, 4, 3]
    # Two learned today: two more are still today's share
    partway = make_plan(*args, [DomainGoal("ml", 12, 2, 0.0)], {}, recent_new_per_day=2.0,
                        new_today=2)
    assert partway.total_new == 9 and partway.days[0].new == {"ml": 2}

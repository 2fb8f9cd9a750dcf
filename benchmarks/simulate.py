"""Simulated learners practise 30 days of daily quizzes under several policies.

Each learner has hidden per-topic abilities (some topics much weaker), per-question
forgetting and answer noise (benchmarks/simulation/learner.py). Policies: random questions,
Leitner boxes, plain FSRS (due first, then new in bank order), and this engine, driven
through the same core functions the services call (benchmarks/simulation/engine.py). Prints,
per learner model and policy: mean recall over the whole bank at the end, on the initially
weak topics, items mastered (recall >= 0.9), and the share of answers on weak topics.

    .venv/bin/python benchmarks/simulate.py [--seeds 4] [--days 30] [--goal 20]
    .venv/bin/python benchmarks/simulate.py --sweep   # the choices in docs/adaptivity.md
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Callable
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fsrs import Scheduler  # noqa: E402

from benchmarks.simulation.engine import EngineAdapter  # noqa: E402
from benchmarks.simulation.learner import Item  # noqa: E402
from benchmarks.simulation.learner import Learner  # noqa: E402
from benchmarks.simulation.learner import LearnerModel  # noqa: E402
from benchmarks.simulation.policies import LeitnerPolicy  # noqa: E402
from benchmarks.simulation.policies import PlainFsrsPolicy  # noqa: E402
from benchmarks.simulation.policies import RandomPolicy  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.core import memory  # noqa: E402
from quizapp.core import practice  # noqa: E402
from quizapp.core import selection  # noqa: E402

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
SECONDS_PER_ANSWER = 30
HEADER = "| {:<28} | whole  | weak   | mastered | weak share | rating gap |"
MODELS = (
    LearnerModel("A: exponential forgetting, 1/4 topics 350 weaker", "exp", 0.25, 350.0),
    LearnerModel("B: power forgetting, 2/5 topics 250 weaker", "power", 0.4, 250.0),
)


@dataclass(frozen=True)
class Result:
    whole: float
    weak: float
    mastered: int
    weak_share: float
    rating_gap: float | None = None  # engine: mean topic rating, other minus weak topics


def bank_items() -> list[Item]:
    """The question bank in questions/, in bank (file) order, with ids 1..N."""
    bank = load_bank(ROOT / "questions")
    topics = {slug: n for n, slug in enumerate(sorted({q.topic for q in bank.questions}), 1)}
    return [Item(n, topics[q.topic], q.difficulty, q.expected_seconds)
            for n, q in enumerate(bank.questions, 1)]


def run(policy, learner: Learner, days: int, seed: int) -> Result:
    """Daily quizzes for ``days`` days; measure the learner at the end."""
    select_rng, memory_rng, answer_rng = Random(seed), Random(seed + 1), Random(seed + 2)
    weak_answers = answers = 0
    for day in range(days):
        now = START + timedelta(days=day)
        queue = list(policy.start(now, select_rng))
        while queue:
            question_id = queue.pop(0)
            now += timedelta(seconds=SECONDS_PER_ANSWER)
            right = learner.answer(question_id, now, answer_rng)
            again = policy.record(question_id, 1.0 if right else 0.0, now, SECONDS_PER_ANSWER,
                                  memory_rng)
            if again is not None:  # the engine asks a missed question again in this quiz
                queue.append(again)
            answers += 1
            weak_answers += learner.items[question_id].topic_id in learner.weak_topics
    end = START + timedelta(days=days)
    recall = {q: learner.recall(q, end) for q in learner.items}
    weak = [r for q, r in recall.items() if learner.items[q].topic_id in learner.weak_topics]
    return Result(statistics.fmean(recall.values()), statistics.fmean(weak),
                  sum(r >= 0.9 for r in recall.values()), weak_answers / max(answers, 1),
                  rating_gap(policy, learner))


def rating_gap(policy, learner: Learner) -> float | None:
    """How far apart the engine rates the other and the weak topics (it should see the gap)."""
    skills = getattr(policy, "skills", None)
    if not skills:
        return None
    weak = [s.rating for t, s in skills.items() if t in learner.weak_topics]
    other = [s.rating for t, s in skills.items() if t not in learner.weak_topics]
    if not weak or not other:
        return None
    return statistics.fmean(other) - statistics.fmean(weak)


@contextlib.contextmanager
def engine_settings(target: float = selection.TARGET_SUCCESS, steps: str = "none",
                    floor: float = selection.NEW_FLOOR,
                    share: float = selection.FOCUS_SHARE["balanced"],
                    reask: bool = selection.REASK_MISSES,
                    review_weight: str = "1 - R") -> Iterator[None]:
    """Temporarily change the engine's constants (for --sweep only)."""
    saved = (selection.TARGET_SUCCESS, memory._SCHEDULER, selection.NEW_FLOOR,
             selection.REASK_MISSES, dict(selection.FOCUS_SHARE), practice.evidence_weight)
    if review_weight == "1":  # the skill before issue 9: every answer counts fully
        practice.evidence_weight = lambda first, recall: 1.0
    selection.TARGET_SUCCESS, selection.NEW_FLOOR = target, floor
    selection.REASK_MISSES = reask
    selection.FOCUS_SHARE["balanced"] = share
    if steps == "1m/10m":
        memory._SCHEDULER = Scheduler(enable_fuzzing=False)
    elif steps == "none":
        memory._SCHEDULER = Scheduler(enable_fuzzing=False, learning_steps=(),
                                      relearning_steps=())
    try:
        yield
    finally:
        (selection.TARGET_SUCCESS, memory._SCHEDULER, selection.NEW_FLOOR,
         selection.REASK_MISSES, shares, practice.evidence_weight) = saved
        selection.FOCUS_SHARE.update(shares)


def average(results: list[Result]) -> Result:
    gaps = [r.rating_gap for r in results if r.rating_gap is not None]
    return Result(statistics.fmean(r.whole for r in results),
                  statistics.fmean(r.weak for r in results),
                  round(statistics.fmean(r.mastered for r in results)),
                  statistics.fmean(r.weak_share for r in results),
                  statistics.fmean(gaps) if gaps else None)


def evaluate(make_policy: Callable[[list[Item]], object], model: LearnerModel,
             items: list[Item], seeds: int, days: int) -> Result:
    results = []
    for seed in range(seeds):
        learner = Learner(model, items, Random(1000 + seed))
        results.append(run(make_policy(items), learner, days, seed))
    return average(results)


def print_row(label: str, result: Result) -> None:
    gap = "-" if result.rating_gap is None else f"{result.rating_gap:.0f}"
    print(f"| {label:<28} | {result.whole:6.3f} | {result.weak:6.3f} | {result.mastered:8d} "
          f"| {result.weak_share:9.1%} | {gap:>10} |")


def main_table(items: list[Item], args: argparse.Namespace, started: float) -> None:
    policies = {
        "random": lambda it: RandomPolicy(it, args.goal),
        "Leitner boxes": lambda it: LeitnerPolicy(it, args.goal),
        "plain FSRS": lambda it: PlainFsrsPolicy(it, args.goal),
        "engine (focus balanced)": lambda it: EngineAdapter(it, args.goal, "balanced"),
        "engine (focus weak)": lambda it: EngineAdapter(it, args.goal, "weak"),
    }
    ratios = {"weak": [], "whole": []}
    for model in MODELS:
        print(f"\nLearner model {model.name}: {args.seeds} learners x {args.days} days x "
              f"{args.goal} questions/day, {len(items)} questions")
        print(HEADER.format("policy"))
        print("|---|---|---|---|---|---|")
        results = {}
        for label, make in policies.items():
            results[label] = evaluate(make, model, items, args.seeds, args.days)
            print_row(label, results[label])
        base, ours = results["plain FSRS"], results["engine (focus balanced)"]
        ratios["weak"].append(ours.weak / base.weak)
        ratios["whole"].append(ours.whole / base.whole)
        print(f"model {model.name[0]}: engine (balanced) vs plain FSRS: weak-topic recall "
              f"x{ratios['weak'][-1]:.2f}, whole-bank recall x{ratios['whole'][-1]:.2f}")
    weak, whole = statistics.fmean(ratios["weak"]), statistics.fmean(ratios["whole"])
    print(f"\n(mean over the {len(MODELS)} learner models, focus balanced; "
          f"{time.perf_counter() - started:.0f} s)")
    print(f"engine vs plain FSRS: weak-topic recall \u00d7{weak:.2f}, "
          f"whole-bank recall \u00d7{whole:.2f}")


SWEEP = (
    {"target": 0.5}, {"target": 0.6}, {"target": 0.85},
    {"steps": "1m/10m", "reask": False}, {"steps": "1m/10m"}, {"reask": False},
    {"floor": 0.0}, {"floor": 0.4},
    {"share": 0.5}, {"share": 0.9}, {"review_weight": "1"},
)


def sweep(items: list[Item], args: argparse.Namespace) -> None:
    """Vary one choice at a time from the engine's settings (steps "none" by default)."""
    for model in MODELS:
        print(f"\nLearner model {model.name}")
        print(HEADER.format("variant"))
        print("|---|---|---|---|---|---|")
        base = evaluate(lambda it: PlainFsrsPolicy(it, args.goal), model, items,
                        args.seeds, args.days)
        print_row("plain FSRS", base)
        for variant in ({}, *SWEEP):
            with engine_settings(**variant):
                result = evaluate(lambda it: EngineAdapter(it, args.goal), model, items,
                                  args.seeds, args.days)
            label = ", ".join(f"{k} {v}" for k, v in variant.items()) or "engine as is"
            print_row(label, result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--goal", type=int, default=20)
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    items = bank_items()
    if args.sweep:
        sweep(items, args)
        print(f"({time.perf_counter() - started:.0f} s)")
    else:
        main_table(items, args, started)


if __name__ == "__main__":
    main()

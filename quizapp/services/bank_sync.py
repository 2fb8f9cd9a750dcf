"""Import the bank files into the database in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy import text

from quizapp.bank.loader import Bank
from quizapp.bank.loader import Problem
from quizapp.bank.loader import content_hash
from quizapp.bank.schema import BankQuestion
from quizapp.bank.schema import BankTopic
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import Topic


class BankInvalid(ValueError):
    """The bank has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the question bank")
        self.problems = problems


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    unchanged: int = 0
    topics_added: int = 0
    topics_updated: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.restored
                    or self.topics_added or self.topics_updated)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.updated)} updated, "
                f"{len(self.retired)} retired, {len(self.restored)} restored, "
                f"{self.unchanged} unchanged; topics: {self.topics_added} added, "
                f"{self.topics_updated} updated")


def sync_bank(bank: Bank, now: datetime, partial: bool = False) -> SyncReport:
    """Insert new questions, version changed ones, retire missing ones; commit once.

    ``partial`` (only some files were loaded) retires missing questions only within the
    loaded topics. A bank with problems raises ``BankInvalid`` before anything is written;
    any error while writing rolls the whole sync back.
    """
    if not bank.ok:
        raise BankInvalid(bank.problems)
    if type_changes := _type_changes(bank):
        raise BankInvalid(type_changes)
    report = SyncReport()
    try:
        topics = _sync_topics(bank.topics, report)
        scope = {t.slug for t in bank.topics} if partial else None
        _sync_questions(bank.questions, topics, now, report, scope)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    refresh_statistics()
    return report


def refresh_statistics() -> None:
    """On PostgreSQL, re-read the question table's statistics now, not when autovacuum next
    looks: without them the planner guessed 2 live questions on a freshly loaded bank and
    joined a learner's cards to them by comparing every pair (the home page's next-due
    query took 126 ms instead of 2 for a learner with 2,000 cards). The bank only changes
    here. (SQLite plans without statistics, and the hot path's plans are tested so.)"""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(text("ANALYZE question"))
    db.session.commit()


def _type_changes(bank: Bank) -> list[Problem]:
    """Old answers are stored in their type's shape, so an id must keep its type."""
    known = dict(db.session.execute(select(Question.uid, Question.type)).all())
    return [
        Problem(q.source, f"type cannot change from '{known[q.uid]}' to '{q.type}' for an "
                          "existing id; give the rewritten question a new id",
                question=q.uid, field="type")
        for q in bank.questions if q.uid in known and known[q.uid] != q.type
    ]


def _sync_topics(topics: list[BankTopic], report: SyncReport) -> dict[str, Topic]:
    existing = {t.slug: t for t in db.session.scalars(select(Topic))}
    for item in topics:
        topic = existing.get(item.slug)
        if topic is None:
            topic = Topic(slug=item.slug, domain=item.domain, title=item.title,
                          description=item.description)
            db.session.add(topic)
            existing[item.slug] = topic
            report.topics_added += 1
        elif (topic.domain, topic.title, topic.description) != (
            item.domain, item.title, item.description
        ):
            topic.domain, topic.title, topic.description = (
                item.domain, item.title, item.description
            )
            report.topics_updated += 1
    db.session.flush()
    return existing


def _sync_questions(
    questions: list[BankQuestion], topics: dict[str, Topic], now: datetime, report: SyncReport,
    scope: set[str] | None,
) -> None:
    existing = {q.uid: q for q in db.session.scalars(select(Question))}
    for item in questions:
        digest = content_hash(item)
        question = existing.pop(item.uid, None)
        if question is None:
            question = Question(uid=item.uid, version=1, created_at=now)
            _apply(question, item, topics, digest, now)
            db.session.add(question)
            report.added.append(item.uid)
            continue
        if question.retired_at is not None:
            question.retired_at = None
            report.restored.append(item.uid)
        if question.content_hash != digest:
            _apply(question, item, topics, digest, now)
            question.version += 1
            report.updated.append(item.uid)
        else:
            if question.source != canonical_source(item.source):
                question.source = canonical_source(item.source)  # moved, same content
            if item.uid not in report.restored:
                report.unchanged += 1
    in_scope = {t.id for slug, t in topics.items() if scope is None or slug in scope}
    for question in existing.values():
        if question.retired_at is None and question.topic_id in in_scope:
            question.retired_at = now
            report.retired.append(question.uid)


def _apply(
    question: Question, item: BankQuestion, topics: dict[str, Topic], digest: str, now: datetime
) -> None:
    question.topic_id = topics[item.topic].id
    question.type = item.type
    question.difficulty = item.difficulty
    question.expected_seconds = item.expected_seconds
    question.body_md = item.body
    question.explanation_md = item.explanation
    question.hint_md = item.hint
    question.payload = item.payload
    question.tags = list(item.tags)
    question.content_hash = digest
    question.source = canonical_source(item.source)
    question.updated_at = now


def canonical_source(shown: str) -> str:
    """'<domain>/<topic>.yaml', whatever folder the bank was loaded from."""
    return "/".join(PurePosixPath(shown).parts[-2:])

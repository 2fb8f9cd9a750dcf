"""A quiz and its items as plain objects, read in one statement, for the question loop.

Every page of the loop (question, answer, feedback) needs the quiz's items to know which one
is open and how far the learner got. Loading them as ORM objects cost more CPU than the rest
of the page; these views hold the same fields. Questions change only when the bank is
synced, so each worker keeps a snapshot of the ones it showed, checked against the content
hash the item query reads: the page needs no question query of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import joinedload
from sqlalchemy.types import NullType

from quizapp.db_session import connection as session_connection
from quizapp.extensions import db
from quizapp.grading.registry import question_type
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models.quiz import MODES
from quizapp.models.types import UTCDateTime
from quizapp.prepared import Prepared


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    slug: str
    domain: str
    title: str


@dataclass(frozen=True, slots=True)
class QuestionView:
    """What the question loop reads of a question; the same for every learner.

    ``parsed`` is the payload validated by its question type, once per snapshot (None when
    the type rejects it: ``parsed_payload`` then validates again and raises).
    """

    id: int
    uid: str
    topic_id: int
    type: str
    difficulty: int
    expected_seconds: int
    body_md: str
    explanation_md: str
    hint_md: str | None
    payload: dict[str, Any]
    content_hash: str
    version: int
    topic: TopicView
    parsed: Any = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, question: Question) -> QuestionView:
        topic = question.topic
        try:
            parsed = question_type(question.type).load(question.payload)
        except (KeyError, ValueError):  # pydantic's ValidationError is a ValueError
            parsed = None
        return cls(question.id, question.uid, question.topic_id, question.type,
                   question.difficulty, question.expected_seconds, question.body_md,
                   question.explanation_md, question.hint_md, question.payload,
                   question.content_hash, question.version,
                   TopicView(topic.id, topic.slug, topic.domain, topic.title), parsed)


def parsed_payload(question: QuestionView | Question) -> Any:
    """The question's payload as its type's model (a snapshot's is validated only once)."""
    parsed = getattr(question, "parsed", None)
    return parsed if parsed is not None else question_type(question.type).load(question.payload)


# Question snapshots by (id, version, content hash, topic id), per process: an edit changes
# them, so a stale snapshot is never served (a renamed topic shows after workers restart).
_QUESTIONS: dict[tuple[int, int, str, int], QuestionView] = {}
_QUESTION_CACHE_SIZE = 8192


def remember_live_questions() -> list[QuestionView]:
    """Snapshot every live question now (needs an app context) and return the snapshots.

    gunicorn's master calls it before forking (``warmup.warm_render_cache``), so no worker
    loads a question on a page; at most ``_QUESTION_CACHE_SIZE`` are kept.
    """
    questions = db.session.scalars(
        select(Question).options(joinedload(Question.topic))
        .where(Question.retired_at.is_(None))).all()
    views = [QuestionView.of(question) for question in questions]
    for view in views[:_QUESTION_CACHE_SIZE]:
        _QUESTIONS[(view.id, view.version, view.content_hash, view.topic_id)] = view
    return views


def question_view(question_id: int, version: int, content_hash: str,
                  topic_id: int) -> QuestionView:
    """The snapshot of a question, loaded from the database the first time it is asked."""
    key = (question_id, version, content_hash, topic_id)
    view = _QUESTIONS.get(key)
    if view is None:
        question = db.session.get(Question, question_id)
        assert question is not None  # a foreign key: items never outlive their question
        view = QuestionView.of(question)
        if len(_QUESTIONS) >= _QUESTION_CACHE_SIZE:
            _QUESTIONS.clear()
        if (view.version, view.content_hash, view.topic_id) == key[1:]:
            _QUESTIONS[key] = view
    return view


def _as_read(value: Any) -> Any:
    return value


class ItemView(NamedTuple):
    """One item of the quiz (read-only). ``shown_raw`` and ``extra_raw`` are the columns as
    the driver returned them: only the open item's ``shown_at`` and ``extra`` are ever read,
    so ``reader`` and ``decode`` convert them on use. A named tuple: a quiz's 20-40 items are
    built on every page of the loop, and a dataclass's ``__init__`` cost four times as much.
    Items are told apart by identity (``is``), never by value."""

    id: int
    position: int
    question_id: int
    kind: str
    shown_raw: Any
    attempt_id: int | None
    extra_raw: Any
    question_version: int = 0
    question_hash: str = ""
    question_topic: int = 0
    reader: Callable[[Any], datetime | None] = _as_read
    decode: Callable[[Any], Any] = _as_read

    @property
    def shown_at(self) -> datetime | None:
        return None if self.shown_raw is None else self.reader(self.shown_raw)

    @property
    def extra(self) -> dict[str, Any] | None:
        return None if self.extra_raw is None else self.decode(self.extra_raw)

    @property
    def question(self) -> QuestionView:
        return question_view(self.question_id, self.question_version, self.question_hash,
                             self.question_topic)


@dataclass(eq=False, slots=True)
class QuizView:
    id: int
    user_id: int
    mode: str
    seed: int
    created_at: datetime
    finished_at: datetime | None
    deadline: datetime | None
    items: list[ItemView] = field(default_factory=list)

    @property
    def mode_label(self) -> str:
        return MODES.get(self.mode, self.mode.title())


# The datetimes and the JSON column are read raw (no type processing) and converted where
# used: the quiz's own repeat on every item row (converted once, from the first row), and
# only the open item's ``shown_at`` and ``extra`` matter. With 20-40 items per quiz,
# converting them all had cost about 5 % of the answer loop's instructions.
_RAW = NullType()
_QUIZ_AND_ITEMS = Prepared(  # compiled once: every page of the loop runs it
    select(Quiz.id, Quiz.user_id, Quiz.mode, Quiz.seed, type_coerce(Quiz.created_at, _RAW),
           type_coerce(Quiz.finished_at, _RAW), type_coerce(Quiz.deadline, _RAW),
           QuizItem.id.label("item_id"), QuizItem.position,
           QuizItem.question_id, QuizItem.kind, type_coerce(QuizItem.shown_at, _RAW),
           QuizItem.attempt_id, type_coerce(QuizItem.extra, _RAW),
           Question.version, Question.content_hash, Question.topic_id)
    .join(QuizItem, QuizItem.quiz_id == Quiz.id)
    .join(Question, Question.id == QuizItem.question_id)
    .where(Quiz.id == bindparam("quiz_id"), Quiz.user_id == bindparam("user_id"))
    .order_by(QuizItem.position)
)


@functools.cache
def _datetime_reader(dialect: Dialect) -> Callable[[Any], datetime | None]:
    """What reading a ``UTCDateTime`` column applies to the raw value, on this dialect."""
    return _reader(UTCDateTime(), dialect)


@functools.cache
def _json_reader(dialect: Dialect) -> Callable[[Any], Any]:
    """What reading the items' ``extra`` (JSON) column applies to the raw value."""
    return _reader(QuizItem.__table__.c.extra.type, dialect)


def _reader(kind: Any, dialect: Dialect) -> Callable[[Any], Any]:
    process = kind.dialect_impl(dialect).result_processor(dialect, None)
    return process if process is not None else _as_read


def load_quiz_view(user_id: int, quiz_id: int) -> QuizView | None:
    """The learner's own quiz with its items in order; None if there is no such quiz."""
    rows = _QUIZ_AND_ITEMS.tuples({"quiz_id": quiz_id, "user_id": user_id})
    if not rows:
        return None
    dialect = session_connection(db.session()).dialect
    read, decode = _datetime_reader(dialect), _json_reader(dialect)
    first = rows[0]
    quiz = QuizView(*first[:4], read(first[4]), read(first[5]), read(first[6]))
    make, tail = tuple.__new__, (read, decode)
    quiz.items = [make(ItemView, row[7:] + tail) for row in rows]  # in the fields' order
    return quiz

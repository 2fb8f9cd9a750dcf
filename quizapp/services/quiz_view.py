"""A quiz and its items as plain objects, read in one statement, for the question loop.

Every page of the loop (question, answer, feedback) needs to know which item is open and how
far the learner got. Loading the items as ORM objects cost more CPU than the rest of the
page; these views hold the same fields. A page reads only its own item and the quiz's counts
(``load_quiz_page``): reading every item had cost a page about 1 µs per item, and quizzes
grow as missed questions are asked again. ``QuizView.items`` loads the whole list when
something needs it. Questions change only when the bank is synced, so each worker keeps a
snapshot of the ones it showed, checked against the content hash the item query reads: the
page needs no question query of its own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import NamedTuple

from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy import type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import joinedload
from sqlalchemy.types import NullType

from quizapp.db_session import connection as session_connection
from quizapp.extensions import db
from quizapp.grading.registry import question_type
from quizapp.models import Attempt
from quizapp.models import Question
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models.quiz import mode_label
from quizapp.models.types import UTCDateTime
from quizapp.prepared import Prepared


@dataclass(frozen=True, slots=True)
class TopicView:
    id: int
    slug: str
    domain: str
    title: str


def reading_order(title: str) -> tuple[str, str]:
    """A sort key for topic titles as a reader sorts them: 'k-NN' among the K's, not after
    every capitalised title (ties: the exact text)."""
    return title.casefold(), title


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
    """One item of the quiz (read-only). ``extra_raw`` is the column as the driver returned
    it: only the open item's ``extra`` is ever read, so ``decode`` converts it on use. A
    named tuple: a quiz's 20-40 items are built on every page of the loop, and a
    dataclass's ``__init__`` cost four times as much. Items are told apart by identity
    (``is``), never by value."""

    id: int
    position: int
    question_id: int
    kind: str
    attempt_id: int | None
    extra_raw: Any
    question_version: int = 0
    question_hash: str = ""
    question_topic: int = 0
    decode: Callable[[Any], Any] = _as_read

    @property
    def extra(self) -> dict[str, Any] | None:
        return None if self.extra_raw is None else self.decode(self.extra_raw)

    @property
    def asked_again(self) -> bool:
        """A miss asked once more in the same quiz (a review's "again" item, or a replay's
        re-queued one)."""
        return self.kind == "again" or bool(self.extra and self.extra.get("again"))

    @property
    def question(self) -> QuestionView:
        return question_view(self.question_id, self.question_version, self.question_hash,
                             self.question_topic)


@dataclass(eq=False, slots=True)
class QuizView:
    """A quiz, its progress and (read for a page) the page's item.

    ``first_open`` is the position of the first unanswered item (None: all answered);
    ``page_item`` the item at the position the page asked for (None when there is none, or
    when the whole list was read) and ``page_asks`` how many items ask its question.
    """

    id: int
    user_id: int
    mode: str
    seed: int
    created_at: datetime
    finished_at: datetime | None
    deadline: datetime | None
    total: int = 0
    answered: int = 0
    first_open: int | None = None
    last_position: int = 0
    page_item: ItemView | None = None
    page_asks: int = 0
    loaded_items: list[ItemView] | None = None

    @property
    def mode_label(self) -> str:
        return mode_label(self.mode)

    @property
    def items(self) -> list[ItemView]:
        """Every item in order (read on first use when the view was read for a page)."""
        if self.loaded_items is None:
            full = load_quiz_view(self.user_id, self.id)
            self.loaded_items = [] if full is None else full.items
        return self.loaded_items


# The datetimes and the JSON column are read raw (no type processing) and converted where
# used: the quiz's own once, and only the page item's ``extra`` matters.
_RAW = NullType()
_QUIZ_COLUMNS = (Quiz.id, Quiz.user_id, Quiz.mode, Quiz.seed, type_coerce(Quiz.created_at, _RAW),
                 type_coerce(Quiz.finished_at, _RAW), type_coerce(Quiz.deadline, _RAW))


def _item_columns(item: Any) -> tuple[Any, ...]:
    return (item.c.id.label("item_id"), item.c.position, item.c.question_id, item.c.kind,
            item.c.attempt_id,
            type_coerce(item.c.extra, _RAW), Question.version, Question.content_hash,
            Question.topic_id)


_ITEMS = QuizItem.__table__
# How many columns ``page_statement`` reads for the page (after its ``leading`` ones): the
# quiz's, the page item's, the four counts and the page question's asks.
PAGE_WIDTH = len(_QUIZ_COLUMNS) + len(_item_columns(_ITEMS)) + 5
_QUIZ_AND_ITEMS = Prepared(  # the whole list: summaries, and the rare paths that need it
    select(*_QUIZ_COLUMNS, *_item_columns(_ITEMS))
    .join(_ITEMS, _ITEMS.c.quiz_id == Quiz.id)
    .join(Question, Question.id == _ITEMS.c.question_id)
    .where(Quiz.id == bindparam("quiz_id"), Quiz.user_id == bindparam("user_id"))
    .order_by(_ITEMS.c.position)
)


def page_statement(leading: tuple[Any, ...] = (), start: Any = None,
                   quiz_on: Any = None, attempt_of: Any = None,
                   then: Callable[[Any, Any], Any] | None = None) -> Any:
    """The quiz, the item at ``position`` (if any) and counts over all its items.

    The counts come from one aggregate over the quiz's items, read once; a grouped join
    had looked the page's item and question up again for every item, then sorted. By
    default the statement reads the quiz ``quiz_id`` of ``user_id``; with ``start`` it
    reads ``leading`` columns from ``start`` and outer-joins the quiz on ``quiz_on`` (its
    columns are then NULL when no such quiz matched). ``page_from_row`` reads the page's
    columns, which follow ``leading``. With ``attempt_of`` (a user id column), every column
    of the page item's attempt comes last, when it is that user's (else NULLs). ``then``
    adds more: it is given the statement and the page item's table (aliased) last.
    """
    item, other, same = (_ITEMS.alias(name) for name in ("page_item", "other_item", "same"))
    counts = (select(func.count().label("total"), func.count(other.c.attempt_id).label("done"),
                     func.min(case((other.c.attempt_id.is_(None), other.c.position))).label(
                         "first_open"), func.max(other.c.position).label("last"))
              .where(other.c.quiz_id == bindparam("quiz_id")).subquery("counts"))
    asks = (select(func.count()).select_from(same)  # items asking the page item's question
            .where(same.c.quiz_id == Quiz.id, same.c.question_id == item.c.question_id)
            .scalar_subquery())
    columns = (*leading, *_QUIZ_COLUMNS, *_item_columns(item), counts.c.total, counts.c.done,
               counts.c.first_open, counts.c.last, asks)
    if start is None:
        statement = select(*columns).select_from(Quiz).join(counts, true()).where(
            Quiz.id == bindparam("quiz_id"), Quiz.user_id == bindparam("user_id"))
    else:
        statement = (select(*columns).select_from(start).outerjoin(Quiz, quiz_on)
                     .outerjoin(counts, true()))
    statement = (statement
                 .outerjoin(item, and_(item.c.quiz_id == Quiz.id,
                                       item.c.position == bindparam("position")))
                 .outerjoin(Question, Question.id == item.c.question_id))
    if attempt_of is not None:
        attempt = Attempt.__table__
        statement = statement.add_columns(*attempt.columns).outerjoin(
            attempt, and_(attempt.c.id == item.c.attempt_id, attempt.c.user_id == attempt_of))
    return statement if then is None else then(statement, item)


_QUIZ_PAGE = Prepared(page_statement())  # every page of the loop runs it


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


def _readers() -> tuple[Callable[[Any], datetime | None], Callable[[Any], Any]]:
    dialect = session_connection(db.session()).dialect
    return _datetime_reader(dialect), _json_reader(dialect)


def load_quiz_page(user_id: int, quiz_id: int, position: int) -> QuizView | None:
    """The learner's own quiz with the item at ``position`` and its progress counts (one
    statement, one row); None if there is no such quiz."""
    row = _QUIZ_PAGE.first({"quiz_id": quiz_id, "user_id": user_id, "position": position})
    return None if row is None else page_from_row(row)


def page_from_row(row: Sequence[Any]) -> QuizView | None:
    """The ``QuizView`` in a row of ``page_statement``'s page columns (None: no quiz)."""
    if row[0] is None:
        return None
    read, decode = _readers()
    quiz = QuizView(*row[:4], read(row[4]), read(row[5]), read(row[6]), *row[16:20])
    if row[7] is not None:
        quiz.page_item = tuple.__new__(ItemView, (*row[7:16], decode))
        quiz.page_asks = row[20]
    return quiz


def load_quiz_view(user_id: int, quiz_id: int) -> QuizView | None:
    """The learner's own quiz with every item in order; None if there is no such quiz."""
    rows = _QUIZ_AND_ITEMS.tuples({"quiz_id": quiz_id, "user_id": user_id})
    if not rows:
        return None
    read, decode = _readers()
    first = rows[0]
    make, tail = tuple.__new__, (decode,)
    items = [make(ItemView, row[7:] + tail) for row in rows]  # in the fields' order
    open_positions = [item.position for item in items if item.attempt_id is None]
    return QuizView(*first[:4], read(first[4]), read(first[5]), read(first[6]),
                    total=len(items), answered=len(items) - len(open_positions),
                    first_open=open_positions[0] if open_positions else None,
                    last_position=items[-1].position, loaded_items=items)

"""An answer's writes: one statement on PostgreSQL, one statement each on SQLite.

An answer writes up to nine rows: the card, the topic skill, the question's stats, a re-ask
item, the attempt, the item's link to it, the quiz's end and the two day summaries. On
PostgreSQL every statement is a round trip, and a round trip costs the worker about 50 µs of
CPU (the driver's work, and a context switch while it waits), so there the writes go as one
statement of data-modifying CTEs. Those all run on one snapshot and none sees another's rows,
so none may depend on another's effect:

- the link takes the attempt's id from the attempt's CTE;
- the quiz's end is decided as "no open item but this one" (``finish`` excludes the item
  being answered), and is not tried when a re-ask item is added (the quiz stays open for it);
- every table is written once, so no row is changed twice.

On SQLite a statement costs no round trip: the same writes run one by one, in that order,
with the same values. Either way they run in the caller's transaction, which commits them;
on PostgreSQL its COMMIT can go with the statement (``run``'s ``then_commit``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Executable
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from quizapp.db_session import connection as session_connection
from quizapp.extensions import db
from quizapp.models import QuizItem
from quizapp.prepared import Prepared
from quizapp.prepared import run_together
from quizapp.services.answer_rows import STATEMENTS
from quizapp.services.answer_rows import write_statement

UPSERTS = ("card", "skill", "stats", "day", "topic_day")


@dataclass(frozen=True)
class AnswerWrites:
    """The rows one answer writes (each as its statement's parameters)."""

    card: dict[str, Any]
    skill: dict[str, Any]
    stats: dict[str, Any]
    day: dict[str, Any]
    topic_day: dict[str, Any]
    attempt: dict[str, Any]
    item_id: int
    quiz_id: int
    now: datetime
    again: dict[str, Any] | None  # a re-ask item added at the quiz's end


class ItemTaken(Exception):
    """``run_guarded`` found the item answered (or gone) when it held its lock: it wrote
    nothing, and the caller's transaction is to be rolled back."""


# PostgreSQL's error code for division by zero: the guard ``combined(guarded=True)`` raises.
_GUARD_SQLSTATE = "22012"


GUARDED_DIALECT = "postgresql"  # where ``run_guarded`` runs (and the answer page reads rows)


def guards_writes() -> bool:
    """Whether ``run_guarded`` runs on the session's database (PostgreSQL)."""
    return session_connection(db.session()).dialect.name == GUARDED_DIALECT


def run_guarded(writes: AnswerWrites) -> int:
    """PostgreSQL: lock the item and its quiz, write the answer and COMMIT, in one round
    trip with the transaction's BEGIN; the new attempt's id.

    For rows read before the lock (with the answer page's login check): they are still
    the learner's latest unless another answer to this item committed meanwhile (a
    learner's answers are serialised by the item), so the writes are guarded by the item:
    its link to the new attempt is made only while it has none, and the statement fails
    (everything in it undone, the COMMIT then rolls back) when that link was not made.
    Raises ``ItemTaken`` then, ``IntegrityError`` as ``run``.
    """
    connection = session_connection(db.session())
    params = _combined_params(writes)
    try:
        results = run_together([(STATEMENTS["lock_item"], {"item_id": writes.item_id}),
                                (_GUARDED[writes.again is not None], params)],
                               connection, commit=db.session())
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) == _GUARD_SQLSTATE:
            raise ItemTaken() from None
        raise
    return results[1][0][0]


def run(writes: AnswerWrites, *, then_commit: bool = False) -> int:
    """Write the answer in the session's transaction; the new attempt's id.

    ``then_commit``: the caller commits the session right after (on PostgreSQL the COMMIT
    then goes with the writes, and the session's commit sends nothing). Raises
    ``IntegrityError`` when the attempt's idempotency key was used before (the caller rolls
    back whatever was written).
    """
    connection = session_connection(db.session())
    if connection.dialect.name == "postgresql":
        rows = run_together([(_COMBINED[writes.again is not None], _combined_params(writes))],
                            connection, commit=db.session() if then_commit else None)[0]
        return rows[0][0]
    for name in ("card", "skill", "stats"):
        STATEMENTS[name].run(getattr(writes, name), connection)
    if writes.again is not None:
        STATEMENTS["again"].run(writes.again, connection)
    attempt_id = STATEMENTS["attempt"].scalar(writes.attempt, connection)
    STATEMENTS["link"].run({"item_id": writes.item_id, "new_attempt_id": attempt_id},
                           connection)
    if writes.again is None:
        STATEMENTS["finish"].run({"quiz_id": writes.quiz_id, "now": writes.now,
                                  "item_id": writes.item_id}, connection)
    STATEMENTS["day"].run(writes.day, connection)
    STATEMENTS["topic_day"].run(writes.topic_day, connection)
    return attempt_id


def _combined_params(writes: AnswerWrites) -> dict[str, Any]:
    """``combined``'s bind parameters: each write's, prefixed with its name."""
    params: dict[str, Any] = {"link_item_id": writes.item_id}
    for name in (*UPSERTS, "attempt"):
        params.update({f"{name}_{key}": value for key, value in getattr(writes, name).items()})
    if writes.again is not None:
        params.update({f"again_{key}": value for key, value in writes.again.items()})
    else:
        params.update({"finish_quiz_id": writes.quiz_id, "finish_now": writes.now,
                       "finish_item_id": writes.item_id})
    return params


@functools.cache
def combined(again: bool, guarded: bool = False) -> Executable:
    """PostgreSQL's single statement: every write a CTE, the attempt's id selected.

    ``guarded``: the item is linked only while it has no attempt, and selecting the id
    divides by the number of items linked, so the statement fails when none was (the only
    way a statement can refuse its own writes without a procedural language).
    """
    dialect = "postgresql"
    attempt = write_statement(dialect, "attempt", "attempt_").cte("new_attempt")
    link = update(QuizItem).where(QuizItem.id == bindparam("link_item_id")).values(
        attempt_id=select(attempt.c.id).scalar_subquery())
    if guarded:
        link = link.where(QuizItem.attempt_id.is_(None)).returning(QuizItem.id)
    ctes = [write_statement(dialect, name, f"{name}_").cte(f"write_{name}") for name in UPSERTS]
    link_cte = link.cte("write_link")
    ctes.append(link_cte)
    last = "again" if again else "finish"
    ctes.append(write_statement(dialect, last, f"{last}_").cte(f"write_{last}"))
    statement = select(attempt.c.id).add_cte(*ctes)
    if guarded:
        linked = select(func.count()).select_from(link_cte).scalar_subquery()
        statement = statement.where(literal_column("1") / linked == literal_column("1"))
    return statement


_COMBINED = {again: Prepared(lambda _dialect, again=again: combined(again))
             for again in (False, True)}
_GUARDED = {again: Prepared(lambda _dialect, again=again: combined(again, guarded=True))
            for again in (False, True)}

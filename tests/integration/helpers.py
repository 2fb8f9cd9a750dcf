"""Helpers for driving the quiz through the test client."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from quizapp import create_app
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import QuizItem
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.conftest import TEST_BANK
from tests.conftest import database_url
from tests.conftest import drop_schema
from tests.conftest import make_config


def sync_test_bank() -> None:
    sync_bank(load_bank(TEST_BANK), NOW)


def form_key(html: str) -> str:
    return re.search(r'name="key"[^>]*value="([0-9a-f]{32})"', html).group(1)


def form_version(html: str) -> str:
    return re.search(r'name="version"[^>]*value="([0-9]+)"', html).group(1)


def form_shown(html: str) -> str:
    """The answer form's signed stamp of when its page was shown."""
    return re.search(r'name="shown"[^>]*value="([^"]+)"', html).group(1)


def right_answer(question: Question) -> dict:
    payload = question.payload
    if question.type == "mcq":
        return {"choice": str(next(i for i, c in enumerate(payload["choices"]) if c["correct"]))}
    if question.type == "multi_select":
        return {"choice": [str(i) for i, c in enumerate(payload["choices"]) if c["correct"]]}
    if question.type == "numeric":
        return {"answer": str(payload["answer"])}
    if question.type == "short_text":
        return {"answer": payload["answers"][0]}
    if question.type in {"code", "sql"}:  # runs the reference solution in the sandbox
        return {"code": payload["solution"]}
    return {"answer": "My answer.", "self_grade": "3", "rubric": ["0", "1"]}


def wrong_answer(question: Question) -> dict:
    payload = question.payload
    if question.type in ("mcq", "multi_select"):
        return {"choice": str(next(i for i, c in enumerate(payload["choices"])
                                   if not c["correct"]))}
    if question.type == "numeric":
        return {"answer": str(payload["answer"] * 3 + 1)}
    if question.type == "short_text":
        return {"answer": "definitely not it"}
    return {"answer": "No idea.", "self_grade": "0"}


def item_question(quiz_id: int, position: int) -> Question:
    item = db.session.scalars(select(QuizItem).where(QuizItem.quiz_id == quiz_id,
                                                     QuizItem.position == position)).one()
    return item.question


def answer(client, quiz_id: int, position: int, correct: bool = True, **extra):
    """Open the question page, then submit an answer; return the POST response."""
    page = client.get(f"/quiz/{quiz_id}/q/{position}")
    assert page.status_code == 200, page.status_code
    question = item_question(quiz_id, position)
    html = page.get_data(as_text=True)
    data = {"key": form_key(html), "version": form_version(html), "shown": form_shown(html),
            "hints_used": "0",
            **(right_answer(question) if correct else wrong_answer(question)), **extra}
    return client.post(f"/quiz/{quiz_id}/q/{position}", data=data)


def make_own_app(worker: str, tmp_path: Path, suffix: str) -> Flask:
    """An app with a database of its own (not the rolled-back test transaction): a SQLite
    file, or a schema of its own in the PostgreSQL run; drop it with ``drop_own_app``."""
    url, options = database_url(worker, suffix)
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path}/own{suffix}.db"
    app = create_app(make_config(url, options, STATIC_BUILD_DIR=str(tmp_path / f"static{suffix}")))
    with app.app_context():
        db.create_all()
    return app


def drop_own_app(app: Flask, worker: str, suffix: str) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop_schema(worker, suffix)

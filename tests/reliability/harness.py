"""Learners answering against a real gunicorn while its processes are killed."""

from __future__ import annotations

import contextlib
import html
import os
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from http.client import HTTPException
from pathlib import Path

import psycopg
from sqlalchemy import text

from benchmarks.loadkit import client
from quizapp import create_app
from quizapp.bank.loader import load_bank
from quizapp.core.clock import utcnow
from quizapp.extensions import db
from quizapp.services.bank_sync import sync_bank

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PASSWORD = "reliability-passphrase-42"


@contextlib.contextmanager
def database(kind: str, tmp_path) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a PostgreSQL schema of our own."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path}/reliability.db"
        return
    schema = f"reliability_{uuid.uuid4().hex[:10]}"
    admin = PG_URL.replace("+psycopg", "")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def prepare(url: str) -> None:
    """Create the schema and load the full bank (the small test bank runs out mid-run)."""
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        sync_bank(load_bank(Path(app.config["QUESTIONS_DIR"])), utcnow())
        db.session.remove()
        db.engine.dispose()


@dataclass
class Outcome:
    """What the learners saw: keys of answers confirmed by a redirect, and server errors."""

    confirmed: list[tuple[str, str]] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    transport_errors: int = 0
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class Learner(threading.Thread):
    """Answers in a loop; after a dropped connection it starts over from the dashboard."""

    def __init__(self, index: int, port: list[int], outcome: Outcome,
                 stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.email = f"crash{index}@example.com"
        self.port, self.outcome, self.stop = port, outcome, stop
        self.registered = threading.Event()

    def browser(self) -> client.Browser:
        browser = client.Browser("127.0.0.1", self.port[0], timeout=10)
        browser.cookies = self.cookies
        return browser

    def run(self) -> None:
        self.cookies: dict[str, str] = {}
        first = client.Browser("127.0.0.1", self.port[0], timeout=10)
        try:
            client.sign_up_and_log_in(first, self.email, PASSWORD)
        except (OSError, HTTPException, client.LoadError) as exc:  # the wait reports it
            self.outcome.last_error = f"sign-up: {type(exc).__name__}: {exc}"
            return
        self.cookies = first.cookies
        self.registered.set()
        while not self.stop.is_set():
            try:
                self.answer_some(self.browser())
            except (OSError, HTTPException, client.LoadError) as exc:  # a cut connection too
                with self.outcome.lock:
                    self.outcome.transport_errors += 1
                    self.outcome.last_error = f"{type(exc).__name__}: {exc}"
                    if isinstance(exc, client.LoadError) and " 5" in f" {exc}":
                        self.outcome.server_errors.append(str(exc))
                time.sleep(0.2)

    def answer_some(self, browser: client.Browser) -> None:
        path = client.start_quiz(browser)
        while not self.stop.is_set():
            path, page = browser.follow(path)
            if page.status >= 500:
                self.outcome.server_errors.append(f"GET {path}: {page.status}")
                return
            if page.status != 200 or "/summary" in path or "/feedback" in path:
                return
            action, fields = client.answer_fields(page.body)
            reply = browser.post(action, fields)
            if reply.status >= 500:
                with self.outcome.lock:
                    self.outcome.server_errors.append(f"POST {action}: {reply.status}")
                return
            if reply.status != 302:
                return
            key = dict(fields)["key"]
            with self.outcome.lock:
                self.outcome.confirmed.append((self.email, key))
            feedback = browser.get(reply.location)
            link = client.CONTINUE.search(feedback.body)
            if link is None:
                return
            path = html.unescape(link.group(1))


def inconsistencies(url: str) -> dict[str, list]:
    """Rows whose counters disagree with the attempts they summarise."""
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    checks = {
        "card reps or last review differ from its attempts": """
            SELECT c.user_id, c.question_id, c.reps, count(a.id)
            FROM card c LEFT JOIN attempt a
              ON a.user_id = c.user_id AND a.question_id = c.question_id
            GROUP BY c.id, c.user_id, c.question_id, c.reps, c.last_review
            HAVING c.reps <> count(a.id) OR c.last_review <> max(a.created_at)""",
        "attempt without a card": """
            SELECT a.id FROM attempt a LEFT JOIN card c
              ON c.user_id = a.user_id AND c.question_id = a.question_id
            WHERE c.id IS NULL""",
        "skill n differs from its topic's attempts": """
            SELECT s.user_id, s.topic_id, s.n, count(a.id)
            FROM topic_skill s JOIN question q ON q.topic_id = s.topic_id
            LEFT JOIN attempt a ON a.question_id = q.id AND a.user_id = s.user_id
            GROUP BY s.id, s.user_id, s.topic_id, s.n HAVING s.n <> count(a.id)""",
        "quiz attempt not linked from exactly one item": """
            SELECT a.id, count(i.id) FROM attempt a
            LEFT JOIN quiz_item i ON i.attempt_id = a.id
            WHERE a.quiz_id IS NOT NULL GROUP BY a.id HAVING count(i.id) <> 1""",
    }
    with app.app_context():
        found = {name: db.session.execute(text(sql)).all() for name, sql in checks.items()}
        db.session.remove()
        db.engine.dispose()
    return {name: rows for name, rows in found.items() if rows}


def stored_keys(url: str) -> dict[tuple[str, str], int]:
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        rows = db.session.execute(text(
            "SELECT u.email, a.idempotency_key, count(*) FROM attempt a "
            "JOIN users u ON u.id = a.user_id GROUP BY u.email, a.idempotency_key")).all()
        db.session.remove()
        db.engine.dispose()
    return {(email, key): n for email, key, n in rows}

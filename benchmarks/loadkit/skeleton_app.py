"""The stack's skeleton: the least an app on quizapp's fixed stack does per answer loop.

A second floor for ``load.py --skeleton``. Where the bare-Flask floor answers ``hello``, this
app does what any app built on the stack DEVELOPERS.md fixes (Flask, Flask-Login,
Flask-WTF's CSRF, SQLAlchemy 2 through Flask-SQLAlchemy, Jinja, SQLite in WAL mode) must do
for the loop, written the way their documentation shows and nothing more:

- GET a question: the login check (Flask-Login's user loader, one read), one indexed read of
  the question, a page of about the size of quizapp's (4.7 KB) with a CSRF-protected form;
- POST an answer: the login check, CSRF and form validation, one INSERT and its COMMIT, a
  redirect;
- GET the feedback: the login check, one indexed read (the attempt joined to its question),
  a page with the link to the next question.

No spaced repetition, skill ratings, adaptive selection, sessions table, rate limits,
security headers, request log or signed form stamps: everything quizapp does beyond this is
the product. Its URLs and HTML follow the load client's (``client.run_learner``), so the
same learners drive it. Its database is a SQLite file in ``SKELETON_DIR``.

``SKELETON_STORE=raw`` swaps the ORM for plain DB-API statements on one connection per
worker, as quizapp's hot path does: what is left is the cost of Flask, Flask-Login,
Flask-WTF, Jinja and gunicorn themselves.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import UTC
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from flask import Flask
from flask import abort
from flask import redirect
from flask import render_template
from flask import url_for
from flask_login import LoginManager
from flask_login import UserMixin
from flask_login import current_user
from flask_login import login_required
from flask_login import login_user
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from flask_wtf import FlaskForm
from jinja2 import DictLoader
from sqlalchemy import ForeignKey
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired

QUESTIONS = 200


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Question(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str]
    prompt: Mapped[str]


class Attempt(db.Model):  # type: ignore[name-defined,misc]
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    answer: Mapped[str]
    correct: Mapped[bool]
    created_at: Mapped[datetime]


class AnswerForm(FlaskForm):
    key = HiddenField()
    answer = StringField(validators=[DataRequired()])


LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{% endblock %} · skeleton</title>
<link rel="stylesheet" href="{{ url_for('static', filename='app.css') }}">
</head><body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><nav aria-label="Main">
<a class="brand" href="{{ url_for('index') }}">skeleton</a>
<ul>{% for label, endpoint in [("Home", "index"), ("Practice", "index"), ("Progress", "index"),
("Plan", "index"), ("Browse", "index"), ("Settings", "index")] %}
<li><a href="{{ url_for(endpoint) }}">{{ label }}</a></li>{% endfor %}</ul>
<span class="who">{{ current_user.name }}</span></nav></header>
<aside class="session" aria-label="This session"><h2>This session</h2><ol class="steps">
{% for step in range(1, 13) %}<li class="step{{ ' done' if step < 5 else '' }}"><a
 href="{{ url_for('index') }}">Question {{ step }}</a></li>{% endfor %}</ol>
<p class="streak">Streak: 4 days · 12 due today · goal 20 answers</p></aside>
<main id="main">{% block content %}{% endblock %}</main>
<footer class="site-footer"><p>Practice for machine-learning interviews. Keyboard: 1-9 pick
an option, Enter submits, ? lists the shortcuts.</p>
<p><a href="{{ url_for('index') }}">About</a> · <a href="{{ url_for('index') }}">Privacy</a>
· <a href="{{ url_for('index') }}">Help</a></p></footer>
<script src="{{ url_for('static', filename='app.js') }}" defer></script>
</body></html>"""

QUESTION = """{% extends "layout" %}{% block title %}Question {{ question.id }}{% endblock %}
{% block content %}<article class="question card">
<p class="crumbs"><a href="{{ url_for('index') }}">Practice</a> / {{ question.topic }}</p>
<h1>Question {{ question.id }}</h1><div class="prompt">{{ question.prompt }}</div>
<form method="post" action="{{ url_for('answer', question_id=question.id) }}" class="answer"
 data-answer-form>{{ form.csrf_token }}{{ form.key(value=key) }}
<fieldset><legend>Choose one</legend>
{% for option in options %}<label class="choice"><input type="radio" name="answer"
 value="{{ loop.index0 }}" required> <span class="key">{{ loop.index }}</span>
 {{ option }}</label>
{% endfor %}</fieldset>
<p class="actions"><button class="button primary" type="submit">Submit answer</button>
<button class="button" type="submit" name="skip" value="1" formnovalidate>I don't know</button>
</p></form></article>{% endblock %}"""

FEEDBACK = """{% extends "layout" %}{% block title %}Feedback{% endblock %}
{% block content %}<article class="feedback card">
<p class="verdict {{ 'right' if attempt.correct else 'wrong' }}" role="status">
{{ "Correct." if attempt.correct else "Not quite." }}</p>
<h1>Question {{ question.id }}</h1><div class="prompt">{{ question.prompt }}</div>
<p>Your answer: {{ attempt.answer }}. The right answer: option 1.</p>
<section class="explanation"><h2>Why</h2><p>{{ explanation }}</p></section>
<p class="actions"><a class="button primary" href="{{ next_url }}" data-shortcut="enter">Next
question</a> <a class="button" href="{{ url_for('index') }}">Finish for now</a></p>
</article>{% endblock %}"""

INDEX = """{% extends "layout" %}{% block title %}Home{% endblock %}
{% block content %}<form method="post" action="{{ url_for('start') }}">{{ form.csrf_token }}
<button class="button primary">Start</button></form>{% endblock %}"""

PROMPT = ("A model's validation loss rises while its training loss keeps falling. Which "
          "change is most likely to help, and why? Consider what the gap between the two "
          "curves says about variance, and what each option does to it. ") * 8
EXPLANATION = ("The widening gap between training and validation loss is overfitting: the "
               "model fits noise in the training set. Regularisation shrinks the effective "
               "capacity and so the variance; more data does the same from the other side. ") * 5
OPTIONS = ["Add L2 regularisation or dropout", "Train for more epochs",
           "Increase the learning rate tenfold", "Remove the validation set"]


class OrmStore:
    """The data access as Flask-SQLAlchemy's documentation writes it: ORM objects."""

    def user(self, user_id: int) -> User | None:
        return db.session.get(User, user_id)

    def question(self, question_id: int) -> Question | None:
        return db.session.get(Question, question_id)

    def add_attempt(self, user_id: int, question_id: int, answer: str) -> int:
        attempt = Attempt(user_id=user_id, question_id=question_id, answer=answer,
                          correct=answer == "0", created_at=datetime.now(UTC))
        db.session.add(attempt)
        db.session.commit()
        return attempt.id

    def feedback(self, attempt_id: int, user_id: int) -> tuple[Any, Any] | None:
        row = db.session.execute(
            select(Attempt, Question).join(Question, Attempt.question_id == Question.id)
            .where(Attempt.id == attempt_id, Attempt.user_id == user_id)).one_or_none()
        return None if row is None else (row[0], row[1])


class RawUser(UserMixin):
    def __init__(self, user_id: int, name: str) -> None:
        self.id, self.name = user_id, name


class RawStore:
    """The same reads and write as plain DB-API statements on one connection per worker
    (what quizapp's hot path does): the least the stack's own layers leave to pay."""

    def __init__(self, path: str) -> None:
        self.path, self.pid, self.connection = path, 0, None

    def _db(self) -> sqlite3.Connection:
        if self.pid != os.getpid():  # opened in the worker, never shared across the fork
            self.connection = sqlite3.connect(self.path, check_same_thread=False)
            self.connection.row_factory = sqlite3.Row
            for pragma in PRAGMAS:
                self.connection.execute(pragma)
            self.pid = os.getpid()
        return self.connection

    def user(self, user_id: int) -> RawUser | None:
        row = self._db().execute("SELECT id, name FROM user WHERE id = ?", (user_id,))
        found = row.fetchone()
        return None if found is None else RawUser(found[0], found[1])

    def question(self, question_id: int) -> sqlite3.Row | None:
        return self._db().execute("SELECT id, topic, prompt FROM question WHERE id = ?",
                                  (question_id,)).fetchone()

    def add_attempt(self, user_id: int, question_id: int, answer: str) -> int:
        connection = self._db()
        cursor = connection.execute(
            "INSERT INTO attempt (user_id, question_id, answer, correct, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (user_id, question_id, answer, answer == "0", datetime.now(UTC).isoformat(" ")))
        connection.commit()
        return cursor.lastrowid

    def feedback(self, attempt_id: int, user_id: int) -> tuple[Any, Any] | None:
        row = self._db().execute(
            "SELECT attempt.answer, attempt.correct, question.id, question.topic, "
            "question.prompt FROM attempt JOIN question ON question.id = attempt.question_id "
            "WHERE attempt.id = ? AND attempt.user_id = ?", (attempt_id, user_id)).fetchone()
        if row is None:
            return None
        return (SimpleNamespace(answer=row[0], correct=row[1]),
                SimpleNamespace(id=row[2], topic=row[3], prompt=row[4]))


PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=5000")
DATABASE = Path(os.environ.get("SKELETON_DIR") or tempfile.gettempdir()) / "skeleton.db"
app = Flask(__name__)
app.config.update(SECRET_KEY="skeleton-benchmark-secret",
                  SQLALCHEMY_DATABASE_URI=f"sqlite:///{DATABASE}")
app.jinja_loader = DictLoader({"layout": LAYOUT, "index": INDEX, "question": QUESTION,
                               "feedback": FEEDBACK})
db.init_app(app)
CSRFProtect(app)
login_manager = LoginManager(app)
store: OrmStore | RawStore = (RawStore(str(DATABASE)) if os.environ.get("SKELETON_STORE")
                              == "raw" else OrmStore())


@login_manager.user_loader
def load_user(user_id: str) -> Any:
    return store.user(int(user_id))


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.get("/login/<int:number>")
def log_in(number: int):  # type: ignore[no-untyped-def]
    user = db.session.get(User, number) or User(id=number, name=f"Learner {number}")
    db.session.add(user)
    db.session.commit()
    login_user(store.user(number))
    return redirect(url_for("index"))


@app.get("/")
@login_required
def index() -> str:
    return render_template("index", form=FlaskForm())


@app.post("/quiz/start")
@login_required
def start():  # type: ignore[no-untyped-def]
    if not FlaskForm().validate_on_submit():
        abort(400)
    return redirect(url_for("question", question_id=current_user.id % QUESTIONS + 1))


@app.get("/quiz/q/<int:question_id>")
@login_required
def question(question_id: int) -> str:
    if (item := store.question(question_id)) is None:
        abort(404)
    return render_template("question", question=item, form=AnswerForm(),
                           key=os.urandom(8).hex(), options=OPTIONS)


@app.post("/quiz/q/<int:question_id>")
@login_required
def answer(question_id: int):  # type: ignore[no-untyped-def]
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    attempt_id = store.add_attempt(current_user.id, question_id, form.answer.data)
    return redirect(url_for("feedback", attempt_id=attempt_id))


@app.get("/quiz/a/<int:attempt_id>/feedback")
@login_required
def feedback(attempt_id: int) -> str:
    if (row := store.feedback(attempt_id, current_user.id)) is None:
        abort(404)
    attempt, item = row
    next_url = url_for("question", question_id=item.id % QUESTIONS + 1)
    return render_template("feedback", attempt=attempt, question=item,
                           explanation=EXPLANATION, next_url=next_url)


with app.app_context():  # in gunicorn's master (preload): tables and questions, then no pool
    engine = db.engine

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
        for pragma in PRAGMAS:
            connection.execute(pragma)

    db.create_all()
    if db.session.scalar(select(Question.id).limit(1)) is None:
        db.session.add_all(Question(id=n, topic=f"Topic {n % 12}", prompt=PROMPT)
                           for n in range(1, QUESTIONS + 1))
        db.session.commit()
    db.session.remove()
    engine.dispose()

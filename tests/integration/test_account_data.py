"""Export my data, delete my account, and the opt-in leaderboard."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import Quiz
from quizapp.models import QuizItem
from quizapp.models import User
from quizapp.services.account_data import tables_with_user_rows
from tests.integration.helpers import answer
from tests.integration.helpers import sync_test_bank


def play(client) -> None:
    location = client.post("/quiz/start").headers["Location"]
    quiz_id = int(re.fullmatch(r"/quiz/(\d+)/q/1", location).group(1))
    for position in range(1, 4):
        answer(client, quiz_id, position, correct=position != 2)


@pytest.fixture
def two_learners(client, auth):
    """Bea has played a quiz (and logged out); Ada has played one and is logged in."""
    sync_test_bank()
    auth.register(email="bea@example.com", name="Bea")
    play(client)
    auth.logout()
    auth.register()
    play(client)
    return {u.email: u.id for u in db.session.scalars(select(User))}


def rows_of(user_id: int) -> dict[str, int]:
    counts = {f"{t.name}.{c.name}": db.session.scalar(select(func.count()).select_from(t)
                                                      .where(c == user_id))
              for t, c in tables_with_user_rows()}
    assert {"attempt.user_id", "card.user_id", "login_sessions.user_id", "quiz.user_id",
            "daily_activity.user_id"} <= set(counts)
    counts["users"] = db.session.scalar(select(func.count(User.id)).where(User.id == user_id))
    return counts


def test_export_json_holds_account_attempts_cards_skills(client, two_learners):
    response = client.get("/account/export.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data())
    assert data["account"][0]["email"] == "ada@example.com"
    assert len(data["attempts"]) == 3 and [a["correct"] for a in data["attempts"]] == [
        True, False, True]
    assert len(data["cards"]) == 3 and data["skills"]
    assert "password_hash" not in data["account"][0]
    # answers as the JSON values they are (a string was exported as '"k-d tree"')
    assert all(not isinstance(a["response"], str) or not a["response"].startswith('"')
               for a in data["attempts"])
    stored = [a.response for a in db.session.scalars(
        select(Attempt).where(Attempt.user_id == two_learners["ada@example.com"])
        .order_by(Attempt.created_at, Attempt.id))]
    assert [a["response"] for a in data["attempts"]] == stored


def test_export_csv_zip_has_one_file_per_section(client, two_learners):
    response = client.get("/account/export.zip")
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    assert sorted(archive.namelist()) == ["account.csv", "attempts.csv", "cards.csv",
                                          "skills.csv"]
    attempts = archive.read("attempts.csv").decode().splitlines()
    assert attempts[0].startswith("question,") and len(attempts) == 4


def test_delete_needs_the_password_and_changes_nothing_without_it(client, two_learners):
    ada = two_learners["ada@example.com"]
    before = rows_of(ada)
    response = client.post("/account/delete", data={"password": "wrong-password"})
    assert response.status_code == 400 and "That is not your password." in response.get_data(
        as_text=True)
    assert rows_of(ada) == before
    assert before["attempt.user_id"] == 3 and before["login_sessions.user_id"] >= 1


def test_delete_removes_every_row_of_the_learner_and_only_theirs(client, two_learners):
    ada, bea = two_learners["ada@example.com"], two_learners["bea@example.com"]
    ada_quizzes = list(db.session.scalars(select(Quiz.id).where(Quiz.user_id == ada)))
    bea_before = rows_of(bea)
    response = client.post("/account/delete", data={"password": "correct-horse"})
    assert response.status_code == 302
    db.session.expire_all()
    assert set(rows_of(ada).values()) == {0}, rows_of(ada)
    assert db.session.scalar(select(func.count(QuizItem.id)).where(
        QuizItem.quiz_id.in_(ada_quizzes))) == 0
    assert rows_of(bea) == bea_before and bea_before["attempt.user_id"] == 3
    assert client.get("/settings").headers["Location"].startswith("/auth/login")


def test_leaderboard_is_opt_in_and_leaving_is_immediate(client, auth, two_learners):
    page = client.get("/leaderboard").get_data(as_text=True)
    assert "Nobody has joined yet." in page and "Join the leaderboard" in page
    client.post("/leaderboard/join")
    page = client.get("/leaderboard").get_data(as_text=True)
    row = re.search(r"<td>1</td><td>Ada.*?</td>\s*<td>(\d+)</td><td>(\d+)%</td>", page)
    assert row and row.groups() == ("2", "67")  # 2 of 3 right this week
    assert "Bea" not in page  # never opted in
    client.post("/leaderboard/leave")
    assert "Nobody has joined yet." in client.get("/leaderboard").get_data(as_text=True)


def test_export_csv_cells_that_look_like_formulas_stay_text(client, auth):
    sync_test_bank()
    auth.register(name='=HYPERLINK("http://evil.example","x")')
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/export.zip").get_data()))
    [row] = csv.DictReader(io.StringIO(archive.read("account.csv").decode()))
    assert row["display_name"] == '\'=HYPERLINK("http://evil.example","x")'
    json_name = json.loads(client.get("/account/export.json").get_data())["account"][0]
    assert json_name["display_name"].startswith("=HYPERLINK(")  # JSON keeps the exact text


def test_a_hidden_code_attempt_is_exported_without_its_test_results():
    from datetime import UTC
    from datetime import datetime
    from types import SimpleNamespace

    from quizapp.services.account_data import _attempt_row

    now = datetime(2026, 3, 2, tzinfo=UTC)
    attempt = SimpleNamespace(
        question_version=1, quiz_id=7, created_at=now, next_due=now, score=0.5, correct=False,
        duration_ms=900, hints_used=0, confidence=None, rating=1, was_new=True,
        response={"code": "x = 1", "results": [{"name": "t", "passed": False}], "output": ""})
    hidden = _attempt_row(attempt, "q.uid", hidden=True)
    assert hidden["response"] == {"code": "x = 1"} and hidden["score"] is None
    shown = _attempt_row(attempt, "q.uid", hidden=False)
    assert shown["response"]["results"][0]["passed"] is False and shown["score"] == 0.5

"""Hostile and malformed input gets a clear 4xx answer, never a 500, and writes nothing bad."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.models import LoginSession
from quizapp.models import User
from tests.integration.helpers import answer
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import sync_test_bank

NASTY = [
    "\x00", "a\x00b", "\u202e\u0000", "'; DROP TABLE users; --",
    "<script>alert(1)</script>", "A" * 100_000, "\U0001d518\U0001d52b\U0001d526 \U0001f916",
    "\r\n\t", "%00", "../../etc/passwd",
]


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_register_with_hostile_values(client, value):
    response = client.post("/auth/register", data={
        "email": f"x{value}@example.com", "display_name": value, "password": value + "pw-long",
        "confirm": value + "pw-long"})
    assert response.status_code in (302, 400, 413), response.status_code
    for user in db.session.scalars(select(User)):
        assert "\x00" not in user.display_name and "\x00" not in user.email


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_login_with_hostile_values(client, auth, value):
    response = auth.login(email=value, password=value)
    assert response.status_code in (400, 413)


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_answers_with_hostile_values(client, auth, value):
    sync_test_bank()
    auth.register()
    quiz_id = int(client.post("/quiz/start").headers["Location"].split("/")[2])
    for position in range(1, 6):
        page = client.get(f"/quiz/{quiz_id}/q/{position}").get_data(as_text=True)
        kind = item_question(quiz_id, position).type
        data = {"key": form_key(page), "version": form_version(page), "shown": form_shown(page),
                "hints_used": "0", "answer": value, "choice": value}
        if kind == "self_graded":
            data.update(self_grade="2", rubric=value)
        response = client.post(f"/quiz/{quiz_id}/q/{position}", data=data)
        assert response.status_code in (302, 400, 413), (kind, response.status_code)
        if response.status_code != 302:  # answer properly so the next item can be reached
            assert answer(client, quiz_id, position).status_code == 302
    for attempt in db.session.scalars(select(Attempt)):
        assert "\x00" not in str(attempt.response)


@pytest.mark.parametrize("value", NASTY, ids=range(len(NASTY)))
def test_settings_with_hostile_values(client, auth, value):
    auth.register()
    response = client.post("/settings", data={"display_name": value, "daily_goal": value,
                                              "timezone": value})
    assert response.status_code in (400, 413)


@pytest.mark.parametrize("field", ["daily_goal", "target_readiness"])
@pytest.mark.parametrize("value", ["1" + "0" * 309, "9" * 400, "-" + "9" * 400, "1" * 10,
                                   "+" + "9" * 12])
def test_settings_numbers_too_long_for_a_float_are_a_form_error(client, auth, field, value):
    """WTForms' NumberRange compares through float: past 1e308 that raised OverflowError."""
    auth.register()
    data = {"display_name": "Ada", "daily_goal": "20", "timezone": "UTC", "focus": "balanced",
            "target_readiness": "80", "target_retention": "0.9", "theme": "system", field: value}
    response = client.post("/settings", data=data)
    assert response.status_code == 400
    assert b"Number must be between" in response.data
    assert db.session.scalars(select(User)).one().daily_goal == 20
    junk = client.post("/settings", data={**data, field: "9" * 12 + "x"})
    assert junk.status_code == 400 and b"Not a valid integer value." in junk.data


def test_control_characters_in_the_user_agent_are_not_stored(client, auth):
    """A NUL byte in a header reached the login session's row (PostgreSQL refuses it)."""
    auth.register(login=False)
    response = auth.login(HTTP_USER_AGENT="Mozilla\x00/5.0\x1b[31m\x7f ok")
    assert response.status_code == 302
    stored = db.session.scalars(select(LoginSession.user_agent)).one()
    assert stored == "Mozilla/5.0[31m ok"


@pytest.mark.parametrize("hints", ["2", "-1", "x", "1" * 50])
def test_forged_hint_counts_are_rejected(client, auth, hints):
    sync_test_bank()
    auth.register()
    quiz_id = int(client.post("/quiz/start").headers["Location"].split("/")[2])
    page = client.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    response = client.post(f"/quiz/{quiz_id}/q/1", data={"key": form_key(page),
                                                        "hints_used": hints, "choice": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_oversized_body_is_refused(client):
    response = client.post("/auth/login", data={"email": "a" * (2 * 1024 * 1024)})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/quiz/abc", "/quiz/1/q/x", "/quiz/99999999999999999999",
                                  "/quiz/-1/q/1", "/quiz/0", "/quiz/1/q/2147483648", "/%00",
                                  "/progress/topic/%00", "/progress/topic/a%00b",
                                  "/auth/reset/%00"])
def test_odd_urls_are_not_found(client, auth, path):
    auth.register()
    assert client.get(path).status_code == 404


def test_nul_in_next_is_ignored(client, auth):
    auth.register()
    auth.logout()
    assert b"\x00" not in client.get("/auth/login?next=/settings%00").data
    response = auth.login(next_url="/settings\x00")
    assert response.headers["Location"] == "/settings"


def test_key_with_a_trailing_newline_is_rejected(client, auth):
    sync_test_bank()
    auth.register()
    quiz_url = client.post("/quiz/start").headers["Location"]
    client.get(quiz_url)
    response = client.post(quiz_url, data={"key": "a" * 32 + "\n", "choice": "0",
                                           "answer": "1", "self_grade": "1"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


@pytest.mark.parametrize(("hints", "status", "used"), [
    ("2", 400, None), ("01", 400, None), ("1\n", 400, None), ("", 302, 0), ("  ", 302, 0),
    ("1", 302, 1)])
def test_hint_counts_are_checked_on_an_otherwise_valid_answer(client, auth, hints, status,
                                                              used):
    sync_test_bank()
    auth.register()
    quiz_id = int(client.post("/quiz/start").headers["Location"].split("/")[2])
    page = client.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    data = {"key": form_key(page), "version": form_version(page), "shown": form_shown(page),
            "hints_used": hints, "choice": "0", "answer": "1", "self_grade": "2"}
    response = client.post(f"/quiz/{quiz_id}/q/1", data=data)
    assert response.status_code == status
    attempts = db.session.scalars(select(Attempt)).all()
    assert [a.hints_used for a in attempts] == ([] if used is None else [used])

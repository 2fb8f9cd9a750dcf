import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User


def test_register_hashes_the_password_and_leads_to_login(client, auth):
    response = auth.register(login=False)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    login_page = client.get("/auth/login").data
    assert b"Now log in with the password you just chose" in login_page
    assert b'value="ada@example.com"' in login_page
    user = db.session.scalars(select(User)).one()
    assert user.password_hash.startswith("$argon2")
    assert "correct-horse" not in user.password_hash
    assert user.daily_goal == 20
    auth.login()
    assert b"Hello, Ada" in client.get("/").data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email"}, b"Invalid email address"),
        ({"password": "short", "confirm": "short"}, b"at least 8 characters"),
        ({"password": "password", "confirm": "password"}, b"top-10 common password"),
        ({"password": "12345678", "confirm": "12345678"}, b"too easy to guess"),
        ({"password": "aaaaaaaa", "confirm": "aaaaaaaa"}, b"Repeats like"),
        ({"password": "ada@example.com", "confirm": "ada@example.com"}, b"too easy to guess"),
        ({"password": "x" * 257, "confirm": "x" * 257}, b"at most 256 characters"),
        ({"confirm": "different-pass"}, b"do not match"),
        ({"display_name": ""}, b"This field is required"),
    ],
)
def test_bad_registration_rerenders_with_messages_and_keeps_input(client, data, message):
    form = {"email": "ada@example.com", "display_name": "Ada", "password": "correct-horse",
            "confirm": "correct-horse", **data}
    response = client.post("/auth/register", data=form)
    assert response.status_code == 400
    assert message in response.data
    if form["display_name"]:
        assert f'value="{form["display_name"]}"'.encode() in response.data
    assert db.session.scalars(select(User)).first() is None


def test_sign_up_does_not_reveal_whether_an_email_has_an_account(app, database):
    """A new and a taken email get the same redirect and the same next page."""
    answers = []
    for email, password in (("new@example.com", "correct-horse"),
                            ("NEW@Example.com", "other-horse-battery")):
        client = app.test_client()
        response = client.post("/auth/register", data={
            "email": email, "display_name": "X", "password": password, "confirm": password})
        page = client.get(response.headers["Location"]).data
        answers.append((response.status_code, response.headers["Location"], page))
    assert answers[0] == answers[1]
    assert db.session.scalars(select(User)).one().email == "new@example.com"
    client = app.test_client()
    client.post("/auth/login", data={"email": "new@example.com",
                                     "password": "other-horse-battery"})
    assert b"Hello" not in client.get("/").data  # the second sign-up changed nothing


@pytest.mark.parametrize("length", [128, 201, 256])
def test_long_passphrases_are_welcome(client, auth, length):
    phrase = ("plum tractor evening violin " * 10)[:length]
    assert auth.register(password=phrase, login=False).status_code == 302
    assert auth.login(password=phrase).status_code == 302


def test_login_logout(client, auth):
    auth.register()
    auth.logout()
    assert b"Hello" not in client.get("/").data
    response = auth.login(email="Ada@Example.com")
    assert response.status_code == 302
    assert b"Hello, Ada" in client.get("/").data


def test_wrong_password_is_a_clear_error(client, auth):
    auth.register()
    auth.logout()
    response = auth.login(password="wrong-password")
    assert response.status_code == 400
    assert b"Wrong email or password" in response.data
    assert auth.login(email="nobody@example.com").status_code == 400


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/settings", "/settings"),
        ("/quiz/1", "/quiz/1"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_next_redirect_only_goes_to_this_site(client, auth, target, expected):
    auth.register()
    auth.logout()
    response = auth.login(next_url=target)
    assert response.headers["Location"] == expected


def test_login_page_carries_a_safe_next_only(client):
    assert b'value="/settings"' in client.get("/auth/login?next=/settings").data
    assert b"evil" not in client.get("/auth/login?next=https://evil.example").data


def test_logout_needs_post(client, auth):
    auth.register()
    assert client.get("/auth/logout").status_code == 405


def test_login_is_rate_limited(client, auth, rate_limits):
    statuses = [auth.login(password="wrong-password").status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    assert 1 <= int(auth.login(password="wrong-password").headers["Retry-After"]) <= 60
    assert b"Too many attempts" in auth.login().data


def test_register_is_rate_limited(client, auth, rate_limits):
    statuses = [auth.register(email=f"u{i}@example.com", password="x").status_code
                for i in range(11)]
    assert statuses[-1] == 429


def test_forms_require_csrf_tokens(app, client, auth):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = auth.register()
        assert response.status_code == 400
        assert b"Form expired" in response.data
        assert db.session.scalars(select(User)).first() is None
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("sent", "stored"), [
    ("America/New_York", "America/New_York"), ("", "UTC"), ("Mars/Olympus_Mons", "UTC"),
    ("<script>", "UTC")])
def test_sign_up_keeps_the_browsers_time_zone_when_it_is_a_real_one(client, sent, stored):
    response = client.post("/auth/register", data={
        "email": "tz@example.com", "display_name": "Tz", "password": "violet-kettle-harbour",
        "confirm": "violet-kettle-harbour", "timezone": sent})
    assert response.status_code == 302
    user = db.session.scalars(select(User).where(User.email == "tz@example.com")).one()
    assert user.timezone == stored

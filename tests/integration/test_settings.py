import re

from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User


def test_settings_page_shows_current_values(client, auth):
    auth.register()
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="Ada"' in page and 'value="20"' in page
    assert '<option selected value="UTC">' in page or 'value="UTC" selected' in page


def test_settings_save_and_redirect(client, auth):
    auth.register()
    response = client.post("/settings", data={"display_name": "Ada L.", "daily_goal": "35",
                                              "timezone": "Europe/Berlin"})
    assert response.status_code == 302 and response.headers["Location"] == "/settings"
    user = db.session.scalars(select(User)).one()
    assert (user.display_name, user.daily_goal, user.timezone) == ("Ada L.", 35, "Europe/Berlin")
    assert "Settings saved." in client.get("/settings").get_data(as_text=True)


def test_bad_settings_rerender_and_change_nothing(client, auth):
    auth.register()
    response = client.post("/settings", data={"display_name": "Ada", "daily_goal": "0",
                                              "timezone": "Mars/Olympus"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Number must be between 1 and 200" in html and "Not a valid choice" in html
    user = db.session.scalars(select(User)).one()
    assert (user.daily_goal, user.timezone) == (20, "UTC")


def _autofocused(html: str) -> list[str]:
    """The ids of the form controls that carry ``autofocus``."""
    tags = re.findall(r"<(?:input|select|textarea)\b[^>]*>", html)
    return [re.search(r'\bid="([^"]+)"', tag).group(1) for tag in tags
            if re.search(r"\bautofocus\b", tag)]


def test_a_refused_password_change_keeps_the_stored_settings_and_focuses_its_error(client, auth):
    auth.register()
    client.post("/settings", data={"display_name": "Ada", "daily_goal": "20", "timezone": "UTC",
                                   "leaderboard_opt_in": "y"})
    response = client.post("/settings/password", data={
        "current": "correct-horse", "password": "brand-new-passphrase-9", "confirm": "other"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    # the settings form shows what is stored: saving it must not drop the opt-in
    assert re.search(r'<input[^>]*checked[^>]*id="leaderboard_opt_in"|'
                     r'<input[^>]*id="leaderboard_opt_in"[^>]*checked', html)
    assert set(_autofocused(html)) == {"confirm"}  # the one field with an error


def test_bad_settings_focus_the_first_field_with_an_error(client, auth):
    auth.register()
    html = client.post("/settings", data={"display_name": "", "daily_goal": "0",
                                          "timezone": "UTC"}).get_data(as_text=True)
    assert set(_autofocused(html)) == {"display_name"}
    assert not _autofocused(client.get("/settings").get_data(as_text=True))


def test_the_login_page_waits_in_the_password_once_the_email_is_known(client, auth):
    assert set(_autofocused(client.get("/auth/login").get_data(as_text=True))) == {"email"}
    auth.register(login=False)  # signing up fills in the email on the login page
    assert set(_autofocused(client.get("/auth/login").get_data(as_text=True))) == {"password"}
    wrong = auth.login(password="not-the-password").get_data(as_text=True)
    assert set(_autofocused(wrong)) == {"password"}


def test_a_display_name_must_show_something(client, auth):
    for invisible in ("\u200b", "\u200b\u200d \u2060", "\u00a0\t"):
        response = client.post("/auth/register", data={
            "email": "z@example.com", "display_name": invisible,
            "password": "violet-kettle-harbour", "confirm": "violet-kettle-harbour"})
        assert response.status_code == 400, repr(invisible)
    auth.register()
    response = client.post("/settings", data={"display_name": "\u200b", "daily_goal": "20",
                                              "timezone": "UTC", "theme": "system"})
    assert response.status_code == 400
    assert "Use at least one letter, digit or symbol." in response.get_data(as_text=True)
    for visible in ("Ada", "李", "🙂", "R2"):
        assert client.post("/settings", data={"display_name": visible, "daily_goal": "20",
                                              "timezone": "UTC",
                                              "theme": "system"}).status_code == 302

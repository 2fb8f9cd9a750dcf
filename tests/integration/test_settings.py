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

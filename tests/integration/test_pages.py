from types import SimpleNamespace

import pytest
from flask import render_template


def test_landing_page_for_visitors(client):
    html = client.get("/").get_data(as_text=True)
    assert "Get ready for your machine-learning engineer interviews" in html
    assert 'href="/auth/register"' in html


def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_static_assets_are_served_locally(client):
    for path in ("/static/vendor/katex/katex.min.js", "/static/vendor/katex/katex.min.css",
                 "/static/css/app.css", "/static/js/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html.split("<body")[0]  # nothing loaded from a CDN


def test_dashboard_explains_an_empty_bank(client, auth):
    auth.register()
    html = client.get("/").get_data(as_text=True)
    assert "The question bank is empty" in html


def test_dashboard_times_are_in_the_learners_zone(client, auth):
    from tests.integration.helpers import sync_test_bank

    sync_test_bank()
    auth.register()
    client.post("/settings", data={"display_name": "Ada", "daily_goal": "20",
                                   "timezone": "Asia/Tokyo"})
    client.post("/quiz/start")
    html = client.get("/").get_data(as_text=True)
    assert " JST" in html and " UTC</td>" not in html


@pytest.mark.parametrize(("body", "cues"), [
    ("Which of these reduce variance?", 1),
    ("Which of these reduce variance? Select all that apply.", 0),  # the text says it
])
def test_the_multi_select_cue_shows_once(app, body, cues):
    choice = SimpleNamespace(text="Bagging")
    with app.test_request_context():
        html = render_template(
            "widgets/mcq.html", widget=SimpleNamespace(input_type="checkbox", order=[0, 1]),
            question=SimpleNamespace(body_md=body), payload=SimpleNamespace(
                choices=[choice, choice]), given=None, error=None)
    assert html.count("Select all that apply.") == cues


def test_the_header_links_practise_for_a_learner(client, auth):
    assert b'href="/practice/"' not in client.get("/auth/login").data
    auth.register()
    assert b'<a href="/practice/">Practise</a>' in client.get("/settings").data


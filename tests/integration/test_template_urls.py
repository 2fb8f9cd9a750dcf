"""Templates' url_for: memoised static and navigation links stay correct."""

from __future__ import annotations

from flask import url_for

from quizapp import template_urls
from quizapp.template_urls import template_url_for


def test_memoised_links_match_url_for(app):
    template_urls._URLS.clear()
    with app.test_request_context("/"):
        for _ in range(2):  # built, then read from the cache
            assert template_url_for("static", filename="css/app.css") == url_for(
                "static", filename="css/app.css")
            assert template_url_for("main.index") == url_for("main.index")
        assert ("static", "css/app.css", "") in template_urls._URLS
        assert ("main.index", "", "") in template_urls._URLS
        assert ".css" in template_url_for("static", filename="css/app.css")


def test_links_follow_the_script_root_the_app_is_mounted_under(app):
    template_urls._URLS.clear()
    with app.test_request_context("/"):
        plain = template_url_for("main.settings")
    with app.test_request_context("/", base_url="http://localhost/quiz-prep/"):
        mounted = template_url_for("main.settings")
    assert mounted == "/quiz-prep" + plain


def test_links_with_arguments_are_built_each_time(app):
    template_urls._URLS.clear()
    with app.test_request_context("/"):
        first = template_url_for("quiz.question", quiz_id=3, position=1)
        second = template_url_for("quiz.question", quiz_id=4, position=2)
        external = template_url_for("main.index", _external=True)
    assert first != second and first.endswith("/3/q/1")
    assert external.startswith("http://")
    assert template_urls._URLS == {}


def test_the_cache_stays_bounded(app, monkeypatch):
    template_urls._URLS.clear()
    monkeypatch.setattr(template_urls, "CACHE_LIMIT", 3)
    for root in ("/a", "/b", "/c", "/d", "/e"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            assert template_url_for("main.index") == f"{root}/"
    assert len(template_urls._URLS) <= 3


def test_pages_render_their_links_through_the_cache(client):
    template_urls._URLS.clear()
    page = client.get("/auth/login").get_data(as_text=True)
    assert template_urls._URLS  # the layout's links went through it
    for url in template_urls._URLS.values():
        assert f'"{url}"' in page


def test_the_page_head_is_rendered_once_per_script_root(client):
    import re

    def stylesheets(page: str) -> list[str]:
        return re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)

    plain = stylesheets(client.get("/auth/login").get_data(as_text=True))
    again = stylesheets(client.get("/auth/register").get_data(as_text=True))
    mounted = stylesheets(client.get(
        "/auth/login", base_url="http://localhost/quiz-prep/").get_data(as_text=True))
    assert len(plain) == 5 and plain == again
    assert all(url.startswith("/static/") for url in plain)
    assert mounted == ["/quiz-prep" + url for url in plain]


def test_topic_links_are_memoised_per_slug(app):
    template_urls._URLS.clear()
    with app.test_request_context("/"):
        for slug in ("linear-algebra", "probability", "linear-algebra"):
            assert template_url_for("progress.topic", slug=slug) == url_for(
                "progress.topic", slug=slug)
    assert len(template_urls._URLS) == 2
    with app.test_request_context("/", base_url="http://localhost/mounted/"):
        assert template_url_for("progress.topic", slug="probability").startswith("/mounted/")


def test_links_with_integer_arguments_fill_a_pattern_that_matches_url_for(app):
    template_urls._PATTERNS.clear()
    for base in ("http://localhost/", "http://localhost/quiz-prep/"):
        with app.test_request_context("/", base_url=base):
            for quiz_id, position in ((3, 1), (12, 7), (2**31 - 1, 40), (1, 1)):
                assert template_url_for("quiz.question", quiz_id=quiz_id,
                                        position=position) == url_for(
                    "quiz.question", quiz_id=quiz_id, position=position)
            assert template_url_for("practice.abandon", quiz_id=5) == url_for(
                "practice.abandon", quiz_id=5)
    assert sorted(template_urls._PATTERNS.values()) == [
        "/practice/quiz/{quiz_id}/abandon", "/quiz-prep/practice/quiz/{quiz_id}/abandon",
        "/quiz-prep/quiz/{quiz_id}/q/{position}", "/quiz/{quiz_id}/q/{position}"]


def test_arguments_a_route_does_not_print_as_given_are_built_by_url_for():
    from flask import Flask

    other = Flask(__name__)
    other.add_url_rule("/padded/<int(fixed_digits=4):n>", "padded", lambda n: "")
    other.add_url_rule("/ratio/<float:x>", "ratio", lambda x: "")
    template_urls._PATTERNS.clear()
    with other.test_request_context("/"):
        assert template_url_for("padded", n=7) == "/padded/0007"
        assert template_url_for("padded", n=12345) == "/padded/12345"
        assert template_url_for("ratio", x=2) == url_for("ratio", x=2)
        assert template_url_for("padded", n=True) == url_for("padded", n=True)  # a bool
    assert set(template_urls._PATTERNS.values()) == {None}  # neither is patterned

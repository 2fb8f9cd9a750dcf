"""The security headers middleware: every response gets them, unless it set its own."""

from __future__ import annotations

from werkzeug.test import Client
from werkzeug.wrappers import Response

from quizapp.security_headers import CONTENT_SECURITY_POLICY
from quizapp.security_headers import SecurityHeaders


def _client(response: Response, https: bool = False) -> Client:
    return Client(SecurityHeaders(response, https=https))


def test_a_response_gets_every_header_it_lacks():
    headers = _client(Response("page")).get("/").headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in headers


def test_headers_the_response_set_are_kept_whatever_their_case():
    own = Response("file", headers={"cache-control": "max-age=60", "X-Frame-Options": "SAMEORIGIN"})
    headers = _client(own).get("/").headers
    assert headers.getlist("Cache-Control") == ["max-age=60"]
    assert headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_https_deployments_add_hsts():
    headers = _client(Response("page"), https=True).get("/").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_pages_and_static_files_of_the_app_carry_them(client):
    page = client.get("/auth/login")
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    url = next(u for u in page.get_data(as_text=True).split('"') if u.endswith(".css"))
    static = client.get(url)
    assert "immutable" in static.headers["Cache-Control"]  # WhiteNoise's own, kept
    assert static.headers["X-Frame-Options"] == "DENY"
    static.close()

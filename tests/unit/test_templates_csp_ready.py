"""Templates stay ready for a strict Content-Security-Policy: no inline code or styles."""

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "quizapp" / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_no_inline_scripts_styles_or_handlers(path):
    html = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert "<style" not in html
    assert not re.search(r"\sstyle\s*=", html), "style attribute"
    assert not re.search(r"\son[a-z]+\s*=", html), "on* handler"
    assert "javascript:" not in html


def test_every_post_form_carries_a_csrf_token():
    for path in TEMPLATES:
        html = path.read_text()
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S):
            assert "csrf_token" in form or "hidden_tag()" in form, path.name

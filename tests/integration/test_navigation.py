"""The main menu marks the section a page belongs to (aria-current), once."""

from __future__ import annotations

import re

import pytest

from tests.integration.helpers import sync_test_bank


@pytest.fixture
def learner(client, auth):
    sync_test_bank()
    auth.register()
    return client


def _current(html: str) -> list[str]:
    menu = html.split('<div class="nav-links">', 1)[1].split("</div>", 1)[0]
    return re.findall(r'<a href="[^"]+" aria-current="page">([^<]+)</a>', menu)


def test_each_page_marks_its_section(learner):
    quiz = learner.post("/quiz/start").headers["Location"]
    for path, section in [("/", "Dashboard"), ("/progress/topic/testing-basics", "Dashboard"),
                          ("/practice/", "Practise"), ("/practice/drill", "Practise"),
                          (quiz, "Practise"), ("/settings", "Settings")]:
        assert _current(learner.get(path).get_data(as_text=True)) == [section], path

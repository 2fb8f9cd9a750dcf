"""axe-core finds no serious or critical accessibility problems on any page."""

from __future__ import annotations

import re

import pytest

from tests.functional.test_browser import answer_current_question
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe(audited, scheme):
    page, audit, problems = audited
    page.emulate_media(color_scheme=scheme)
    page.goto("/")
    audit("landing")
    page.goto("/auth/login")
    audit("login")
    page.goto("/auth/register")
    page.click("input[type=submit]")
    page.wait_for_load_state()
    audit("register with errors")
    register(page)
    audit("dashboard")
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/q/1$"))
    for _ in range(5):
        kind = page.locator("article.question").get_attribute("data-question-type")
        audit(f"question {kind}")
        answer_current_question(page)
        audit(f"feedback {kind}")
        page.locator("body").press("Enter")
        page.wait_for_load_state()
    audit("summary")
    page.goto("/settings")
    audit("settings")
    assert not problems, "\n".join(problems)

"""axe-core finds no serious or critical accessibility problems on any page."""

from __future__ import annotations

import re

import pytest

from tests.functional.test_browser import answer_current_question
from tests.functional.test_browser import register

axe_module = pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.browser


@pytest.fixture
def audited(browser, live_server):
    """A page whose context may inject axe (CSP bypassed for the auditor only)."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    axe = axe_module.Axe()
    problems: list[str] = []

    def audit(label: str) -> None:
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{label}: {violation['id']} ({violation['impact']}): "
                                f"{violation['help']} {targets}")

    yield page, audit, problems
    context.close()


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

"""axe-core finds no serious or critical problems on the progress pages, light and dark."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from tests.functional.test_browser import register
from tests.functional.test_progress_browser import play_daily_review

pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.browser


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_progress_pages_pass_axe(audited, theme):
    page, audit, problems = audited
    page.emulate_media(color_scheme=theme)
    register(page)
    play_daily_review(page)
    page.goto("/settings")
    page.select_option("#theme", theme)
    page.fill("#interview_date", (date.today() + timedelta(days=60)).isoformat())
    page.click("#submit")
    page.wait_for_url("**/settings")
    audit("settings")
    for path in ("/", "/leaderboard", "/account/delete"):
        page.goto(path)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        audit(path)
    page.click("text=Dashboard")
    page.click(".mastery-grid a.topic-cell-title >> nth=0")
    page.wait_for_url("**/progress/topic/*")
    audit("topic page")
    page.click("table.table tbody a >> nth=0")
    page.wait_for_url("**/progress/question/*")
    audit("question history")
    assert not problems, "\n".join(problems)

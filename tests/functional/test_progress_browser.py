"""Progress pages in a real browser, at desktop and phone widths (and screenshots for docs).

Set SCREENSHOTS=1 to save what a learner sees to docs/screenshots/.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest

from tests.functional.test_browser import answer_current_question
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page, name: str) -> None:
    if os.environ.get("SCREENSHOTS"):
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def assert_chart_labels_readable(page) -> None:
    """Every axis label of every chart is at least 10 px on screen (the SVG scales its text
    with its width) and lies inside its chart's box."""
    labels = page.evaluate("""[...document.querySelectorAll('svg.chart-svg text.chart-label')]
        .filter(t => getComputedStyle(t).display !== 'none')
        .map(t => {
            const svg = t.ownerSVGElement, box = t.getBoundingClientRect(),
                  frame = svg.getBoundingClientRect();
            return [parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a,
                    box.left - frame.left, frame.right - box.right, t.textContent];
        })""")
    assert labels, "no chart labels"
    smallest = min(px for px, *_ in labels)
    assert smallest >= 10, f"chart labels render at {smallest:.1f} px"
    cut = [(text, round(min(left, right), 1)) for _, left, right, text in labels
           if min(left, right) < 0]
    assert not cut, f"labels cut off at the chart's edge (label, px): {cut}"
    overlapping = page.evaluate("""[...document.querySelectorAll('svg.chart-svg')].flatMap(svg => {
        const boxes = [...svg.querySelectorAll('text.chart-label:not([dominant-baseline])')]
            .filter(t => getComputedStyle(t).display !== 'none')
            .map(t => [t.getBoundingClientRect(), t.textContent]);
        return boxes.slice(1).filter(([box], i) => box.left < boxes[i][0].right)
            .map(([, text], i) => boxes[i][1] + ' / ' + text);
    })""")
    assert not overlapping, f"x-axis labels overlap: {overlapping}"


def play_daily_review(page) -> None:
    page.goto("/")
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/q/1$"))
    for _ in range(5):
        answer_current_question(page)
        page.locator("body").press("Enter")
        page.wait_for_load_state()


@pytest.mark.parametrize("size", SIZES)
def test_dashboard_topic_page_and_drill_from_the_map(page, size):
    page.set_viewport_size(SIZES[size])
    register(page)
    play_daily_review(page)
    page.goto("/")
    assert int(page.text_content("[data-testid=readiness-overall]")) > 0
    assert page.text_content("[data-testid=streak-current]") == "1"
    assert page.locator(".mastery-grid .topic-cell").count() == 2
    columns = page.evaluate("getComputedStyle(document.querySelector('.mastery-grid'))"
                            ".gridTemplateColumns.split(' ').length")
    assert columns >= 2  # topics side by side, on a phone too (one tall column before)
    assert page.locator("svg.chart-svg").count() == 3 and fits_width(page)
    assert_chart_labels_readable(page)
    shoot(page, f"dashboard-{size}")
    page.click(".mastery-grid a.topic-cell-title >> nth=0")
    page.wait_for_url(re.compile(r"/progress/topic/"))
    assert page.locator("table.table tbody tr").count() >= 2 and fits_width(page)
    assert_chart_labels_readable(page)  # the topic's skill chart
    shoot(page, f"topic-{size}")
    page.click("table.table tbody a >> nth=0")
    page.wait_for_url(re.compile(r"/progress/question/\d+$"))
    assert page.locator("[data-testid=attempts] tbody tr").count() == 1
    page.goto("/")
    page.click("[data-drill] >> nth=0")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    assert page.locator("article.question").count() == 1


@pytest.mark.parametrize("size", SIZES)
def test_settings_theme_plan_export_and_delete(page, size):
    page.set_viewport_size(SIZES[size])
    register(page, password="a-long-password")
    page.goto("/settings")
    page.fill("#interview_date", (date.today() + timedelta(days=60)).isoformat())
    page.select_option("#theme", "dark")
    page.check("#leaderboard_opt_in")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/settings$"))
    assert page.get_attribute("html", "data-theme") == "dark" and fits_width(page)
    shoot(page, f"settings-{size}")
    page.goto("/")
    assert "Start today" in page.text_content("[data-testid=plan-status]")  # no answers yet
    with page.expect_download() as download:
        page.goto("/settings")
        page.click("text=Export as JSON")
    data = json.loads(Path(download.value.path()).read_text())
    assert data["account"][0]["theme"] == "dark" and data["attempts"] == []
    page.goto("/leaderboard")
    assert page.locator("[data-testid=leaderboard] tbody tr").count() >= 1
    page.goto("/settings")
    page.click("text=Delete my account")
    page.fill("#password", "wrong-password-1")
    page.click("#submit")
    assert "That is not your password." in page.content()
    page.fill("#password", "a-long-password")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/$"))
    assert "all your data are deleted" in page.content()

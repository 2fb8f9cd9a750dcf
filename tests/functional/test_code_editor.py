"""The code editor (CodeMirror 6) on real `code` and `sql` question pages, in headless Chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

from quizapp.bank.loader import load_bank
from tests.functional.conftest import LiveServer
from tests.functional.conftest import serve_bank
from tests.functional.test_browser import register

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
SUBMIT = "form[data-answer-form] input[name=submit]"
# Collects CSP violations from the page's start (init scripts are not subject to the CSP).
WATCH_CSP = ("window.__csp = []; document.addEventListener('securitypolicyviolation',"
             " (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
CODE = {
    "id": "editor.code.double", "type": "code", "difficulty": 1,
    "body": "Write `double(x)` that returns twice `x`.",
    "explanation": "Multiply by two.",
    "starter": "def double(x):\n    raise NotImplementedError\n",
    "examples": [{"name": "two", "code": "assert double(2) == 4\n"}],
    "tests": [{"name": f"value {n}", "code": f"assert double({n}) == {2 * n}\n"}
              for n in (0, 5, -3)],
    "solution": "def double(x):\n    return 2 * x\n",
}
SQL = {
    "id": "editor.sql.names", "type": "sql", "difficulty": 1,
    "body": "List every name in `people`.",
    "explanation": "Select the column.",
    "schema": "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
    "seed": "INSERT INTO people VALUES (1, 'Ana'), (2, 'Bo');\n",
    "starter": "SELECT id FROM people;\n",
    "solution": "SELECT name FROM people;\n",
}


def write_bank(root: Path) -> Path:
    for topic, question in (("editor-code", CODE), ("editor-sql", SQL)):
        data = {"domain": "coding", "topic": topic, "title": topic.replace("-", " ").title(),
                "questions": [question]}
        path = root / "coding" / f"{topic}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, worker_id_safe) -> Iterator[LiveServer]:
    """A live server whose bank holds one `code` and one `sql` question."""
    bank = load_bank(write_bank(tmp_path_factory.mktemp("editor-bank")))
    assert bank.ok, [str(p) for p in bank.problems]
    with serve_bank(bank, tmp_path_factory, worker_id_safe, "_editor") as server:
        yield server


def open_question(page, kind: str) -> None:
    """Sign up, start a quiz and submit starters until a ``kind`` question shows."""
    page.add_init_script(WATCH_CSP)
    register(page)
    page.click("text=Start daily review")
    page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
    while page.locator("article.question").get_attribute("data-question-type") != kind:
        page.click(SUBMIT)
        page.wait_for_url(re.compile(r"/feedback$"))
        page.locator("body").press("Enter")
        page.wait_for_url(re.compile(r"/q/\d+$"))
    page.locator(".cm-editor .cm-content").wait_for()


def editor_text(page) -> str:
    return page.locator("textarea[data-code-editor]").input_value()


def posted_fields(request) -> dict[str, str]:
    """A POST's form fields (urlencoded or multipart), line breaks as the learner typed them."""
    kind = request.headers.get("content-type", "")
    if kind.startswith("multipart/form-data"):
        message = BytesParser().parsebytes(
            f"Content-Type: {kind}\r\n\r\n".encode() + request.post_data_buffer)
        fields = {part.get_param("name", header="content-disposition"):
                  part.get_payload(decode=True).decode() for part in message.get_payload()}
    else:
        fields = {k: v[-1] for k, v in parse_qs(request.post_data).items()}
    return {k: v.replace("\r\n", "\n") for k, v in fields.items()}


def assert_no_csp_violation(page) -> None:
    assert page.evaluate("window.__csp") == []


def test_editor_replaces_the_textarea_styled_highlighted_and_labelled(page):
    open_question(page, "code")
    textarea = page.locator("textarea[data-code-editor=python]")
    assert textarea.is_hidden()
    content = page.locator(".cm-content")
    assert content.inner_text().startswith("def double(x):")
    assert page.locator(".cm-content .tok-keyword", has_text="def").count() == 1
    assert page.locator(".cm-gutters .cm-gutterElement", has_text="2").count() == 1
    label = page.locator(f"#{content.get_attribute('aria-labelledby')}")
    assert label.get_attribute("for") == textarea.get_attribute("id")
    label.click()  # the label focuses the editor, as it focused the textarea
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    hint = page.locator(f"#{content.get_attribute('aria-describedby').split()[-1]}")
    assert hint.is_visible()
    for words in ("Esc then Tab", "Ctrl+Enter runs", "Ctrl+Shift+Enter submits"):
        assert words in hint.inner_text()
    # CodeMirror's own styles arrive as a constructed stylesheet, not a blocked <style>.
    assert page.evaluate("document.adoptedStyleSheets.length") >= 1
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.locator(".cm-editor").evaluate("e => getComputedStyle(e).display") == "flex"
    assert float(content.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 16
    assert_no_csp_violation(page)


def test_editor_follows_the_theme_chosen_in_settings(page):
    page.emulate_media(color_scheme="light")
    open_question(page, "code")
    keyword = page.locator(".cm-content .tok-keyword", has_text="def")
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(136, 57, 239)"
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    assert keyword.evaluate("e => getComputedStyle(e).color") == "rgb(198, 160, 246)"


def test_typing_tab_and_ctrl_enter_run_the_examples_with_the_typed_code(page):
    open_question(page, "code")
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type("def double(x):")
    page.keyboard.press("Enter")  # the editor indents the body
    page.keyboard.type("return 2 * x")
    typed = "def double(x):\n    return 2 * x"
    assert editor_text(page) == typed
    page.keyboard.press("Control+Home")
    page.keyboard.press("Tab")
    assert editor_text(page) == "    " + typed
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Shift+Tab")
    assert editor_text(page) == typed
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.keyboard.press("Control+Enter")
    assert posted.value.url.endswith("/run")
    assert posted_fields(posted.value)["code"] == typed
    status = page.locator("[data-example-results] [role=status]")
    status.wait_for()
    assert status.inner_text() == "1 of 1 example passed."
    assert editor_text(page) == typed  # the run happened in place; the code is still there
    assert_no_csp_violation(page)


def test_ctrl_shift_enter_submits_the_answer(page):
    open_question(page, "code")
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.type("def double(x):\n")
    page.keyboard.type("return x + x")
    with page.expect_request(lambda r: r.method == "POST") as posted:
        page.keyboard.press("Control+Shift+Enter")
    assert posted_fields(posted.value)["code"] == "def double(x):\n    return x + x"
    page.wait_for_url(re.compile(r"/feedback$"))
    assert_no_csp_violation(page)


def test_escape_then_tab_moves_focus_out_of_the_editor(page):
    open_question(page, "code")
    page.click(".cm-content")
    page.keyboard.press("Tab")  # Tab alone indents and keeps focus
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("!document.activeElement.closest('.cm-editor')")
    assert page.evaluate("document.activeElement.tagName") in ("BUTTON", "INPUT", "A", "SUMMARY")


def test_sql_question_gets_sql_highlighting(page):
    open_question(page, "sql")
    assert page.locator("textarea[data-code-editor=sql]").is_hidden()
    assert page.locator(".cm-content .tok-keyword", has_text="SELECT").count() == 1
    assert_no_csp_violation(page)


def test_phone_viewport_has_no_horizontal_scroll_and_accepts_touch(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        open_question(page, "code")
        page.locator(".cm-content").tap()
        page.keyboard.press("Control+End")
        page.keyboard.type("\n# a long comment, much wider than a phone screen, on purpose ....")
        assert "much wider" in editor_text(page)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], width
        scroller = page.locator(".cm-scroller").evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert scroller[0] <= scroller[1], scroller  # long lines wrap on a phone
        font = page.locator(".cm-content").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert font >= 16  # smaller text makes iOS Safari zoom on focus
        assert_no_csp_violation(page)
    finally:
        context.close()
    assert not errors, errors


def test_without_javascript_the_plain_textarea_still_submits(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        register(page)
        page.click("text=Start daily review")
        page.wait_for_url(re.compile(r"/quiz/\d+/q/1$"))
        textarea = page.locator("textarea[data-code-editor]")
        assert textarea.is_visible() and page.locator(".cm-editor").count() == 0
        textarea.fill("SELECT name FROM people;" if "sql" in textarea.get_attribute(
            "data-code-editor") else CODE["solution"])
        page.click(SUBMIT)
        page.wait_for_url(re.compile(r"/feedback$"))
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_question_page_passes_axe(browser, live_server, scheme):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    try:
        open_question(page, "code")
        page.click(".cm-content")  # the focused editor: active line, cursor, bracket match
        page.keyboard.press("Control+End")
        page.keyboard.type("\nprint((1, 'a'))  # ok")
        page.keyboard.press("ArrowLeft")
        results = Axe().run(page).response["violations"]
    finally:
        context.close()
    serious = [f"{v['id']} ({v['impact']}): {v['help']} {[n['target'] for n in v['nodes']][:3]}"
               for v in results if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(serious)


def submit_query(page, query: str) -> None:
    """Open the SQL question, replace the editor's text with ``query``, submit it."""
    open_question(page, "sql")
    page.click(".cm-content")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(query)
    page.click(SUBMIT)
    page.wait_for_url(re.compile(r"/feedback$"))


@pytest.mark.parametrize("width", [1280, 390])
def test_a_long_answer_stays_in_its_cell_on_the_question_history(page, width):
    """A long line of code once ran over the verdict and time columns (on a phone it pushed
    them off the screen)."""
    names = ", ".join(f"'person_number_{n}'" for n in range(30))
    submit_query(page, f"SELECT name FROM people WHERE name IN ({names})")  # noqa: S608
    page.goto("/progress/topic/editor-sql")
    page.click("table a[href^='/progress/question/']")
    page.set_viewport_size({"width": width, "height": 900})
    answer = page.locator("td.answer-cell pre").bounding_box()
    verdict = page.locator("td:has(.is-wrong)").bounding_box()
    assert answer["x"] + answer["width"] <= verdict["x"]
    assert verdict["x"] + verdict["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_wide_sql_result_scrolls_in_its_box_on_a_phone(page):
    """A result with many columns once widened the whole feedback page past a phone's
    screen, cutting off its last column."""
    page.set_viewport_size({"width": 390, "height": 844})
    columns = ", ".join(f"name AS column_number_{n}" for n in range(12))
    submit_query(page, f"SELECT {columns} FROM people")  # noqa: S608
    box = page.locator(".sql-compare > div").first
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")  # wider than the screen...
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

"""QuizFlask remembers which handlers are coroutines instead of asking on every request."""

import asyncio

from quizapp.app_class import QuizFlask


def test_plain_functions_are_returned_as_they_are_and_checked_once(monkeypatch):
    app = QuizFlask(__name__)
    checks: list[object] = []
    monkeypatch.setattr("flask.app.iscoroutinefunction",
                        lambda func: checks.append(func) or asyncio.iscoroutinefunction(func))

    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert checks == [view]


def test_coroutines_are_still_handed_to_async_to_sync(monkeypatch):
    app = QuizFlask(__name__)
    wrapped: list[object] = []
    monkeypatch.setattr(app, "async_to_sync", lambda func: wrapped.append(func) or "wrapper")

    async def view() -> str:
        return "ok"

    assert app.ensure_sync(view) == "wrapper" and app.ensure_sync(view) == "wrapper"
    assert wrapped == [view]

"""The Flask class quizapp runs on: Flask, minus work repeated on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from quizapp.templating import JINJA_OPTIONS
from quizapp.templating import QuizEnvironment


class QuizFlask(Flask):
    """Flask that decides once per handler whether it needs wrapping for ``async def``,
    and renders with ``templating.QuizEnvironment``.

    Flask asks ``inspect.iscoroutinefunction`` about every before/after/teardown handler
    and the view on each request: about twenty checks, some 4 % of a small page's CPU.
    The answer for a given function never changes, so it is remembered.
    """

    jinja_environment = QuizEnvironment
    jinja_options = {**Flask.jinja_options, **JINJA_OPTIONS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[Callable[..., Any], Callable[..., Any]] = {}

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        try:
            return self._synced[func]
        except KeyError:
            synced = self._synced[func] = super().ensure_sync(func)
            return synced
        except TypeError:  # an unhashable callable: ask every time
            return super().ensure_sync(func)

"""Fill the Markdown and question caches with the live bank before workers take traffic.

gunicorn loads the app once in the master (``preload_app``) and calls ``warm_render_cache``
there; the forked workers inherit the rendered HTML, so a question page never pays for a
first rendering (pygments and nh3 cost several milliseconds per question).
"""

from __future__ import annotations

import random
import time
from typing import Any

from flask import Flask

from quizapp.grading.registry import question_type
from quizapp.rendering import render_inline
from quizapp.rendering import render_markdown
from quizapp.services.quiz_view import remember_live_questions


def _payload_texts(kind_name: str, payload: Any) -> tuple[list[str], list[str]]:
    """(block texts, inline texts) the question and feedback templates render."""
    kind = question_type(kind_name)
    blocks: list[str] = []
    inline: list[str] = [kind.answer_md(payload)]
    for choice in getattr(payload, "choices", None) or []:
        inline.append(choice.text)
        if choice.why:
            blocks.append(choice.why)
    if model_answer := getattr(payload, "model_answer", None):
        blocks.append(model_answer)
    inline.extend(getattr(payload, "rubric", None) or [])
    blocks.append(inline[0])
    widget = kind.widget(payload, random.Random(0))
    if isinstance(widget, dict):  # a code question's examples, shown highlighted
        blocks.extend(example["fenced"] for example in widget.get("examples", ())
                      if "fenced" in example)
    return blocks, inline


def warm_render_cache(max_seconds: float = 30.0) -> int:
    """Snapshot the live questions for the question loop (``quiz_view``) and render each
    one's texts once from its snapshot; needs an app context; return the count rendered."""
    deadline = time.monotonic() + max_seconds
    done = 0
    for view in remember_live_questions():
        if time.monotonic() > deadline:
            break
        for text in (view.body_md, view.explanation_md, view.hint_md):
            if text:
                render_markdown(text)
        blocks: list[str] = []
        inline: list[str] = []
        if view.parsed is not None:  # else its type rejects it or is unknown: render on demand
            blocks, inline = _payload_texts(view.type, view.parsed)
        for text in blocks:
            render_markdown(text)
        for text in inline:
            render_inline(text)
        done += 1
    return done


def compile_templates(app: Flask) -> int:
    """Compile every HTML template once, so forked workers inherit them; return the count."""
    names = [name for name in app.jinja_env.list_templates() if name.endswith(".html")]
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)

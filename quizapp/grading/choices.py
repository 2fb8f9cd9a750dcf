"""Shared pieces of the choice-based types (mcq, multi_select)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from pydantic import Field

from quizapp.grading.base import Payload
from quizapp.grading.base import ResponseError


class Choice(Payload):
    text: str = Field(min_length=1)
    correct: bool = Field(default=False, strict=True)  # not "yes" or 1
    why: str | None = None


class ChoicePayload(Payload):
    choices: list[Choice] = Field(min_length=2, max_length=8)
    shuffle: bool = True

    @property
    def correct_indices(self) -> list[int]:
        return [i for i, c in enumerate(self.choices) if c.correct]


def option_order(payload: ChoicePayload, rng: random.Random) -> list[int]:
    """Return the display order of the choices (shuffled when the question allows it)."""
    order = list(range(len(payload.choices)))
    if payload.shuffle:
        rng.shuffle(order)
    return order


def picked_indices(payload: ChoicePayload, form: Mapping[str, Any]) -> list[int]:
    """Read the chosen option indices from the form, rejecting anything out of range."""
    raw = form.getlist("choice") if hasattr(form, "getlist") else form.get("choice", [])
    if isinstance(raw, str):
        raw = [raw]
    picked: set[int] = set()
    for value in raw:
        try:
            index = int(value)
        except (TypeError, ValueError):
            raise ResponseError(
                "That option does not exist; pick one of the listed options.") from None
        if not 0 <= index < len(payload.choices):
            raise ResponseError("That option does not exist; pick one of the listed options.")
        picked.add(index)
    return sorted(picked)


REMOVED_CHOICE_MD = "_(an option since removed from this question)_"


def choices_md(payload: ChoicePayload, indices: list[int]) -> str:
    """The options at ``indices`` as a Markdown list. An answer given before the question
    was edited may name an option the question no longer has: it is listed as removed."""
    choices = payload.choices
    return "\n".join(f"- {choices[i].text}" if 0 <= i < len(choices) else f"- {REMOVED_CHOICE_MD}"
                     for i in indices) or "_(nothing)_"

"""Progress preferences: interview date, targets, theme and leaderboard opt-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from quizapp.models import User

THEMES = ("system", "light", "dark")


@dataclass(frozen=True)
class Preferences:
    interview_date: date | None
    target_readiness: int
    target_retention: float
    theme: str
    leaderboard_opt_in: bool


def apply_preferences(user: User, preferences: Preferences) -> None:
    """Set the preferences on ``user``; ``accounts.update_settings`` commits them."""
    if preferences.theme not in THEMES:
        raise ValueError(f"unknown theme {preferences.theme!r}")
    if not 0.5 < preferences.target_retention < 1:
        raise ValueError("target retention must be between 0.5 and 1")
    user.interview_date = preferences.interview_date
    user.target_readiness = preferences.target_readiness
    user.target_retention = preferences.target_retention
    user.theme = preferences.theme
    user.leaderboard_opt_in = preferences.leaderboard_opt_in

"""Password rules after NIST SP 800-63B: length, not common, not about the account.

No composition rules (they do not help); instead zxcvbn estimates how many guesses an
attacker with lists of common passwords, words, names, keyboard patterns and the account's
own details would need. Below ``MIN_SCORE`` (fewer than about 10^6 guesses) the password
is refused with zxcvbn's own explanation.
"""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 256  # long passphrases welcome; the bound only keeps hashing cheap
MIN_SCORE = 2  # zxcvbn 0..4; 2 = "somewhat guessable": at least ~10^6 guesses
# zxcvbn judges the first characters only: a password whose start is hard to guess is at least
# as hard as that start. Its l33t matching tries every reading of characters such as 1 | 7 (
# { [ < @ $, so its time grows steeply with length: 72 crafted characters took 2-4 s of CPU
# per sign-up (found by fuzzing), random l33t strings worst 0.09 s at 24 characters, 0.16 s
# at 28 and 0.84 s at 32 (6 Dec 2026).
_ESTIMATED_PREFIX = 24
APP_WORDS = ("quizapp", "quiz", "interview", "machine learning")


def password_problem(password: str, context: Iterable[str] = ()) -> str | None:
    """Why ``password`` is not acceptable, or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    words = [*APP_WORDS, *_context_words(context)]
    result = zxcvbn(password[:_ESTIMATED_PREFIX], user_inputs=words)
    if result["score"] >= MIN_SCORE:
        return None
    feedback = result["feedback"]
    reason = feedback.get("warning") or "It would be guessed quickly."
    advice = " ".join(feedback.get("suggestions") or ["Add another word or two."])
    return f"This password is too easy to guess. {reason} {advice}".strip()


def _context_words(context: Iterable[str]) -> list[str]:
    """The account's email (whole, local part, name parts, domain labels) and display name,
    lowercased."""
    words: list[str] = []
    for item in context:
        item = (item or "").strip().lower()
        if not item:
            continue
        words.append(item)
        local, _, domain = item.partition("@")
        words.append(local)
        words += [label for label in domain.split(".")[:-1] if len(label) >= 3]  # not the TLD
        words += [part for part in local.replace("_", ".").replace("-", ".").split(".")
                  if len(part) >= 3]
        words += [part for part in item.split() if len(part) >= 3]
    return words

"""Every route, sent malformed paths, query strings and form fields by a logged-in learner
with a quiz open: never a server error, and the account still works afterwards.

The field names are every name the app's forms read; the values are the edge cases that
have broken parsers elsewhere (numbers beyond float range, NaN, NUL, long and unpaired
Unicode, repeated fields). The requests are drawn with a fixed seed, so a failure names a
request that can be replayed.
"""

from __future__ import annotations

import random
import re
from urllib.parse import quote
from urllib.parse import urlencode

import pytest

from tests.integration.helpers import sync_test_bank

VALUES = [
    "", " ", "0", "-1", "1.5", "1e309", "-1e309", "nan", "inf", "9" * 40, "2147483648",
    "\x00", "a\x00b", "\ud800", "é" * 3000, "<script>x</script>", "' OR 1=1 --", "%00",
    "[]", "{}", "y", "1", "2", "3", "abc", "../../etc/passwd", "\r\nSet-Cookie: x=1",
]
FIELDS = [
    "choice", "answer", "code", "key", "version", "hints_used", "shown", "extra", "size",
    "topic", "score", "self_grade", "next", "q", "page", "email", "display_name",
    "daily_goal", "timezone", "focus", "interview_date", "target_readiness",
    "target_retention", "theme", "mode", "sql", "confidence", "password", "confirm",
    "current_password", "new_password", "remember", "goal",
]
QUERY_NAMES = ["page", "topic", "next", "q", "size", "day", "mode", "sort"]
PATH_IDS = ["1", "2", "3", "2147483647"]
PATH_WORDS = ["x", "some-topic", "%00", "é" * 50, "a" * 300]
NOT_SWEPT = {"/static/<path:filename>", "/account/delete", "/auth/logout",
             "/settings/logout-everywhere", "/settings/password"}


def _path(rule, rng: random.Random) -> str:
    """The rule's path with each variable part replaced by an edge-case value."""

    def part(match: re.Match[str]) -> str:
        converter, _, _name = match.group(1).rpartition(":")
        if converter == "id":
            return rng.choice(PATH_IDS)
        if converter.startswith("any("):
            choices = [c.strip() for c in converter[4:-1].split(",")]
            return rng.choice([*choices, "nope"])
        return rng.choice(PATH_WORDS)

    return re.sub(r"<([^>]+)>", part, rule.rule)


def _raw(value: str) -> bytes:
    """The value's bytes as a client could send them (an unpaired surrogate as the invalid
    UTF-8 it encodes to)."""
    return value.encode("utf-8", "surrogatepass")


def _form(rng: random.Random) -> list[tuple[str, bytes]]:
    return [(name, _raw(rng.choice(VALUES)))
            for name in rng.sample(FIELDS, k=rng.randint(0, 8))
            for _ in range(rng.randint(1, 3))]


def _query(rng: random.Random) -> str:
    names = rng.sample(QUERY_NAMES, k=rng.randint(0, 3))
    pairs = "&".join(f"{name}={quote(_raw(rng.choice(VALUES[:14])))}" for name in names)
    return f"?{pairs}" if pairs else ""


@pytest.mark.parametrize("seed", range(4))
def test_no_route_answers_malformed_input_with_a_server_error(app, client, auth, seed):
    sync_test_bank()
    auth.register()
    start = client.post("/quiz/start", data={"extra": "y"})
    assert start.status_code == 302
    rng = random.Random(seed)
    rules = sorted((r for r in app.url_map.iter_rules() if r.rule not in NOT_SWEPT),
                   key=lambda r: r.rule)
    failures = []
    for _ in range(150):
        rule = rng.choice(rules)
        method = rng.choice(sorted(m for m in rule.methods if m in ("GET", "POST")))
        path = _path(rule, rng) + _query(rng)
        form = _form(rng) if method == "POST" else []
        response = client.open(path, method=method, data=urlencode(form) if form else None,
                               content_type="application/x-www-form-urlencoded")
        if response.status_code >= 500:
            failures.append((method, path, form, response.status_code))
    assert failures == []
    assert client.get("/").status_code == 200  # still logged in, the dashboard renders


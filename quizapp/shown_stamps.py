"""When a question page was shown, carried by its answer form (signed), to time the answer.

A question page writes nothing: the moment it is rendered goes into the answer form as a
stamp, signed with the app's key and bound to the learner and the quiz item, and the
answer's duration is counted from it. A stamp that does not verify (edited, made for another
item or learner, or signed with a key since replaced) times nothing: the answer is graded
as usual and counted as taking the question's expected time.

Showing a page again (a reload, a re-render after an invalid answer keeps the stamp it was
sent) gives a new stamp: an answer is timed from the last time its page was loaded.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
from datetime import UTC
from datetime import datetime

from itsdangerous import Signer

SALT = "quizapp.question-shown"
# "<milliseconds since the epoch>.<signature>"
STAMP = re.compile(r"^(\d{1,15})\.([A-Za-z0-9_-]{16,128})\Z")


@functools.lru_cache(maxsize=4)
def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=SALT, digest_method=hashlib.sha256)


@functools.lru_cache(maxsize=4)
def _key(secret_key: str) -> bytes:
    """The HMAC key ``_signer`` derives from the app's key on every call (itsdangerous's
    "django-concat": two hashes and a key object per stamp), derived once."""
    return _signer(secret_key).derive_key()


def _signature(secret_key: str, value: str) -> str:
    """``_signer(secret_key).get_signature(value)``, byte for byte, in one C call: the same
    HMAC-SHA256 of the value under the derived key, URL-safe base64 without padding."""
    digest = hmac.digest(_key(secret_key), value.encode("ascii"), "sha256")
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _signed_value(user_id: int, item_id: int, millis: int) -> str:
    return f"{user_id}.{item_id}.{millis}"


def stamp(secret_key: str, user_id: int, item_id: int, now: datetime) -> str:
    """The stamp for ``user_id``'s page of quiz item ``item_id`` shown at ``now``."""
    millis = int(now.timestamp() * 1000)
    return f"{millis}.{_signature(secret_key, _signed_value(user_id, item_id, millis))}"


def shown_at(secret_key: str, value: str | None, user_id: int, item_id: int) -> datetime | None:
    """When the page the stamp ``value`` came from was shown; None unless it verifies for
    this learner and item."""
    match = STAMP.match(value or "")
    if match is None:
        return None
    millis = int(match.group(1))
    expected = _signature(secret_key, _signed_value(user_id, item_id, millis))
    if not hmac.compare_digest(expected, match.group(2)):
        return None
    try:
        return datetime.fromtimestamp(millis / 1000, UTC)
    except (OverflowError, OSError, ValueError):  # past year 9999: no page was shown then
        return None

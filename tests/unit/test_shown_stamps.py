from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from quizapp import shown_stamps

KEY = "a-secret-key-for-stamps"
SHOWN = datetime(2026, 12, 5, 9, 30, 15, 250_000, tzinfo=UTC)


def test_a_stamp_gives_back_when_its_page_was_shown_to_the_millisecond():
    stamp = shown_stamps.stamp(KEY, 7, 42, SHOWN)
    assert shown_stamps.shown_at(KEY, stamp, 7, 42) == SHOWN


@pytest.mark.parametrize(("key", "user_id", "item_id"), [
    ("another-secret-key", 7, 42), (KEY, 8, 42), (KEY, 7, 43)])
def test_a_stamp_verifies_only_for_its_key_learner_and_item(key, user_id, item_id):
    assert shown_stamps.shown_at(key, shown_stamps.stamp(KEY, 7, 42, SHOWN),
                                 user_id, item_id) is None


def test_an_edited_time_or_signature_does_not_verify():
    millis, signature = shown_stamps.stamp(KEY, 7, 42, SHOWN).split(".")
    earlier = int((SHOWN - timedelta(minutes=5)).timestamp() * 1000)
    assert shown_stamps.shown_at(KEY, f"{earlier}.{signature}", 7, 42) is None
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert shown_stamps.shown_at(KEY, f"{millis}.{flipped}", 7, 42) is None


@pytest.mark.parametrize("value", [None, "", "123", "abc.def", "1.2.3", "9" * 40 + ".x" * 9,
                                   "12.<script>alert(1)</script>", "12." + "A" * 400])
def test_malformed_stamps_time_nothing(value):
    assert shown_stamps.shown_at(KEY, value, 7, 42) is None


def test_a_signed_stamp_beyond_the_calendar_times_nothing():
    # only the key's holder can sign one; it must still not crash the answer
    millis = 10**15 - 1  # the longest the pattern takes: past the year 9999
    signature = shown_stamps._signer(KEY).get_signature(f"7.9.{millis}").decode()
    assert shown_stamps.shown_at(KEY, f"{millis}.{signature}", 7, 9) is None


@pytest.mark.parametrize("key", [KEY, "ключ-with-unicode", "k"])
def test_stamps_are_itsdangerous_signatures_so_pages_shown_before_a_deploy_still_verify(key):
    """The one-call HMAC gives the same signature as itsdangerous's Signer, both ways."""
    millis = int(SHOWN.timestamp() * 1000)
    signature = shown_stamps._signer(key).get_signature(f"7.42.{millis}").decode()
    assert shown_stamps.stamp(key, 7, 42, SHOWN) == f"{millis}.{signature}"
    assert shown_stamps.shown_at(key, f"{millis}.{signature}", 7, 42) == SHOWN
    assert shown_stamps._signer(key).verify_signature(
        f"7.42.{millis}", shown_stamps.stamp(key, 7, 42, SHOWN).split(".")[1])

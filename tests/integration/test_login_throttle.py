"""Guessing one account is slowed to seconds per guess, and its owner is never locked out."""

import time

import pytest

from quizapp.extensions import limiter
from tests.conftest import AuthActions

ATTACKERS = [f"203.0.113.{i}" for i in range(1, 7)]


@pytest.fixture
def throttled(app, client, auth):
    """Production-like login limits with a short back-off cap (2 s) and empty counters."""
    saved = {k: app.config[k] for k in ("LOGIN_BACKOFF_FREE_FAILURES",
                                         "LOGIN_BACKOFF_MAX_SECONDS",
                                         "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT")}
    app.config.update(LOGIN_BACKOFF_FREE_FAILURES=5, LOGIN_BACKOFF_MAX_SECONDS=2,
                      LOGIN_ACCOUNT_CLIENT_RATE_LIMIT="5 per minute;20 per hour")
    limiter.reset()
    auth.register(login=False)
    try:
        yield
    finally:
        limiter.reset()
        app.config.update(saved)


def attack(app, attempts_per_address: int = 5) -> list[int]:
    codes = []
    for address in ATTACKERS:
        attacker = AuthActions(app.test_client())
        codes += [attacker.login(password=f"guess-{n}", REMOTE_ADDR=address).status_code
                  for n in range(attempts_per_address)]
    return codes


def test_an_attack_on_one_account_is_slowed_to_seconds(app, throttled):
    codes = attack(app)
    assert codes[:5] == [400] * 5  # the free failures
    assert codes.count(429) >= 15  # then the account backs off for every address
    blocked = AuthActions(app.test_client()).login(password="guess-x", REMOTE_ADDR="198.51.100.9")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 2
    assert b"Try again in" in blocked.data


def test_the_owner_on_a_known_device_logs_in_during_the_attack(app, throttled):
    owner = app.test_client()
    AuthActions(owner).login(REMOTE_ADDR="192.0.2.10")  # earlier, from the owner's browser
    owner.post("/auth/logout")
    attack(app)
    response = AuthActions(owner).login(REMOTE_ADDR="192.0.2.77")  # travelling: new address
    assert response.status_code == 302
    assert b"Hello, Ada" in owner.get("/").data


def test_the_owner_on_a_new_device_waits_seconds_not_an_hour(app, throttled):
    attack(app)
    fresh = AuthActions(app.test_client())
    first = fresh.login(REMOTE_ADDR="192.0.2.50")
    assert first.status_code == 429
    time.sleep(int(first.headers["Retry-After"]) + 0.1)
    assert fresh.login(REMOTE_ADDR="192.0.2.50").status_code == 302


def test_unknown_and_known_emails_back_off_alike(app, throttled):
    codes = {}
    for email in ("ada@example.com", "nobody@example.com"):
        client = AuthActions(app.test_client())
        codes[email] = [client.login(email=email, password=f"guess-{n}",
                                     REMOTE_ADDR=f"198.51.100.{n}").status_code
                        for n in range(7)]
    assert codes["ada@example.com"] == codes["nobody@example.com"]
    assert codes["ada@example.com"][:5] == [400] * 5 and 429 in codes["ada@example.com"]


def test_one_client_is_limited_per_account(app, throttled):
    app.config["LOGIN_BACKOFF_FREE_FAILURES"] = 1000  # isolate the per-(account, client) limit
    client = AuthActions(app.test_client())
    codes = [client.login(password="wrong-pass", REMOTE_ADDR="198.51.100.1").status_code
             for _ in range(6)]
    assert codes == [400] * 5 + [429]
    other_account = client.login(email="lin@example.com", password="wrong-pass",
                                 REMOTE_ADDR="198.51.100.1")
    assert other_account.status_code == 400


def test_a_forged_device_cookie_is_ignored(app, throttled):
    attack(app)
    forger = app.test_client()
    forger.set_cookie("quizapp_device", '["00000000"].forged', path="/auth/")
    assert AuthActions(forger).login(REMOTE_ADDR="192.0.2.60").status_code == 429


def _logged_in(app):
    holder = app.test_client()  # whoever holds the session: the owner, or a stolen cookie
    assert AuthActions(holder).login(REMOTE_ADDR="192.0.2.20").status_code == 302
    return holder


def test_guessing_the_password_from_a_logged_in_session_backs_off_too(app, throttled):
    """Changing the password asks for the current one: no faster guessing there."""
    holder = _logged_in(app)
    form = {"password": "brand-new-passphrase-9", "confirm": "brand-new-passphrase-9"}
    codes = [holder.post("/settings/password", data={**form, "current": f"guess-{n}"}
                         ).status_code for n in range(7)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]
    right = holder.post("/settings/password", data={**form, "current": "correct-horse"})
    assert right.status_code == 429 and 1 <= int(right.headers["Retry-After"]) <= 2
    assert b"Try again in" in right.data
    time.sleep(int(right.headers["Retry-After"]) + 0.1)
    # the refused request changed nothing; now the right password goes through
    assert holder.post("/settings/password", data={**form, "current": "correct-horse"}
                       ).status_code == 302
    assert AuthActions(app.test_client()).login(
        password="brand-new-passphrase-9", REMOTE_ADDR="192.0.2.21").status_code == 302


def test_guesses_at_account_deletion_count_with_the_login_page_s(app, throttled):
    holder = _logged_in(app)
    codes = [holder.post("/account/delete", data={"password": f"guess-{n}"}).status_code
             for n in range(6)]
    assert codes == [400] * 5 + [429]
    assert holder.post("/account/delete", data={"password": "correct-horse"}).status_code == 429
    stranger = AuthActions(app.test_client()).login(REMOTE_ADDR="198.51.100.30")
    assert stranger.status_code == 429  # the same account's back-off
    assert b"Hello, Ada" in holder.get("/").data  # nothing was deleted


def test_a_device_trusted_before_a_password_change_is_trusted_no_more(app, throttled):
    """Whoever logged in once (a former partner, a shared computer) keeps the device cookie:
    after the owner changes the password it exempts them from nothing."""
    former = app.test_client()
    assert AuthActions(former).login(REMOTE_ADDR="192.0.2.30").status_code == 302
    former.post("/auth/logout")
    owner = _logged_in(app)
    assert owner.post("/settings/password", data={
        "current": "correct-horse", "password": "brand-new-passphrase-9",
        "confirm": "brand-new-passphrase-9"}).status_code == 302
    codes = [AuthActions(former).login(password=f"guess-{n}",
                                       REMOTE_ADDR=f"198.51.100.{40 + n}").status_code
             for n in range(7)]
    assert codes[:5] == [400] * 5 and codes[5:] == [429, 429]  # as a stranger's
    # the owner's own browser, trusted under the new password, is not held up
    owner.post("/auth/logout")
    assert AuthActions(owner).login(password="brand-new-passphrase-9",
                                    REMOTE_ADDR="192.0.2.31").status_code == 302


def test_a_trusted_device_loses_its_trust_after_its_own_wrong_passwords(app, throttled):
    """A stolen device cookie guesses at most the free failures before it is throttled;
    the owner's right password on it restores the trust."""
    device = app.test_client()
    assert AuthActions(device).login(REMOTE_ADDR="192.0.2.40").status_code == 302
    device.post("/auth/logout")
    codes = [AuthActions(device).login(password=f"guess-{n}",
                                       REMOTE_ADDR=f"198.51.100.{60 + n}").status_code
             for n in range(12)]
    assert codes[:10] == [400] * 10  # its own free failures, then the account's
    assert codes[10:] == [429, 429]
    other = AuthActions(app.test_client()).login(REMOTE_ADDR="198.51.100.99")
    assert other.status_code == 429  # its later guesses count for the account
    time.sleep(2.1)  # the back-off cap
    assert AuthActions(device).login(REMOTE_ADDR="192.0.2.40").status_code == 302
    device.post("/auth/logout")
    attack(app)
    assert AuthActions(device).login(REMOTE_ADDR="192.0.2.41").status_code == 302


def test_a_device_cookie_of_the_earlier_format_trusts_nothing(app, throttled):
    from itsdangerous import URLSafeSerializer

    from quizapp.login_throttle import account_key

    attack(app)
    old = app.test_client()
    signed = URLSafeSerializer(app.config["SECRET_KEY"], salt="device-cookie").dumps(
        [account_key("ada@example.com")])
    old.set_cookie("quizapp_device", signed, path="/auth/")
    assert AuthActions(old).login(REMOTE_ADDR="192.0.2.61").status_code == 429

"""The password rules (password_policy): what zxcvbn is asked to judge."""

from __future__ import annotations

from quizapp import password_policy
from quizapp.password_policy import password_problem

L33T = "65%4|0{05<1@+!$5<01+!1!455%%97%432[5$[856@88474636(%[!18[[60[62179++(41|" * 3


def test_zxcvbn_judges_a_bounded_prefix_whatever_the_length(monkeypatch):
    """Its l33t matching grows steeply with length (seconds for 72 crafted characters)."""
    judged: list[str] = []
    real = password_policy.zxcvbn

    def recording(password, user_inputs=None):
        judged.append(password)
        return real(password, user_inputs=user_inputs)

    monkeypatch.setattr(password_policy, "zxcvbn", recording)
    assert password_problem(L33T[:256]) is None
    assert judged == [L33T[:24]]


def test_a_long_password_with_a_weak_start_is_refused():
    problem = password_problem("a" * 30 + "-tail-K7#q9!")
    assert problem is not None and "too easy to guess" in problem


def test_a_passphrase_is_judged_by_its_words():
    assert password_problem("plum tractor evening violin keeps") is None
    assert password_problem("passwordpassword") is not None


def test_the_email_s_domain_counts_as_the_account_s_own_words():
    assert password_problem("example2024") is None  # a stranger's would pass...
    problem = password_problem("example2024", ["ada@example.org", "Ada"])
    assert problem is not None and "too easy to guess" in problem  # ...the account's not
    assert "org" not in password_policy._context_words(["ada@example.org"])  # TLDs: no

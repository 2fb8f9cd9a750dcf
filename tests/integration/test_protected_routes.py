import pytest


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/settings"),
        ("post", "/settings"),
        ("post", "/quiz/start"),
        ("get", "/quiz/1"),
        ("get", "/quiz/1/q/1"),
        ("post", "/quiz/1/q/1"),
        ("get", "/quiz/1/q/1/feedback"),
        ("post", "/quiz/1/q/1/run"),
        ("get", "/quiz/1/summary"),
        ("post", "/auth/logout"),
        ("post", "/settings/password"),
        ("get", "/settings/password"),
        ("post", "/settings/logout-everywhere"),
        ("get", "/settings/logout-everywhere"),
        ("post", "/settings/daily-goal"),
        ("get", "/practice/"),
        ("post", "/practice/start/weak"),
        ("get", "/practice/drill"),
        ("post", "/practice/drill"),
        ("post", "/practice/quiz/1/abandon"),
        ("get", "/practice/quiz/1/report"),
        ("get", "/progress/topic/some-topic"),
        ("get", "/progress/question/1"),
        ("get", "/leaderboard"),
        ("post", "/leaderboard/join"),
        ("post", "/leaderboard/leave"),
        ("get", "/account/export.json"),
        ("get", "/account/export.zip"),
        ("get", "/account/delete"),
        ("post", "/account/delete"),
    ],
)
def test_login_required(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


def test_every_non_public_rule_is_covered(app):
    public = {"/", "/healthz", "/auth/login", "/auth/register", "/auth/reset/<token>",
              "/static/<path:filename>"}
    covered = {"/settings", "/quiz/start", "/quiz/<id:quiz_id>",
               "/quiz/<id:quiz_id>/q/<id:position>",
               "/quiz/<id:quiz_id>/q/<id:position>/feedback", "/quiz/<id:quiz_id>/summary",
               "/quiz/<id:quiz_id>/q/<id:position>/run",
               "/auth/logout", "/settings/password", "/settings/logout-everywhere",
               "/settings/daily-goal",
               "/practice/", "/practice/start/<any(daily, weak, replay, mock):mode>",
               "/practice/drill", "/practice/quiz/<id:quiz_id>/abandon",
               "/practice/quiz/<id:quiz_id>/report",
               "/progress/topic/<slug>", "/progress/question/<id:question_id>",
               "/leaderboard", "/leaderboard/<any(join, leave):action>",
               "/account/export.<any(json, zip):fmt>", "/account/delete"}
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules - public == covered

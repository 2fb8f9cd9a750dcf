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
        ("get", "/quiz/1/summary"),
        ("post", "/auth/logout"),
        ("post", "/settings/password"),
        ("post", "/settings/logout-everywhere"),
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
               "/auth/logout", "/settings/password", "/settings/logout-everywhere"}
    rules = {rule.rule for rule in app.url_map.iter_rules()}
    assert rules - public == covered

def test_landing_page_for_visitors(client):
    html = client.get("/").get_data(as_text=True)
    assert "Get ready for your machine-learning engineer interviews" in html
    assert 'href="/auth/register"' in html


def test_not_found_page_is_friendly(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_static_assets_are_served_locally(client):
    for path in ("/static/vendor/katex/katex.min.js", "/static/vendor/katex/katex.min.css",
                 "/static/css/app.css", "/static/js/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        response.close()
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html.split("<body")[0]  # nothing loaded from a CDN


def test_dashboard_explains_an_empty_bank(client, auth):
    auth.register()
    html = client.get("/").get_data(as_text=True)
    assert "The question bank is empty" in html


def test_dashboard_times_are_in_the_learners_zone(client, auth):
    from tests.integration.helpers import sync_test_bank

    sync_test_bank()
    auth.register()
    client.post("/settings", data={"display_name": "Ada", "daily_goal": "20",
                                   "timezone": "Asia/Tokyo"})
    client.post("/quiz/start")
    html = client.get("/").get_data(as_text=True)
    assert " JST" in html and " UTC</td>" not in html

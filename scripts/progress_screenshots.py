"""Screenshots of the progress pages for the docs (docs/screenshots/*.png).

Loads the real question bank into a temporary SQLite database, gives a learner six weeks of
seeded history (cards, skills, day summaries) and an interview date, serves the app and
photographs the dashboard (desktop light, phone dark) and a topic page with Debian's
Chromium.

    .venv/bin/python scripts/progress_screenshots.py
"""

from __future__ import annotations

import random
import sys
import tempfile
import threading
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from quizapp import create_app  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.core.clock import utcnow  # noqa: E402
from quizapp.extensions import db  # noqa: E402
from quizapp.models import Card  # noqa: E402
from quizapp.models import DailyActivity  # noqa: E402
from quizapp.models import Question  # noqa: E402
from quizapp.models import Topic  # noqa: E402
from quizapp.models import TopicDay  # noqa: E402
from quizapp.models import TopicSkill  # noqa: E402
from quizapp.services import accounts  # noqa: E402
from quizapp.services.bank_sync import sync_bank  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
EMAIL, PASSWORD = "sam@example.com", "a-long-password"


def seed(rng: random.Random) -> str:
    """A learner six weeks into practice; return the slug of their weakest topic."""
    now = utcnow()
    user = accounts.register_user(EMAIL, PASSWORD, "Sam", now - timedelta(days=45))
    user.interview_date = (now + timedelta(days=21)).date()
    questions = db.session.scalars(select(Question).where(Question.retired_at.is_(None))).all()
    topics = sorted({q.topic_id for q in questions})
    ability = {t: rng.uniform(1250, 1750) for t in topics}
    for q in rng.sample(questions, len(questions) * 2 // 5):
        stability = rng.uniform(1, 40) * (ability[q.topic_id] / 1500) ** 4
        last = now - timedelta(days=rng.uniform(0, min(stability, 20)))
        db.session.add(Card(user_id=user.id, question_id=q.id, state=2, step=None,
                            stability=stability, difficulty=5.0,
                            due=last + timedelta(days=stability), last_review=last,
                            reps=3, lapses=0, created_at=last))
    for t in topics[: len(topics) * 4 // 5]:
        db.session.add(TopicSkill(user_id=user.id, topic_id=t, rating=ability[t],
                                  deviation=rng.uniform(50, 120), volatility=0.06, n=20,
                                  updated_at=now))
    today = now.date()
    for back in range(42):
        if rng.random() < 0.2 and back > 3:
            continue
        day, answers = today - timedelta(days=back), rng.randint(12, 40)
        correct = int(answers * rng.uniform(0.55, 0.85))
        db.session.add(DailyActivity(user_id=user.id, day=day, answers=answers,
                                     correct=correct, new=answers // 3,
                                     duration_ms=answers * 45000))
        db.session.add(TopicDay(user_id=user.id, topic_id=topics[0], day=day, answers=4,
                                correct=3, duration_ms=180000,
                                rating=ability[topics[0]] - 200 + 5 * (42 - back),
                                deviation=max(60, 200 - 4 * (42 - back))))
    db.session.commit()
    return db.session.get(Topic, topics[0]).slug


def shoot(page, name: str, selector: str, height: int) -> None:
    """Save ``height`` pixels of the page from the top of ``selector`` (kept small)."""
    box = page.locator(selector).first.bounding_box()
    width = page.viewport_size["width"]
    page.screenshot(path=str(OUT / f"{name}.png"), full_page=True,
                    clip={"x": 0, "y": max(0, box["y"] - 16), "width": width,
                          "height": height})


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/shots.db",
                          "SECRET_KEY": "screenshots", "ENV_NAME": "development"})
        with app.app_context():
            db.create_all()
            sync_bank(load_bank(ROOT / "questions"), utcnow())
            slug = seed(random.Random(3))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--disable-gpu"])
            for name, size, scheme in (("desktop", (1280, 900), "light"),
                                       ("phone", (390, 844), "dark")):
                context = browser.new_context(base_url=base, color_scheme=scheme,
                                              viewport={"width": size[0], "height": size[1]})
                page = context.new_page()
                page.goto("/auth/login")
                page.fill("#email", EMAIL)
                page.fill("#password", PASSWORD)
                page.press("#password", "Enter")
                page.wait_for_url(f"{base}/")
                shoot(page, f"dashboard-{name}", "section.readiness-card", 1500)
                shoot(page, f"mastery-map-{name}", "section[aria-labelledby=map-title]", 1100)
                page.goto(f"/progress/topic/{slug}")
                shoot(page, f"topic-{name}", "main", 1300)
                page.goto("/settings")
                shoot(page, f"settings-{name}", "main", 1500)
                context.close()
            browser.close()
        server.shutdown()
    print(f"screenshots written to {OUT}")


if __name__ == "__main__":
    main()

"""The load benchmark's stack skeleton serves the same loop the load client drives."""

from __future__ import annotations

import html
import importlib.util
import sys
from pathlib import Path

import pytest

from benchmarks.loadkit.client import CONTINUE
from benchmarks.loadkit.client import FORM
from benchmarks.loadkit.client import answer_fields
from benchmarks.loadkit.client import csrf_of

SKELETON = Path(__file__).resolve().parents[2] / "benchmarks" / "loadkit" / "skeleton_app.py"


def _skeleton(store: str, folder: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SKELETON_DIR", str(folder))
    monkeypatch.setenv("SKELETON_STORE", store)
    spec = importlib.util.spec_from_file_location(f"skeleton_{store}", SKELETON)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # its annotations resolve there
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("store", ["orm", "raw"])
def test_a_learner_answers_and_goes_on(store, tmp_path, monkeypatch):
    skeleton = _skeleton(store, tmp_path, monkeypatch)
    web = skeleton.app.test_client()
    assert web.get("/quiz/q/1").status_code == 401  # the login check is real
    assert web.get("/login/3").status_code == 302
    token = csrf_of(web.get("/").get_data(as_text=True))
    assert web.post("/quiz/start", data={"extra": "y"}).status_code == 400  # no CSRF token
    path = web.post("/quiz/start", data={"csrf_token": token}).headers["Location"]
    for expected in (4, 5):
        assert path == f"/quiz/q/{expected}"
        page = web.get(path).get_data(as_text=True)
        assert FORM.search(page) and 4000 < len(page) < 6000  # about a quizapp page's size
        action, fields = answer_fields(page)
        reply = web.post(action, data=dict(fields))
        assert reply.status_code == 302
        feedback = web.get(reply.headers["Location"]).get_data(as_text=True)
        assert "Correct." in feedback  # answer_fields picks the first option, the right one
        path = html.unescape(CONTINUE.search(feedback).group(1))
    with skeleton.app.app_context():
        rows = skeleton.db.session.execute(skeleton.db.select(skeleton.Attempt)).scalars()
        assert [(a.user_id, a.question_id, a.correct) for a in rows] == [(3, 4, True),
                                                                         (3, 5, True)]
    web.get("/login/4")  # another learner cannot open the first one's feedback
    assert web.get("/quiz/a/1/feedback").status_code == 404

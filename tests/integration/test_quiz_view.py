"""The question loop's lean quiz view and its per-process question snapshots."""

from sqlalchemy import event

from quizapp.extensions import db
from quizapp.models import Quiz
from quizapp.services import quiz_view
from tests.integration.helpers import item_question
from tests.integration.test_quiz_flow import learner  # noqa: F401  (fixture)
from tests.integration.test_quiz_flow import start


def _statements(run) -> list[str]:
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def test_quiz_view_holds_the_items_in_order(learner):  # noqa: F811
    quiz_id = start(learner)
    user_id = db.session.get(Quiz, quiz_id).user_id
    view = quiz_view.load_quiz_view(user_id, quiz_id)
    assert view is not None and view.id == quiz_id and view.mode == "daily"
    assert [i.position for i in view.items] == list(range(1, len(view.items) + 1))
    assert quiz_view.load_quiz_view(user_id + 1, quiz_id) is None  # not another learner's


def test_a_shown_question_page_reads_no_question_row(learner):  # noqa: F811
    quiz_id = start(learner)
    learner.get(f"/quiz/{quiz_id}/q/1")  # first view: loads the snapshot
    statements = _statements(lambda: learner.get(f"/quiz/{quiz_id}/q/1"))
    assert not [s for s in statements if s.lstrip().upper().startswith("SELECT QUESTION.")]
    assert len(statements) <= 4  # BEGIN, login, quiz with items, (nothing else to write)


def test_an_edited_question_is_shown_fresh_not_from_the_snapshot(learner):  # noqa: F811
    quiz_id = start(learner)
    before = learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)
    question = item_question(quiz_id, 1)
    assert "A freshly edited body." not in before
    question.version += 1
    question.content_hash = "0" * 64
    question.body_md = "A freshly edited body."
    db.session.commit()
    assert "A freshly edited body." in learner.get(f"/quiz/{quiz_id}/q/1").get_data(as_text=True)


def test_warm_up_snapshots_every_live_question_so_no_page_loads_one(learner, monkeypatch):  # noqa: F811
    from quizapp.models import Question
    from quizapp.services.warmup import warm_render_cache

    monkeypatch.setattr(quiz_view, "_QUESTIONS", {})
    warm_render_cache()
    live = db.session.query(Question).filter(Question.retired_at.is_(None)).count()
    assert len(quiz_view._QUESTIONS) == live > 0
    assert all(view.parsed is not None for view in quiz_view._QUESTIONS.values())
    quiz_id = start(learner)
    statements = _statements(lambda: learner.get(f"/quiz/{quiz_id}/q/1"))  # the first view
    assert not [s for s in statements if "FROM questions" in s and "JOIN" not in s]


def test_a_snapshot_validates_its_payload_once(learner, monkeypatch):  # noqa: F811
    from quizapp.grading.registry import question_type

    quiz_id = start(learner)
    question = item_question(quiz_id, 1)
    view = quiz_view.QuestionView.of(question)
    kind = type(question_type(question.type))
    calls: list[object] = []
    real_load = kind.load
    monkeypatch.setattr(kind, "load",
                        lambda self, data: calls.append(data) or real_load(self, data))
    assert quiz_view.parsed_payload(view) is view.parsed
    assert calls == []  # no validation on use
    assert quiz_view.parsed_payload(question) == view.parsed  # an ORM row is validated
    assert len(calls) == 1


def test_the_view_s_datetimes_are_aware_utc_like_the_orm_s(learner):  # noqa: F811
    from datetime import UTC

    quiz_id = start(learner)
    learner.get(f"/quiz/{quiz_id}/q/1")
    quiz = db.session.get(Quiz, quiz_id)
    view = quiz_view.load_quiz_view(quiz.user_id, quiz_id)
    assert view.created_at == quiz.created_at and view.created_at.tzinfo == UTC
    assert view.finished_at is None and view.deadline is None


def _agrees_with_the_full_view(user_id: int, quiz_id: int) -> None:
    full = quiz_view.load_quiz_view(user_id, quiz_id)
    positions = [i.position for i in full.items]
    for position in [*positions, max(positions) + 1]:
        page = quiz_view.load_quiz_page(user_id, quiz_id, position)
        assert (page.id, page.mode, page.created_at, page.finished_at) == (
            full.id, full.mode, full.created_at, full.finished_at)
        assert (page.total, page.answered, page.first_open, page.last_position) == (
            len(full.items), sum(i.attempt_id is not None for i in full.items),
            next((i.position for i in full.items if i.attempt_id is None), None),
            max(positions))
        expected = next((i for i in full.items if i.position == position), None)
        if expected is None:
            assert page.page_item is None
            continue
        assert page.page_item[:9] == expected[:9]  # the same columns, read the same way
        assert page.page_item.extra == expected.extra
        assert page.page_asks == sum(i.question_id == expected.question_id for i in full.items)
        assert page.loaded_items is None and page.items == full.items  # loaded on use


def test_a_page_reads_its_item_and_counts_that_agree_with_the_whole_list(learner):  # noqa: F811
    from tests.integration.helpers import answer

    quiz_id = start(learner)
    user_id = db.session.get(Quiz, quiz_id).user_id
    _agrees_with_the_full_view(user_id, quiz_id)  # nothing answered
    answer(learner, quiz_id, 1, correct=False)  # a miss: asked again at the end
    answer(learner, quiz_id, 2)
    learner.get(f"/quiz/{quiz_id}/q/3")  # shown, not answered
    db.session.expire_all()
    full = quiz_view.load_quiz_view(user_id, quiz_id)
    assert [i.kind for i in full.items].count("again") == 1
    _agrees_with_the_full_view(user_id, quiz_id)
    assert quiz_view.load_quiz_page(user_id + 1, quiz_id, 1) is None  # not another learner's


def test_the_question_loop_never_reads_every_item(learner, monkeypatch):  # noqa: F811
    from tests.integration.helpers import answer

    quiz_id = start(learner)

    def refuse(*args):
        raise AssertionError("a page of the loop read every item")

    monkeypatch.setattr(quiz_view, "load_quiz_view", refuse)
    for position in (1, 2, 3):
        assert "Question" in learner.get(f"/quiz/{quiz_id}/q/{position}").get_data(as_text=True)
        reply = answer(learner, quiz_id, position, correct=position != 2)
        assert reply.status_code == 302
        page = learner.get(reply.headers["Location"]).get_data(as_text=True)
        assert f'href="/quiz/{quiz_id}/q/{position + 1}"' in page  # Continue: the next open one
    assert learner.get(f"/quiz/{quiz_id}").headers["Location"].endswith("/q/4")

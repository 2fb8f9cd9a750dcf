import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import Topic
from quizapp.services.bank_sync import BankInvalid
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.conftest import TEST_BANK


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "questions"
    shutil.copytree(TEST_BANK, target)
    return target


def question(uid):
    return db.session.scalars(select(Question).where(Question.uid == uid)).one()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_sync_refreshes_postgresqls_statistics_of_the_questions(ctx, bank_dir):
    """The planner knows how many questions there are as soon as the bank is loaded
    (PostgreSQL); SQLite is left without statistics, as its plans are tested."""
    sync_bank(load_bank(bank_dir), NOW)
    if db.engine.dialect.name == "postgresql":
        estimate = db.session.execute(db.text(
            "SELECT reltuples FROM pg_class WHERE oid = 'question'::regclass")).scalar()
        assert estimate == count(Question) == 5
    else:
        stats = db.session.execute(db.text(
            "SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat1'")).scalar()
        assert stats == 0


def test_first_sync_inserts_everything(ctx, bank_dir):
    report = sync_bank(load_bank(bank_dir), NOW)
    assert sorted(report.added) == ["t.mcq", "t.multi", "t.numeric", "t.self", "t.short"]
    assert report.topics_added == 2
    mcq = question("t.mcq")
    assert mcq.version == 1 and mcq.topic.slug == "testing-basics"
    assert mcq.payload["choices"][0]["correct"] is True
    assert mcq.expected_seconds == 45  # the type's default
    assert question("t.short").hint_md.startswith("It is a smooth")


def test_unchanged_bank_is_a_no_op(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    report = sync_bank(load_bank(bank_dir), NOW + timedelta(days=1))
    assert not report.changed
    assert report.unchanged == 5
    assert question("t.mcq").updated_at == NOW


def test_edit_bumps_version_and_keeps_the_row(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    original_id = question("t.mcq").id
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("**undefined**", "**not defined**"))
    report = sync_bank(load_bank(bank_dir), NOW + timedelta(days=1))
    assert report.updated == ["t.mcq"]
    edited = question("t.mcq")
    assert edited.id == original_id and edited.version == 2
    assert "not defined" in edited.body_md


def test_removed_questions_are_retired_then_restored(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    (bank_dir / "math" / "testing-math.yaml").unlink()
    report = sync_bank(load_bank(bank_dir), NOW + timedelta(hours=1))
    assert sorted(report.retired) == ["t.numeric", "t.self"]
    assert question("t.numeric").retired_at == NOW + timedelta(hours=1)
    assert count(Question) == 5  # never deleted
    shutil.copy(TEST_BANK / "math" / "testing-math.yaml", bank_dir / "math")
    report = sync_bank(load_bank(bank_dir), NOW + timedelta(hours=2))
    assert sorted(report.restored) == ["t.numeric", "t.self"]
    assert question("t.numeric").retired_at is None


def test_bad_file_aborts_with_nothing_written(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("**undefined**", "changed").replace(
        "difficulty: 1", "difficulty: 7"))
    (bank_dir / "ml" / "new-topic.yaml").write_text(
        "domain: ml\ntopic: new-topic\ntitle: New\nquestions:\n"
        "  - {id: t.new, type: short_text, difficulty: 1, body: b, explanation: e, answers: [a]}\n")
    with pytest.raises(BankInvalid) as excinfo:
        sync_bank(load_bank(bank_dir), NOW + timedelta(days=1))
    assert any(p.field == "difficulty" for p in excinfo.value.problems)
    assert "changed" not in question("t.mcq").body_md
    assert count(Topic) == 2 and count(Question) == 5


def test_a_failure_while_writing_rolls_everything_back(ctx, bank_dir, monkeypatch):
    sync_bank(load_bank(bank_dir), NOW)
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("**undefined**", "changed"))
    from quizapp.services import bank_sync

    original = bank_sync._sync_questions

    def write_then_fail(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(bank_sync, "_sync_questions", write_then_fail)
    with pytest.raises(RuntimeError):
        sync_bank(load_bank(bank_dir), NOW)
    assert "changed" not in question("t.mcq").body_md


def test_partial_sync_retires_only_within_loaded_topics(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    path = bank_dir / "math" / "testing-math.yaml"
    text = path.read_text()
    path.write_text(text[:text.index("  - id: t.self")])
    report = sync_bank(load_bank(bank_dir / "math"), NOW + timedelta(hours=1), partial=True)
    assert report.retired == ["t.self"]
    assert question("t.mcq").retired_at is None
    assert question("t.numeric").source == "math/testing-math.yaml"
    single = sync_bank(load_bank(path), NOW + timedelta(hours=2), partial=True)
    assert not single.changed and question("t.short").retired_at is None


def test_an_id_cannot_change_type(ctx, bank_dir):
    sync_bank(load_bank(bank_dir), NOW)
    path = bank_dir / "ml" / "testing-basics.yaml"
    text = path.read_text()
    start = text.index("  - id: t.short")
    path.write_text(text[:start] + "  - id: t.short\n    type: numeric\n    difficulty: 1\n"
                    "    body: b\n    explanation: e\n    answer: 1\n    check: '1'\n")
    with pytest.raises(BankInvalid) as excinfo:
        sync_bank(load_bank(bank_dir), NOW + timedelta(days=1))
    (problem,) = excinfo.value.problems
    assert problem.field == "type" and "new id" in problem.message
    assert question("t.short").type == "short_text"

"""Sync refuses a bank that breaks a limit, writing nothing (also on PostgreSQL)."""

import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp.bank.limits import TEXT_LIMITS
from quizapp.bank.loader import load_bank
from quizapp.extensions import db
from quizapp.models import Question
from quizapp.models import Topic
from quizapp.services.bank_sync import BankInvalid
from quizapp.services.bank_sync import sync_bank
from tests.conftest import NOW
from tests.conftest import TEST_BANK
from tests.unit.test_bank_limits import BOMB

NEW_TOPIC = (
    "domain: ml\ntopic: new-topic\ntitle: New\nquestions:\n"
    "  - {id: t.new, type: short_text, difficulty: 1, body: b, explanation: e, answers: [a]}\n"
)


@pytest.fixture
def bank_dir(tmp_path) -> Path:
    target = tmp_path / "questions"
    shutil.copytree(TEST_BANK, target)
    return target


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def body_of(uid: str) -> str:
    return db.session.scalars(select(Question.body_md).where(Question.uid == uid)).one()


def nul_in_body(bank_dir: Path) -> None:
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace(
        "body: Which metric is **undefined**", 'body: "Which metric is \\0 **undefined**'
    ).replace("predicts no positives?\n", 'predicts no positives?"\n', 1))


def nul_in_a_choice(bank_dir: Path) -> None:
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("- text: Recall", '- text: "Re\\0call"'))


def long_body(bank_dir: Path) -> None:
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("**undefined**", "x" * TEXT_LIMITS["body"]))


def five_megabyte_body(bank_dir: Path) -> None:
    path = bank_dir / "ml" / "testing-basics.yaml"
    path.write_text(path.read_text().replace("**undefined**", "x" * 5_000_000))


def alias_bomb(bank_dir: Path) -> None:
    (bank_dir / "ml" / "t.yaml").write_text(BOMB)


@pytest.mark.parametrize(("break_bank", "expected"), [
    (nul_in_body, r"field 'body': contains the control character U\+0000"),
    (nul_in_a_choice, r"field 'choices\.1\.text': contains the control character U\+0000"),
    (long_body, r"field 'body': is 4,\d{3} characters long; the limit is 4,000"),
    (five_megabyte_body, "testing-basics.yaml: the file is larger than 262,144 bytes"),
    (alias_bomb, "aliases repeat more than"),
])
def test_sync_refuses_a_bank_over_its_limits_and_writes_nothing(ctx, bank_dir, break_bank,
                                                                expected):
    sync_bank(load_bank(bank_dir), NOW)
    before = body_of("t.mcq")
    (bank_dir / "ml" / "new-topic.yaml").write_text(NEW_TOPIC)
    break_bank(bank_dir)
    with pytest.raises(BankInvalid) as excinfo:
        sync_bank(load_bank(bank_dir), NOW + timedelta(days=1))
    problems = [str(p) for p in excinfo.value.problems]
    assert len(problems) == 1 and re.search(expected, problems[0]), problems
    assert body_of("t.mcq") == before
    assert count(Topic) == 2 and count(Question) == 5

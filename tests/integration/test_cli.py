import shutil

from sqlalchemy import func
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Question
from tests.conftest import TEST_BANK


def test_validate_ok(app, database):
    result = app.test_cli_runner().invoke(args=["bank", "validate", str(TEST_BANK)])
    assert result.exit_code == 0
    assert "5 questions in 2 topics: OK" in result.output


def test_validate_reports_problems_and_fails(app, database, tmp_path):
    shutil.copytree(TEST_BANK, tmp_path / "q")
    path = tmp_path / "q" / "math" / "testing-math.yaml"
    path.write_text(path.read_text().replace('check: "0.5 * 0.5"', 'check: "0.5 * 0.6"'))
    result = app.test_cli_runner().invoke(args=["bank", "validate", str(tmp_path / "q")])
    assert result.exit_code == 1
    assert "math/testing-math.yaml: question 't.numeric': field 'answer'" in result.output


def test_sync_then_sync_again(app, database):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bank", "sync"])
    assert first.exit_code == 0 and "5 added" in first.output
    second = runner.invoke(args=["bank", "sync"])
    assert "0 added, 0 updated, 0 retired, 0 restored, 5 unchanged" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 5


def test_sync_of_a_bad_bank_writes_nothing(app, database, tmp_path):
    shutil.copytree(TEST_BANK, tmp_path / "q")
    (tmp_path / "q" / "ml" / "testing-basics.yaml").write_text("domain: ml\ntopic: [")
    result = app.test_cli_runner().invoke(args=["bank", "sync", str(tmp_path / "q")])
    assert result.exit_code == 1
    assert "nothing written" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_sync_refuses_a_numeric_answer_its_check_disagrees_with(app, database, tmp_path):
    shutil.copytree(TEST_BANK, tmp_path / "q")
    path = tmp_path / "q" / "math" / "testing-math.yaml"
    path.write_text(path.read_text().replace('check: "0.5 * 0.5"', 'check: "0.5 * 0.6"'))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["bank", "sync", str(tmp_path / "q")])
    assert refused.exit_code == 1
    assert "math/testing-math.yaml: question 't.numeric': field 'answer'" in refused.output
    assert "nothing written" in refused.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    forced = runner.invoke(args=["bank", "sync", "--no-checks", str(tmp_path / "q")])
    assert forced.exit_code == 0 and "5 added" in forced.output


def test_stats_prints_tables(app, database):
    result = app.test_cli_runner().invoke(args=["bank", "stats"])
    assert result.exit_code == 0
    assert "| mcq | 1 |" in result.output
    assert "| ML concepts | 3 | testing-basics (3) |" in result.output
    assert "| pick the longest | 1 |" in result.output
    assert "a right option is longer than a wrong one" in result.output


def test_stats_updates_the_readme_block(app, database, tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- bank-stats:start -->\nold\n<!-- bank-stats:end -->\nend\n")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["bank", "stats", "--update-readme", str(readme)])
    assert first.exit_code == 0 and "updated" in first.output
    text = readme.read_text()
    assert "old" not in text and "5 questions in 2 topics." in text and text.endswith("end\n")
    assert "pick the longest" not in text
    again = runner.invoke(args=["bank", "stats", "--update-readme", str(readme)])
    assert "already up to date" in again.output


def test_sync_of_one_domain_folder_leaves_the_others_alone(app, database):
    runner = app.test_cli_runner()
    runner.invoke(args=["bank", "sync"])
    result = runner.invoke(args=["bank", "sync", str(TEST_BANK / "math")])
    assert result.exit_code == 0
    assert "0 retired" in result.output and "3 added" not in result.output

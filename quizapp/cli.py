"""Command-line tools: ``flask bank validate|sync|stats``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup

from quizapp.bank.checks import check_numeric_answers
from quizapp.bank.cues import cues_markdown
from quizapp.bank.loader import load_bank
from quizapp.bank.stats import stats_markdown
from quizapp.bank.stats import update_readme
from quizapp.bank.validation import bank_problems
from quizapp.bank.word_cues import word_cues_markdown
from quizapp.core.clock import utcnow
from quizapp.services.bank_sync import BankInvalid
from quizapp.services.bank_sync import sync_bank

bank_cli = AppGroup("bank", help="Validate and load the question bank.")


def _root(path: str | None) -> Path:
    return Path(path or current_app.config["QUESTIONS_DIR"])


@bank_cli.command("validate")
@click.argument("path", required=False)
@click.option("--checks/--no-checks", default=True,
              help="Also run each numeric question's check code (default on).")
@click.option("--code", "run_code", is_flag=True,
              help="Also run each code and SQL question's solution (it must pass every test) "
                   "and starter (it must fail one) in the sandbox.")
def validate(path: str | None, checks: bool, run_code: bool) -> None:
    """Check bank files; print every problem with file, question id and field."""
    bank = load_bank(_root(path))
    problems = bank_problems(bank, run_checks=checks)
    if run_code and bank.ok:
        from quizapp.bank.code_checks import code_problems

        problems += code_problems(bank)
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"{len(bank.questions)} questions in {len(bank.topics)} topics: "
               f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    if problems:
        raise SystemExit(1)


@bank_cli.command("sync")
@click.argument("path", required=False)
@click.option("--checks/--no-checks", default=True,
              help="First run each numeric question's check code (default on): a stored "
                   "answer its check disagrees with aborts the sync.")
def sync(path: str | None, checks: bool) -> None:
    """Import the bank in one transaction (a bad file aborts with nothing written).

    With PATH inside the bank (a domain folder or one file), only questions missing from
    the loaded topics are retired.
    """
    root = _root(path)
    bank = load_bank(root)
    partial = root.resolve() != Path(current_app.config["QUESTIONS_DIR"]).resolve()
    try:
        if checks and bank.ok and (wrong := check_numeric_answers(bank)):
            raise BankInvalid(wrong)  # a wrong answer would mark learners wrong
        report = sync_bank(bank, utcnow(), partial=partial)
    except BankInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"Sync aborted, nothing written: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Bank synced: {report.summary()}")


@bank_cli.command("stats")
@click.argument("path", required=False)
@click.option("--update-readme", "readme", type=click.Path(exists=True, dir_okay=False),
              help="Also rewrite the bank-stats block of this README file.")
def stats(path: str | None, readme: str | None) -> None:
    """Print question counts, then how well test-taking cues (option length, words) score."""
    bank = load_bank(_root(path))
    if not bank.ok:
        click.echo(f"{len(bank.problems)} problem(s); run 'flask bank validate'.", err=True)
        raise SystemExit(1)
    click.echo(stats_markdown(bank))
    click.echo("\n" + cues_markdown(bank))
    click.echo("\n" + word_cues_markdown(bank))
    if readme:
        try:
            changed = update_readme(Path(readme), bank)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"\n{readme}: {'updated' if changed else 'already up to date'}")


def register_cli(app: Flask) -> None:
    app.cli.add_command(bank_cli)

"""Operator commands for accounts: ``flask user reset-password EMAIL``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from quizapp.services import accounts

user_cli = AppGroup("user", help="Manage learner accounts.")


@user_cli.command("reset-password")
@click.argument("email")
def reset_password(email: str) -> None:
    """Print a one-time link that lets EMAIL choose a new password.

    The link expires after PASSWORD_RESET_MAX_AGE seconds (default one hour) and stops
    working once used. Send it to the learner over a channel you trust.
    """
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the email {email!r}.")
    config = current_app.config
    token = accounts.reset_token(user, config["SECRET_KEY"])
    minutes = config["PASSWORD_RESET_MAX_AGE"] // 60
    click.echo(f"Reset link for {user.email} (valid {minutes} minutes, once):")
    click.echo(f"{config['PUBLIC_URL']}/auth/reset/{token}")

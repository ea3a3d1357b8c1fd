"""The operator commands, run as an operator would (in-process through typer's runner, or as a process)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from lensgraph.cli import address_defaults, cli
from lensgraph.domain.accounts import Role
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import User


def test_grant_admin_promotes_an_existing_account_only(tmp_path, monkeypatch):
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LENSGRAPH_DATABASE_URL", url)
    monkeypatch.setenv("LENSGRAPH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LENSGRAPH_SECRET_KEY", "cli-test")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert runner.invoke(cli, ["seed"]).exit_code == 0

    granted = runner.invoke(cli, ["grant-admin", "Studio@demo.lensgraph.dev"])
    assert granted.exit_code == 0, granted.output
    unknown = runner.invoke(cli, ["grant-admin", "nobody@example.com"])
    assert unknown.exit_code == 2 and "no account has the email" in unknown.output

    async def role() -> Role:
        database = Database(url)
        try:
            async with database.session() as session:
                return (await session.scalars(select(User.role).where(User.username == "sam-studio"))).one()
        finally:
            await database.dispose()

    assert asyncio.run(role()) is Role.ADMIN


def test_serve_links_to_the_address_it_serves_unless_told_otherwise():
    assert address_defaults("127.0.0.1", 9000, {}) == {
        "LENSGRAPH_PUBLIC_URL": "http://127.0.0.1:9000",
        "LENSGRAPH_ALLOWED_ORIGINS": '["http://127.0.0.1:9000", "http://localhost:9000"]',
    }
    assert address_defaults("0.0.0.0", 8000, {})["LENSGRAPH_PUBLIC_URL"] == "http://127.0.0.1:8000"
    chosen = {"LENSGRAPH_PUBLIC_URL": "https://api.example.com", "LENSGRAPH_ALLOWED_ORIGINS": '["https://example.com"]'}
    assert address_defaults("0.0.0.0", 8000, chosen) == {}


@pytest.mark.parametrize("command", ["serve", "worker", "migrate"])
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(tmp_path, command):
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("LENSGRAPH_")},
        "LENSGRAPH_DATA_DIR": str(tmp_path / "data"),
        "LENSGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "LENSGRAPH_REQUEST_RATE_LIMIT": "plenty",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "lensgraph", command],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 2
    assert ran.stderr == "LENSGRAPH_REQUEST_RATE_LIMIT: expected a rate like 600/minute or off, got 'plenty'\n"
    assert ran.stdout == ""
    assert not (tmp_path / "cli.db").exists()


def test_serve_names_the_bad_origin_of_a_comma_separated_list(tmp_path):
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("LENSGRAPH_")},
        "LENSGRAPH_DATA_DIR": str(tmp_path / "data"),
        "LENSGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "LENSGRAPH_ALLOWED_ORIGINS": "https://a.example,https://b.example/app",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "lensgraph", "serve", "--port", "1"],
        env=environment,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (ran.returncode, ran.stdout) == (2, "")
    assert ran.stderr.splitlines() == [
        "LENSGRAPH_ALLOWED_ORIGINS: expected origins like https://app.example.com (scheme, host and port; no path) "
        "or *, got 'https://b.example/app'"
    ]

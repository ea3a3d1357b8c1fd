"""The operator commands, run as an operator would (in-process through typer's runner)."""

from __future__ import annotations

import asyncio

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

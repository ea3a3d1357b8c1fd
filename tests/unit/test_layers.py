"""The layers of DESIGN.md section 1, read from the source: what each package may import."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "src" / "lensgraph"


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports, relative imports made absolute."""
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                yield f"{base}.{node.module}" if node.module else base
            elif node.module:
                yield node.module


def layer(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


SOURCES = sorted(PACKAGE.rglob("*.py"))


def offenders(allowed_layers: set[str], top: str) -> list[str]:
    return [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in SOURCES
        if layer(path) not in allowed_layers
        for name in imports(path)
        if name == top or name.startswith(f"{top}.")
    ]


def test_sqlalchemy_only_in_persistence() -> None:
    assert offenders({"persistence"}, "sqlalchemy") == []


def test_strawberry_only_in_schema_and_app() -> None:
    assert offenders({"schema", "app"}, "strawberry") == []


@pytest.mark.parametrize("forbidden", ["persistence", "resolvers", "schema", "jobs", "adapters", "app"])
def test_domain_imports_nothing_else_of_ours(forbidden: str) -> None:
    leaks = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in SOURCES
        if layer(path) == "domain"
        for name in imports(path)
        if name.startswith(f"lensgraph.{forbidden}")
    ]
    assert leaks == []

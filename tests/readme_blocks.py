"""The README's fenced blocks, read the way ``tests/e2e/test_readme.py`` documents (its docstring is the convention):
shared by that test, which runs every example against the demo, and by ``tests/api/test_compiled_differential.py``,
which sends the README's queries through both read paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
FENCE = re.compile(r"(?:<!--\s*readme-test:(?P<note>.*?)-->\s*\n)?```(?P<lang>\w+)\n(?P<body>.*?)\n```", re.S)


@dataclass
class Block:
    lang: str
    body: str
    notes: dict[str, str]
    line: int
    answer: str | None = None  # the json block that follows, if any

    def __str__(self) -> str:
        return f"README.md line {self.line} ({self.lang})"


def readme_blocks() -> list[Block]:
    text = README.read_text()
    blocks: list[Block] = []
    last_end = -1
    for match in FENCE.finditer(text):
        notes = dict(word.split("=", 1) for word in (match["note"] or "").split())
        block = Block(match["lang"], match["body"], notes, text.count("\n", 0, match.start("lang")) + 1)
        follows_example = (
            blocks and blocks[-1].lang in {"graphql", "bash"} and not text[last_end : match.start()].strip()
        )
        if block.lang == "json" and follows_example and block.body.lstrip().startswith('{"data"'):
            blocks[-1].answer = block.body
        else:
            blocks.append(block)
        last_end = match.end()
    return blocks


def is_example(block: Block) -> bool:
    return block.lang == "graphql" or (block.lang == "bash" and "curl " in block.body)

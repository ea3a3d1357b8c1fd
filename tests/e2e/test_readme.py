"""The README runs: every GraphQL and curl example in README.md, read from the README itself, against a real server
started with ``--demo``, in the order a reader meets them.

Convention (README authors: keep to it, the test reads nothing else):

- A ```graphql block holds one or more operations; each is sent on its own as a JSON POST to /graphql.
- A ```bash block is an example when it calls ``curl``; it runs with ``bash -e`` in a scratch folder,
  ``http://127.0.0.1:8000`` replaced by the test server's address. Other bash blocks (installing, serving,
  benchmarks) are commands, not examples, and are not run.
- A ```json block right after an example (nothing but blank lines between) is that example's answer: the real
  answer must have the same shape and the same values, where a string holding ``...`` stands for any string.
  Other json blocks (message and body formats) must parse, as one document or one per line.
- Every answer must hold no ``errors`` and no ``userErrors``, unless the example says which error it shows.
- An HTML comment right before a block says what the example needs, as ``key=value`` words:
  ``<!-- readme-test: as=brand photoId=photo:peaks expect=RELEASE_REQUIRED -->``
  - ``as``: who sends it (``ansel``, ``dorothea``, ``brand``, ``studio``: the demo accounts; ``iris``: the account
    the README registers); its access token is the ``Authorization`` of GraphQL blocks and ``$TOKEN`` in bash.
    Without ``as``, GraphQL blocks are anonymous.
  - ``expect``: the error code the example deliberately shows (in ``errors`` or ``userErrors``).
  - ``capture=NAME:path.in.answer``: keeps a value of a bash example's (last) answer as ``$NAME`` for the bash
    examples after it.
  - ``files=dunes.jpg``: the test puts a demo photo of that name in the scratch folder.
  - any other ``name=value``: the value of the placeholders of argument ``name`` (see below).
- Placeholders: in GraphQL, a string argument ending in ``...`` (``photoId: "UGhvdG86..."``, ``id: "..."``) is
  replaced by the value named for that argument; a list of them by the comma-separated values, in order. In bash,
  a line ``NAME=value...`` (a value ending in ``...``) only shows where a value comes from: the test drops it and
  sets ``$NAME`` itself (``TOKEN`` from ``as``, others from ``capture``).
  Values: ``photo:<key>`` (a demo photo, by its key in ``lensgraph.seed.catalogue``), ``license:<STATUS>`` (the
  demo brand's first licence in that status), ``verification:<scene>`` (the caller's demo verification of that
  scene in ``lensgraph.seed.verifications``), ``purchase:<STATUS>`` (the demo brand's first purchase in that
  status), ``notification:first`` (the caller's newest), ``refresh`` (a fresh
  refresh token of the caller), ``mail`` (the token in the caller's newest mail not used yet),
  ``password`` (the caller's current password), ``@<mutation>.<path>`` (from the latest answer of that root
  field), anything else literally.
- After an operation answering an ``uploadUrl``, the test sends a file of the declared type and size to it, as the
  text around such an example tells the reader to (per field, aliases included): a PDF, a demo JPEG, or for
  ``purpose: RAW`` and ``IMAGE_FOR_VERIFICATION`` a simulated camera's DNG and the JPEG developed from it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import FieldNode, OperationDefinitionNode, parse, print_ast

from lensgraph.seed.catalogue import (
    ANSEL,
    ANSEL_PHOTOS,
    BRAND,
    DEMO_PASSWORD,
    DOROTHEA,
    DOROTHEA_PHOTOS,
    STUDIO,
    STUDIO_PHOTOS,
)
from lensgraph.seed.scenes import release_pdf
from lensgraph.seed.verifications import DEMO_VERIFICATIONS, DemoVerification
from tests.api.webhook_receiver import Receiver
from tests.readme_blocks import Block, is_example, readme_blocks

from .conftest import Server, StartServer

README_ADDRESS = "http://127.0.0.1:8000"
# Where the README sends webhooks; the test points them at a receiver of its own, never off this machine.
README_WEBHOOK_HOST = "https://example.com"
# What the server or the example itself would reach: webhook URLs and curl's targets.
FETCHED = re.compile(r"""WebhookEndpoint\([^)]*?\burl: "(https?://[^/"]+)|\bcurl\b[^\n]*?\s["']?(https?://[^\s"'/]+)""")
IRIS = "iris@example.com"
MAIL_TOKEN = re.compile(r"^    (\S+)\r?$", re.M)
TITLES = {photo.key: photo.title for photo in (*ANSEL_PHOTOS, *DOROTHEA_PHOTOS, *STUDIO_PHOTOS)}
EMAILS = {"ansel": ANSEL.email, "dorothea": DOROTHEA.email, "brand": BRAND.email, "studio": STUDIO.email, "iris": IRIS}
TIMEOUT = 30
VERIFIED = {pair.scene: pair.name for pairs in DEMO_VERIFICATIONS.values() for pair in pairs}
# What the README's reader verifies: a pair of the simulated camera the demo's verifications come from.
READER_PAIR = DemoVerification("README", "rocket", next(iter(DEMO_VERIFICATIONS.values()))[0].camera, 99)


@dataclass
class Reader:
    """Follows the README as a reader would, remembering what earlier examples answered."""

    server: Server
    http: httpx.Client
    folder: Path
    webhooks: str  # the receiver's address, standing for the README's example.com
    passwords: dict[str, str] = field(default_factory=lambda: {email: DEMO_PASSWORD for email in EMAILS.values()})
    answers: dict[str, Any] = field(default_factory=dict)  # root field -> its latest payload
    captured: dict[str, str] = field(default_factory=dict)
    mails_read: set[Path] = field(default_factory=set)
    # When the latest README operation was sent: the mail it asked for is written after it (by the worker).
    operation_sent_at: float = 0.0

    def post(self, query: str, variables: dict[str, Any] | None = None, token: str | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
        body: dict[str, Any] = response.json()
        return body

    def local(self, text: str) -> str:
        """The example with its addresses on this machine: the server's and the webhook receiver's."""
        text = text.replace(README_ADDRESS, self.server.base_url).replace(README_WEBHOOK_HOST, self.webhooks)
        reached = [address for pair in FETCHED.findall(text) for address in pair if address]
        outside = [address for address in reached if not address.split("://")[1].startswith("127.0.0.1")]
        assert not outside, f"an example would reach {outside}: tests send nothing off this machine"
        return text

    def sign_in(self, who: str) -> dict[str, str]:
        email = EMAILS[who]
        query = "mutation($i: LoginInput!) { login(input: $i) { accessToken refreshToken userErrors { code } } }"
        login = self.post(query, {"i": {"email": email, "password": self.passwords[email]}})["data"]["login"]
        assert login["userErrors"] == [], (who, login)
        return login

    def photo(self, key: str) -> str:
        owner = next(
            who
            for who, photos in (("ansel", ANSEL_PHOTOS), ("dorothea", DOROTHEA_PHOTOS), ("studio", STUDIO_PHOTOS))
            if key in {photo.key for photo in photos}
        )
        query = "{ viewer { photos(first: 100) { edges { node { id title } } } } }"
        edges = self.post(query, token=self.sign_in(owner)["accessToken"])["data"]["viewer"]["photos"]["edges"]
        return next(edge["node"]["id"] for edge in edges if edge["node"]["title"] == TITLES[key])

    def value(self, spec: str, who: str | None) -> str:
        kind, _, rest = spec.partition(":")
        if spec.startswith("@"):
            root, *path = spec[1:].split(".")
            found: Any = self.answers[root]
            for step in path:
                found = found[step]
            return str(found)
        if kind == "photo":
            return self.photo(rest)
        if kind in ("license", "purchase"):
            query = "{ viewer { " + kind + "s(first: 50) { edges { node { id status } } } } }"
            token = self.sign_in("brand")["accessToken"]
            edges = self.post(query, token=token)["data"]["viewer"][f"{kind}s"]["edges"]
            return next(edge["node"]["id"] for edge in edges if edge["node"]["status"] == rest)
        assert who, f"{spec} needs as="
        if kind == "verification":
            query = "{ viewer { verifications(first: 50) { edges { node { id name } } } } }"
            edges = self.post(query, token=self.sign_in(who)["accessToken"])["data"]["viewer"]["verifications"]["edges"]
            return next(edge["node"]["id"] for edge in edges if edge["node"]["name"] == VERIFIED[rest])
        if kind == "notification":
            query = "{ viewer { notifications(first: 1) { edges { node { id } } } } }"
            edges = self.post(query, token=self.sign_in(who)["accessToken"])["data"]["viewer"]["notifications"]["edges"]
            return str(edges[0]["node"]["id"])
        if kind == "refresh":
            return self.sign_in(who)["refreshToken"]
        if kind == "password":
            return self.passwords[EMAILS[who]]
        if kind == "mail":
            return self.mailed_token(EMAILS[who])
        return spec

    def mailed_token(self, email: str) -> str:
        """The token in the mail the previous operation asked for (waiting: the worker sends it after the answer)."""
        for _ in range(50):
            mails = sorted((self.server.folder / "data" / "mail").glob("*.eml"), key=os.path.getmtime, reverse=True)
            for path in (path for path in mails if os.path.getmtime(path) >= self.operation_sent_at):
                text = path.read_text()
                if path not in self.mails_read and f"To: {email}" in text and (match := MAIL_TOKEN.search(text)):
                    self.mails_read.add(path)
                    return match.group(1)
            time.sleep(0.1)
        raise AssertionError(f"no new mail with a token to {email}")

    def filled(self, text: str, notes: dict[str, str], who: str | None) -> str:
        """The operation with its ``...`` placeholders replaced by the values the block's note names."""

        def one(name: str, placeholder: str) -> str:
            assert name in notes, f"no value for the placeholder {placeholder!r} of {name}"
            return json.dumps(self.value(notes[name], who))

        def in_list(match: re.Match[str]) -> str:
            values = iter(notes[match[1]].split(","))
            inner = re.sub(r'"[^"]*\.\.\."', lambda _: json.dumps(self.value(next(values), who)), match[2])
            return f"{match[1]}: [{inner}]"

        text = re.sub(r'(\w+): \[((?:\s*"[^"]*\.\.\."\s*,?)+)\]', in_list, text)
        return re.sub(r'(\w+): "([^"]*\.\.\.)"', lambda match: f"{match[1]}: {one(match[1], match[2])}", text)

    def send_file(self, payload: dict[str, Any], field: str) -> None:
        """Sends the file ``field`` (the operation's field that answered ``payload``) declared."""
        size = int(re.search(r"fileSizeBytes: (\d+)", field)[1])  # type: ignore[index]
        if "application/pdf" in field:  # padded with a comment inside, so it still ends with %%EOF
            data = release_pdf("README")
            data = data[:9] + b"%" + b"x" * (size - len(data) - 2) + b"\n" + data[9:]
        else:  # padded after the image's (or the DNG's) end, which decoders ignore
            purpose = re.search(r"purpose: (\w+)", field)
            if purpose and purpose[1] in ("RAW", "IMAGE_FOR_VERIFICATION"):
                raw, image = READER_PAIR.files()
                data = raw if purpose[1] == "RAW" else image
            else:
                data = demo_jpeg()
            assert len(data) <= size, f"the README declares {size} bytes, less than the {len(data)} to send"
            data += b"\0" * (size - len(data))
        sent = self.http.request(payload["method"], payload["uploadUrl"], content=data, headers=payload["headers"])
        assert sent.status_code < 300, sent.text

    def run_graphql(self, block: Block) -> list[dict[str, Any]]:
        who = block.notes.get("as")
        results = []
        for definition in parse(block.body).definitions:
            assert isinstance(definition, OperationDefinitionNode)
            operation = self.local(self.filled(print_ast(definition), block.notes, who))
            token = self.sign_in(who)["accessToken"] if who else None
            self.operation_sent_at = time.time()
            answer = self.post(operation, token=token)
            fields = {
                (selection.alias or selection.name).value: print_ast(selection)
                for selection in parse(operation).definitions[0].selection_set.selections  # type: ignore[attr-defined]
                if isinstance(selection, FieldNode)
            }
            for root, payload in (answer.get("data") or {}).items():
                self.answers[root] = payload
                if isinstance(payload, dict) and payload.get("uploadUrl"):
                    self.send_file(payload, fields[root])
            for match in re.finditer(r'newPassword: "([^"]+)"', operation):
                if not error_codes(answer) and who:
                    self.passwords[EMAILS[who]] = match[1]
            results.append(answer)
        return results

    def run_bash(self, block: Block) -> list[dict[str, Any]]:
        who = block.notes.get("as")
        environment = {**os.environ, **self.captured}
        if who:
            environment["TOKEN"] = self.sign_in(who)["accessToken"]
        for name in block.notes.get("files", "").split(","):
            if name:
                (self.folder / name).write_bytes(demo_jpeg())
        lines = [line for line in block.body.splitlines() if not re.match(r"^\w+=\S*\.\.\.(\s|$)", line)]
        script = self.local("\n".join(lines))
        run = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            env=environment,
            cwd=self.folder,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert run.returncode == 0, f"{block}: exit {run.returncode}\n{run.stderr}"
        answers = json_documents(run.stdout)
        assert answers, f"{block}: no answer\n{run.stdout}\n{run.stderr}"
        if "capture" in block.notes:
            name, path = block.notes["capture"].split(":")
            found: Any = answers[-1]
            for step in path.split("."):
                found = found[step]
            self.captured[name] = found
        return answers


def json_documents(text: str) -> list[dict[str, Any]]:
    """The JSON answers of several curl calls printed one after the other."""
    decoder, found, at = json.JSONDecoder(), [], 0
    while (start := text.find("{", at)) != -1:
        try:
            document, at = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            at = start + 1
            continue
        found.append(document)
    return found


def demo_jpeg() -> bytes:
    from lensgraph.seed.scenes import dunes

    return dunes(99, (70, 130, 200), (222, 184, 120))


def error_codes(answer: dict[str, Any]) -> list[str]:
    codes = [error.get("extensions", {}).get("code") for error in answer.get("errors") or []]
    for payload in (answer.get("data") or {}).values():
        if isinstance(payload, dict):
            codes += [error["code"] for error in payload.get("userErrors") or []]
    return codes


def same_shape(expected: Any, actual: Any) -> bool:
    if isinstance(expected, str) and "..." in expected:
        return isinstance(actual, str)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(same_shape(value, actual[key]) for key, value in expected.items())
        )
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(map(same_shape, expected, actual))
    return bool(expected == actual)


def test_the_readme_has_examples_to_run():
    blocks = readme_blocks()
    assert sum(map(is_example, blocks)) >= 20
    assert any(block.answer for block in blocks)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver()
    started.start()
    yield started
    started.stop()


def test_every_readme_example_runs_against_the_demo(start_server: StartServer, receiver: Receiver, tmp_path: Path):
    # The webhook examples reach a local receiver; a reader's pace would refill the cost bucket, the test's does not.
    server = start_server(LENSGRAPH_OUTBOUND_ALLOW_PRIVATE="1", LENSGRAPH_COST_BUCKET_SIZE="0")
    with httpx.Client(base_url=server.base_url, timeout=TIMEOUT) as http:
        reader = Reader(server, http, tmp_path, webhooks=f"http://127.0.0.1:{receiver.port}")
        reader.passwords[IRIS] = "a long passphrase"
        for block in readme_blocks():
            if block.lang == "json":
                text = block.body
                try:
                    json.loads(text)
                except json.JSONDecodeError:
                    for line in text.splitlines():
                        json.loads(line)
                continue
            if not is_example(block):
                continue
            answers = reader.run_graphql(block) if block.lang == "graphql" else reader.run_bash(block)
            expected_code = block.notes.get("expect")
            for answer in answers:
                codes = error_codes(answer)
                if expected_code:
                    assert expected_code in codes, f"{block}: expected {expected_code}, got {answer}"
                else:
                    assert codes == [] and "errors" not in answer, f"{block}: {answer}"
            if block.answer:
                # Every answer's extensions.cost is documented once, in its own section, not beside each example.
                shown = {key: value for key, value in answers[-1].items() if key != "extensions"}
                assert same_shape(json.loads(block.answer), shown), f"{block}: {answers[-1]}"
    # The webhook examples were delivered here, not to the README's example.com.
    deadline = time.monotonic() + TIMEOUT
    while not receiver.received and time.monotonic() < deadline:
        time.sleep(0.1)
    assert receiver.received, "the README's test webhook never reached the local receiver"

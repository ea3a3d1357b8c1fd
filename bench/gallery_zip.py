"""``python -m bench gallery-zip``: a whole gallery of small generated JPEGs zipped while the server keeps answering.

A real server (``python -m lensgraph serve`` in a subprocess, on its own SQLite file and ``file://`` folder) holds
one FULL_SIZE gallery. Clients query it (a client gallery page) while idle, then again while one client streams the
whole gallery's zip. Reported: the zip's throughput, query latency p50/p95 idle and during the zip, and the server's
resident memory (sampled from /proc during the zip, and its peak over its life, VmHWM), so a zip that grew in
memory would show.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image, ImageDraw
from sqlalchemy import insert

from lensgraph.domain.photos import Orientation, PhotoStatus
from lensgraph.persistence.base import utcnow
from lensgraph.persistence.db import create_engine
from lensgraph.persistence.models import GalleryPhoto, Photo

SECRET_KEY = "bench-secret-key"
PASSWORD = "correct horse battery"
STARTUP_SECONDS = 60
GALLERY_PAGE = """query($slug: String!) { gallery(slug: $slug) {
  title photos(first: 20) { totalCount edges { node { id title thumbnailUrl } } } } }"""


@dataclass(frozen=True)
class ZipFigures:
    photos: int
    zip_bytes: int
    zip_seconds: float
    idle_p50_ms: float
    idle_p95_ms: float
    during_p50_ms: float
    during_p95_ms: float
    queries_idle: int
    queries_during: int
    rss_before_mb: float
    rss_peak_during_mb: float
    rss_lifetime_peak_mb: float

    @property
    def throughput_mb_s(self) -> float:
        return self.zip_bytes / 1e6 / self.zip_seconds if self.zip_seconds else 0.0

    def as_json(self) -> dict[str, Any]:
        return {**self.__dict__, "throughput_mb_s": round(self.throughput_mb_s, 1)}

    def lines(self) -> list[str]:
        return [
            f"gallery-zip: {self.photos:,} photos, {self.zip_bytes / 1e6:.1f} MB zip in {self.zip_seconds:.1f} s "
            f"({self.throughput_mb_s:.1f} MB/s)",
            f"  query latency idle:       p50 {self.idle_p50_ms:.1f} ms, p95 {self.idle_p95_ms:.1f} ms "
            f"({self.queries_idle} queries)",
            f"  query latency during zip: p50 {self.during_p50_ms:.1f} ms, p95 {self.during_p95_ms:.1f} ms "
            f"({self.queries_during} queries)",
            f"  server RSS: {self.rss_before_mb:.0f} MB before the zip, peak {self.rss_peak_during_mb:.0f} MB during "
            f"it, lifetime peak (VmHWM) {self.rss_lifetime_peak_mb:.0f} MB",
        ]


def small_jpeg(rng: random.Random, width: int = 640, height: int = 427) -> bytes:
    """A textured JPEG of a few tens of kilobytes: shapes on noise, different for every photo."""
    image = Image.effect_noise((width, height), rng.randrange(20, 80)).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x, y, radius = rng.randrange(width), rng.randrange(height), rng.randrange(10, width // 4)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _server(folder: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "LENSGRAPH_DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'lensgraph.db'}",
        "LENSGRAPH_DATA_DIR": str(folder / "data"),
        "LENSGRAPH_SECRET_KEY": SECRET_KEY,
        "LENSGRAPH_PUBLIC_URL": base_url,
        "LENSGRAPH_REQUEST_RATE_LIMIT": "off",
        "LENSGRAPH_COST_BUCKET_SIZE": "0",
    }
    with (folder / "server.log").open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "lensgraph", "serve", "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"server exited: {(folder / 'server.log').read_text(errors='replace')}")
                with contextlib.suppress(httpx.TransportError):
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start")
                time.sleep(0.2)
            yield base_url, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _memory_kb(pid: int, field: str) -> int:
    """VmRSS (now) or VmHWM (the peak) of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


async def _graphql(http: httpx.AsyncClient, query: str, variables: dict[str, Any], **headers: str) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL failed: {response.status_code} {body}")
    return body["data"]


async def _studio_gallery(http: httpx.AsyncClient) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A studio account and its FULL_SIZE gallery, through the API: (user id, gallery id, slug)."""
    from lensgraph.domain import global_ids

    register = """mutation($input: RegisterInput!) { register(input: $input) { user { id } userErrors { message } } }"""
    login = """mutation($input: LoginInput!) { login(input: $input) { accessToken userErrors { message } } }"""
    create = """mutation($input: CreateGalleryInput!) { createGallery(input: $input) {
      gallery { id slug } userErrors { message } } }"""
    values = {
        "email": "bench-studio@example.com",
        "password": PASSWORD,
        "role": "STUDIO",
        "firstName": "Bench",
        "lastName": "Studio",
        "username": "bench-studio",
    }
    user = (await _graphql(http, register, {"input": values}))["register"]["user"]
    token = (await _graphql(http, login, {"input": {"email": values["email"], "password": PASSWORD}}))["login"]
    gallery_input = {"title": "Bench wedding", "downloadPolicy": "FULL_SIZE"}
    created = await _graphql(http, create, {"input": gallery_input}, Authorization=f"Bearer {token['accessToken']}")
    gallery = created["createGallery"]["gallery"]
    return global_ids.decode(user["id"])[1], global_ids.decode(gallery["id"])[1], gallery["slug"]


async def _fill(folder: Path, user_id: uuid.UUID, gallery_id: uuid.UUID, photos: int, seed: int) -> int:
    """Writes ``photos`` JPEG originals into the server's file folder and their rows; answers their total bytes."""
    rng = random.Random(seed)
    files = folder / "data" / "files"
    rows, places, total = [], [], 0
    start = utcnow() - timedelta(days=1)
    for index in range(photos):
        photo_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        data = small_jpeg(rng)
        key = f"photos/{photo_id}/original.jpg"
        (files / key).parent.mkdir(parents=True, exist_ok=True)
        (files / key).write_bytes(data)
        total += len(data)
        rows.append(
            {
                "id": photo_id,
                "user_id": user_id,
                "title": f"Photo {index + 1}",
                "description": "",
                "keywords": [],
                "auto_keywords": [],
                "colors": [],
                "exif": {},
                "rights": {},
                "status": PhotoStatus.READY,
                "original_key": key,
                "mime_type": "image/jpeg",
                "size_bytes": len(data),
                "width": 640,
                "height": 427,
                "orientation": Orientation.LANDSCAPE,
                "thumbnail_key": key,
                "preview_key": key,
                "watermarked_key": key,
                "created_at": start + timedelta(seconds=index),
                "updated_at": start + timedelta(seconds=index),
            }
        )
        places.append({"gallery_id": gallery_id, "photo_id": photo_id, "position": index, "created_at": start})
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'lensgraph.db'}")
    async with engine.begin() as connection:
        for chunk in range(0, photos, 500):
            await connection.execute(insert(Photo), rows[chunk : chunk + 500])
            await connection.execute(insert(GalleryPhoto), places[chunk : chunk + 500])
    await engine.dispose()
    return total


def _quantile(values: list[float], quantile: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(quantile * len(ordered)) - 1))]


async def _query_loop(http: httpx.AsyncClient, slug: str, token: str, stop: asyncio.Event) -> list[float]:
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        await _graphql(http, GALLERY_PAGE, {"slug": slug}, **{"X-Gallery-Token": token})
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def measure(photos: int, query_clients: int, idle_seconds: float, seed: int) -> ZipFigures:
    with tempfile.TemporaryDirectory(prefix="lensgraph-bench-zip-") as name:
        folder = Path(name)
        with _server(folder) as (base_url, process):
            limits = httpx.Limits(max_connections=query_clients + 2)
            async with httpx.AsyncClient(base_url=base_url, timeout=600, limits=limits) as http:
                user_id, gallery_id, slug = await _studio_gallery(http)
                stored_bytes = await _fill(folder, user_id, gallery_id, photos, seed)
                unlock = """mutation($input: UnlockGalleryInput!) { unlockGallery(input: $input) {
                  accessToken userErrors { message } } }"""
                unlocked = await _graphql(http, unlock, {"input": {"slug": slug, "email": "client@example.com"}})
                token = unlocked["unlockGallery"]["accessToken"]

                async def timed_queries(duration: float | None, stop: asyncio.Event) -> list[float]:
                    if duration is not None:
                        asyncio.get_running_loop().call_later(duration, stop.set)
                    loops = [_query_loop(http, slug, token, stop) for _ in range(query_clients)]
                    return [latency for found in await asyncio.gather(*loops) for latency in found]

                idle = await timed_queries(idle_seconds, asyncio.Event())
                rss_before = _memory_kb(process.pid, "VmRSS")
                request = """mutation($input: RequestGalleryDownloadInput!) { requestGalleryDownload(input: $input) {
                  url photoCount userErrors { code message } } }"""
                asked = await _graphql(http, request, {"input": {"slug": slug}}, **{"X-Gallery-Token": token})
                url = asked["requestGalleryDownload"]["url"]
                stop, peak_rss = asyncio.Event(), [rss_before]

                async def sample_memory() -> None:
                    while not stop.is_set():
                        peak_rss.append(_memory_kb(process.pid, "VmRSS"))
                        await asyncio.sleep(0.05)

                async def download() -> tuple[int, float, int]:
                    started, received, members = time.perf_counter(), 0, 0
                    with tempfile.TemporaryFile() as archive:
                        async with http.stream("GET", url) as response:
                            response.raise_for_status()
                            async for chunk in response.aiter_bytes():
                                received += len(chunk)
                                archive.write(chunk)
                        seconds = time.perf_counter() - started
                        stop.set()
                        archive.seek(0)
                        if not zipfile.is_zipfile(archive):
                            log = (folder / "server.log").read_text(errors="replace")[-3000:]
                            raise RuntimeError(f"not a zip after {received:,} bytes; the server said:\n{log}")
                        with zipfile.ZipFile(archive) as opened:
                            members = len(opened.namelist())
                            if sum(item.file_size for item in opened.infolist()) != stored_bytes:
                                raise RuntimeError("the zip does not hold the stored bytes")
                    return received, seconds, members

                sampler = asyncio.create_task(sample_memory())
                during_task = asyncio.create_task(timed_queries(None, stop))
                received, seconds, members = await download()
                during = await during_task
                await sampler
                if members != photos:
                    raise RuntimeError(f"the zip holds {members} photos, not {photos}")
                lifetime_peak = _memory_kb(process.pid, "VmHWM")
    return ZipFigures(
        photos=photos,
        zip_bytes=received,
        zip_seconds=seconds,
        idle_p50_ms=_quantile(idle, 0.5),
        idle_p95_ms=_quantile(idle, 0.95),
        during_p50_ms=_quantile(during, 0.5),
        during_p95_ms=_quantile(during, 0.95),
        queries_idle=len(idle),
        queries_during=len(during),
        rss_before_mb=rss_before / 1024,
        rss_peak_during_mb=max(peak_rss) / 1024,
        rss_lifetime_peak_mb=lifetime_peak / 1024,
    )


def run(photos: int = 2000, query_clients: int = 4, idle_seconds: float = 5.0, seed: int = 7) -> ZipFigures:
    return asyncio.run(measure(photos, query_clients, idle_seconds, seed))

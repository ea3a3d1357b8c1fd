"""``python -m bench search``: semantic and hybrid search at scale, embedding throughput, the model's memory.

The photos are the generated dataset's (``python -m bench generate``: realistic titles and keywords). Their
vectors are not each embedded (100,000 would take an hour on this CPU): VARIETY distinct titles are embedded
for real, and every photo gets one of those vectors plus random noise, normalised again. So neighbours are as
close as in a real catalogue, and a query finds answers; the vectors are generated, said so in the report.

Figures: the search through the GraphQL API (query embedded, nearest vectors, keyword ranking for HYBRID, the
page of photos), the nearest-vector statement alone, texts embedded per second, and the resident memory of a
process with the model loaded (a fresh child process that imports the adapter only, so this one's data does not
count).
"""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import select, text

from bench.dataset import Sizes, generate
from bench.harness import Figures, Sample, running_app
from lensgraph.adapters.embeddings import Embedder, get_embedder
from lensgraph.persistence import embeddings as vectors
from lensgraph.persistence.db import Database
from lensgraph.persistence.models import Photo, PhotoEmbedding

VARIETY = 2_000
NOISE = 0.35
CHUNK = 1_000
QUERIES = (
    "a lighthouse on a rocky coast at dusk",
    "fresh bread in a bakery",
    "surfers riding big waves",
    "old town streets in the rain",
    "a quiet pine forest in winter",
    "portrait of a fisherman",
    "neon lights in a city at night",
    "coffee on a wooden table",
    "mountains above the clouds",
    "a wedding party dancing",
)
SEARCH = """query($query: String!, $mode: SearchMode!) {
  searchPhotos(query: $query, mode: $mode, first: 20) { edges { node { id title } } } }"""


@dataclass
class Report:
    photos: int
    dialect: str
    store: str
    figures: dict[str, Figures]
    embed_per_second: float
    rss_mb: dict[str, int]
    seconds_to_prepare: float

    def render(self) -> str:
        lines = [
            f"search bench: {self.photos:,} photos on {self.dialect} ({self.store}); vectors generated from "
            f"{VARIETY:,} real embeddings plus noise (prepared in {self.seconds_to_prepare:.0f} s)",
            f"{'workload':<34}{'requests':>9}{'p50 ms':>9}{'p99 ms':>9}{'statements':>12}",
        ]
        for name, figures in self.figures.items():
            lines.append(
                f"{name:<34}{figures.requests:>9}{figures.p50_ms:>9.1f}{figures.p99_ms:>9.1f}{figures.statements:>12}"
            )
        lines.append(f"embedding throughput: {self.embed_per_second:.0f} texts/s (batches of 64, this CPU)")
        lines.append(
            f"resident memory of a fresh process: {self.rss_mb['before']} MB importing the adapter, "
            f"{self.rss_mb['loaded']} MB with the model loaded and a batch of 64 embedded"
        )
        return "\n".join(lines)


async def prepare(database_url: str, photos: int, embedder: Embedder, seed: int) -> None:
    """The dataset (when the database is empty) and a vector for every photo that has none."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            existing = await session.scalar(select(Photo.id).limit(1)) if await _migrated(session) else None
    finally:
        await db.dispose()
    if existing is None:
        sizes = Sizes(photographers=50, photos=photos, collections=10, photos_per_collection=5, deep_photos=1)
        await generate(database_url, sizes, seed)
    db = Database(database_url)
    try:
        async with db.session() as session:
            missing = list(
                (
                    await session.execute(
                        select(Photo.id, Photo.title)
                        .where(~select(PhotoEmbedding.photo_id).where(PhotoEmbedding.photo_id == Photo.id).exists())
                        .order_by(Photo.id)
                    )
                ).all()
            )
        if not missing:
            return
        titles = sorted({title for _, title in missing})
        rng = random.Random(seed)
        base = np.asarray(embedder.embed(rng.sample(titles, min(VARIETY, len(titles)))), dtype=np.float32)
        noise = np.random.default_rng(seed)
        for start in range(0, len(missing), CHUNK):
            chunk = missing[start : start + CHUNK]
            picked = base[[rng.randrange(len(base)) for _ in chunk]]
            made = picked + NOISE * noise.standard_normal(picked.shape, dtype=np.float32) / np.sqrt(picked.shape[1])
            made /= np.linalg.norm(made, axis=1, keepdims=True)
            async with db.unit_of_work() as uow:
                for (photo_id, _), vector in zip(chunk, made.tolist(), strict=True):
                    await vectors.store_photo_embedding(
                        uow.session, photo_id, vector, model=embedder.model_name, version=embedder.model_version
                    )
        if db.dialect == "postgresql":
            async with db.engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await db.dispose()


async def _migrated(session: Any) -> bool:
    try:
        await session.execute(select(Photo.id).limit(1))
    except Exception:  # no table yet: an empty database, generate() migrates it
        await session.rollback()
        return False
    return True


async def measure(database_url: str, embedder: Embedder, iterations: int) -> tuple[dict[str, Figures], str]:
    figures: dict[str, Figures] = {}
    async with running_app(database_url) as bench:
        async with bench.services.db.session() as session:
            store = (await vectors.vector_store(session)).value
        for mode in ("SEMANTIC", "HYBRID"):
            samples: list[Sample] = []
            for index in range(iterations + 3):
                query = QUERIES[index % len(QUERIES)]
                body, sample = await bench.graphql(SEARCH, {"query": query, "mode": mode})
                if not body["data"]["searchPhotos"]["edges"]:
                    raise RuntimeError(f"{mode} search for {query!r} found nothing")
                if index >= 3:  # warm-up
                    samples.append(sample)
            figures[f"searchPhotos {mode} (API)"] = Figures.of(samples)
        query_vectors = embedder.embed(list(QUERIES))
        samples = []
        for index in range(iterations + 3):

            async def nearest(vector: list[float] = query_vectors[index % len(QUERIES)]) -> Any:
                async with bench.services.db.session() as session:
                    return await vectors.nearest_photos(session, vector, model=embedder.model_name, limit=200)

            _, sample = await bench.probe.measure(nearest)
            if index >= 3:
                samples.append(sample)
        figures["nearest 200 vectors (statement)"] = Figures.of(samples)
    return figures, store


def embedding_throughput(embedder: Embedder, texts: int = 512) -> float:
    batch = [f"{QUERIES[index % len(QUERIES)]} number {index}" for index in range(texts)]
    embedder.embed(batch[:64])
    started = time.perf_counter()
    embedder.embed(batch)
    return texts / (time.perf_counter() - started)


def model_memory() -> dict[str, int]:
    """Peak resident memory of a fresh Python that imports the adapter, then loads the model and embeds a batch."""
    # VmHWM (this process's peak), not getrusage's ru_maxrss, which a child keeps from the parent it forked from.
    child = (
        "import json, re\n"
        "def peak(): return int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1)) // 1024\n"
        "from lensgraph.adapters.embeddings import get_embedder\n"
        "before = peak()\n"
        "get_embedder('local').embed(['a photo of a dog on a beach'] * 64)\n"
        "print(json.dumps({'before': before, 'loaded': peak()}))\n"
    )
    output = subprocess.run([sys.executable, "-c", child], check=True, capture_output=True, text=True).stdout
    result: dict[str, int] = json.loads(output.strip().splitlines()[-1])
    return result


def run(database_url: str, photos: int, iterations: int, seed: int = 7) -> Report:
    embedder = get_embedder("local")
    started = time.perf_counter()
    asyncio.run(prepare(database_url, photos, embedder, seed))
    prepared = time.perf_counter() - started
    figures, store = asyncio.run(measure(database_url, embedder, iterations))
    dialect = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite"
    return Report(
        photos, dialect, store, figures, embedding_throughput(embedder), model_memory(), seconds_to_prepare=prepared
    )

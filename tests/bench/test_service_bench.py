"""``ctxasr bench service`` runs end to end and reports the keys the issue names."""

from __future__ import annotations

import json

import pytest

from ctxasr.bench.service_bench import ServiceBenchOptions, _quantile
from ctxasr.cli import main
from ctxasr.errors import ConfigError


def test_bench_service_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["bench", "service", "--interactions", "2", "--catalog-entries", "60", "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["interactions"] == 2 and report["context_builds_failed"] == 0
    assert 0 < report["context_build_p50_ms"] <= report["context_build_p99_ms"]
    assert 0.0 <= report["ready_in_time_rate"] <= 1.0
    assert report["rss_mb"] > 100  # Whisper and the sentence encoder are loaded


def test_nearest_rank_p99_of_few_samples_is_the_maximum() -> None:
    assert _quantile([5.0, 1.0, 3.0], 0.99) == 5.0
    assert _quantile([float(v) for v in range(1, 201)], 0.99) == 198.0
    assert _quantile([float(v) for v in range(1, 101)], 0.5) == 50.0


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigError):
        ServiceBenchOptions(catalog_entries=0)

"""The store benchmark reports what it measured (correctness of the figures, not speed)."""

from __future__ import annotations

import json

import pytest

from ctxasr.bench.store_bench import StoreBenchOptions, run_store_bench
from ctxasr.cli import main
from ctxasr.errors import ConfigError

REQUIRED = {
    "events_per_s",
    "append_p99_ms",
    "crypto_ops_per_interaction",
    "single_table_crypto_ops_per_interaction",
    "decrypts_without_followup",
}


def test_cli_json_has_required_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "store", "--interactions", "40", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= REQUIRED
    assert report["decrypts_without_followup"] == 0


def test_two_table_design_needs_fewer_crypto_operations() -> None:
    result = run_store_bench(StoreBenchOptions(interactions=60, followup_rate=0.2, seed=3))
    two, one = result.two_table, result.single_table
    assert result.context_builds > 0
    assert result.decrypts_without_followup == 0
    # Two-table: one seal per item, opens only on follow-ups. Single-table: every update opens
    # and re-seals the whole entry, so both the count and the bytes are larger.
    assert two.crypto_ops_per_interaction < one.crypto_ops_per_interaction
    assert two.crypto_kib_per_interaction < one.crypto_kib_per_interaction


def test_no_followups_means_no_decryption_at_all() -> None:
    result = run_store_bench(StoreBenchOptions(interactions=30, followup_rate=0.0))
    assert result.context_builds == 0
    assert result.decrypts_without_followup == 0


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigError):
        StoreBenchOptions(backend="postgres")
    with pytest.raises(ConfigError):
        StoreBenchOptions(followup_rate=2)

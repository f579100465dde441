"""Benchmarks (``ctxasr bench ...``): numbers measured side by side in one run, not tests."""

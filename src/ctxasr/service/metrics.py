"""Prometheus metrics of one service instance (its own registry: no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class ServiceMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.events = Counter(
            "ctxasr_events_total", "Dialogue events recorded", ["name"], registry=self.registry
        )
        self.rejected = Counter(
            "ctxasr_rejected_total",
            "Requests refused as bad input",
            ["kind"],
            registry=self.registry,
        )
        self.context_builds = Counter(
            "ctxasr_context_builds_total", "Context builds", ["outcome"], registry=self.registry
        )
        self.context_build_seconds = Histogram(
            "ctxasr_context_build_seconds",
            "Context build time",
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
        )
        self.recognitions = Counter(
            "ctxasr_recognitions_total", "Recognitions", ["context"], registry=self.registry
        )
        self.recognize_seconds = Histogram(
            "ctxasr_recognize_seconds", "Recognition time", registry=self.registry
        )

    def on_build(self, outcome: str, seconds: float) -> None:
        self.context_builds.labels(outcome).inc()
        self.context_build_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)

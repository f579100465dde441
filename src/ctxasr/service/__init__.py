"""The HTTP service: events in, lazily built contexts, best-effort contextual recognition."""

"""Offline experiments: read a dialogue manifest, recognise with and without context, score."""

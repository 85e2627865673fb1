"""Adaptive micro-batching of concurrent requests for one version."""

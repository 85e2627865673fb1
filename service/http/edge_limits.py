"""The connection layer's limits (service.http.edge), read once from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from service.settings import Settings

HEALTH_RESERVE = 64  # connections beyond MAX_CONNECTIONS still read, for health probes only
IDLE_CLOSE_DELAY = 0.25  # seconds an idle connection stays open after shutdown begins


@dataclass(frozen=True)
class EdgeLimits:
    max_header_bytes: int
    header_timeout: float
    body_timeout: float
    max_connections: int
    write_timeout: float

    @classmethod
    def of(cls, settings: Settings) -> EdgeLimits:
        return cls(settings.max_header_bytes, settings.header_timeout_seconds,
                   settings.body_timeout_seconds, settings.max_connections,
                   settings.request_timeout_seconds)


REASONS = {400: "Bad Request", 408: "Request Timeout", 431: "Request Header Fields Too Large",
           503: "Service Unavailable"}

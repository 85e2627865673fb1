"""A real server with its gRPC port, over the protocol test repository (the zoo, linear
version 2 = 3x + 1 with label stable on version 1, and the two-output model `pair`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest

from tests.service.protocol_fixtures import build_repository
from tests.support import LiveServer, eventually, free_port


def settled(server: LiveServer) -> bool:
    versions = httpx.get(f"{server.url}/models/linear").json()["versions"]
    return {v["version"]: v["state"] for v in versions} == {1: "AVAILABLE", 2: "AVAILABLE"}


@pytest.fixture(scope="package")
def grpc_server(trained_repository: Path, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[LiveServer]:
    repository = build_repository(trained_repository, tmp_path_factory.mktemp("grpc") / "models")
    port = free_port()
    with LiveServer(repository, GRPC_PORT=port, LOG_FORMAT="json") as server:
        server.grpc_target = f"127.0.0.1:{port}"  # type: ignore[attr-defined]
        eventually(lambda: settled(server), timeout=60, what="linear versions 1 and 2")
        yield server


@pytest.fixture(scope="package")
def channel(grpc_server: LiveServer) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(grpc_server.grpc_target) as opened:  # type: ignore[attr-defined]
        grpc.channel_ready_future(opened).result(timeout=30)
        yield opened

"""The connection and memory attacks of `make bench-attack`, each a bounded asyncio run of raw
sockets against one server (the attacker runs in its own process, so its CPU is its own).

- long-headers: 8 connections streaming one header value in 64 KiB pieces, reconnecting;
- unread-answers: 40 connections each sending a 1,000,000-row prediction and never reading
  the 5 MB answer;
- row-objects: 10 clients sending 15 MB bodies of row objects ({"x": 1.5} per row), over and
  over;
- slow-posts: 520 connections sending a body 2 bytes every 2 s;
- silent: 5,000 connections that send nothing (beyond MAX_CONNECTIONS), reopened when closed.
"""

from __future__ import annotations

import asyncio
import resource
import socket
from collections.abc import Awaitable, Callable

import orjson

HEAD = b"POST /predict/linear HTTP/1.1\r\nHost: attack\r\nContent-Type: application/json\r\n"


def post(body: bytes) -> bytes:
    return HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def drain_until_closed(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass


async def long_header(port: int) -> None:
    piece = b"a" * 65536
    while True:
        try:
            reader, writer = await connect(port)
            writer.write(b"GET /models HTTP/1.1\r\nHost: attack\r\nX-Long: ")
            while not reader.at_eof():
                writer.write(piece)
                await writer.drain()
            writer.close()
        except OSError:
            await asyncio.sleep(0.01)


async def unread_answer(port: int, request: bytes) -> None:
    while True:
        try:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connecting
            sock.setblocking(False)
            await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
            writer.write(request)
            await writer.drain()
            while not writer.is_closing():  # never read; the server drops it in the end
                await asyncio.sleep(1)
                if writer.transport.get_extra_info("socket") is None:
                    break
            await asyncio.sleep(1)
        except OSError:
            await asyncio.sleep(0.1)


async def row_objects(port: int, request: bytes) -> None:
    while True:
        try:
            reader, writer = await connect(port)
            writer.write(request)
            await writer.drain()
            await reader.readuntil(b"\r\n\r\n")
            writer.close()
        except (OSError, asyncio.IncompleteReadError):
            await asyncio.sleep(0.05)


async def slow_post(port: int) -> None:
    while True:
        try:
            reader, writer = await connect(port)
            writer.write(HEAD + b"Content-Length: 100000\r\n\r\n")
            while not reader.at_eof():
                writer.write(b"[1")
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(65536), 2.0)
                except TimeoutError:
                    continue
            writer.close()
        except OSError:
            await asyncio.sleep(0.5)


async def silent(port: int) -> None:
    while True:
        try:
            reader, writer = await connect(port)
            await drain_until_closed(reader)  # until the server's header timeout or refusal
            writer.close()
        except OSError:
            pass
        await asyncio.sleep(0.5)


def attackers(name: str, port: int) -> list[Callable[[], Awaitable[None]]]:
    if name == "long-headers":
        return [lambda: long_header(port)] * 8
    if name == "unread-answers":
        request = post(orjson.dumps({"instances": [0] * 1_000_000}))
        return [lambda: unread_answer(port, request)] * 40
    if name == "row-objects":
        request = post(orjson.dumps({"instances": [{"x": 1.5} for _ in range(1_500_000)]}))
        return [lambda: row_objects(port, request)] * 10
    if name == "slow-posts":
        return [lambda: slow_post(port)] * 520
    if name == "silent":
        return [lambda: silent(port)] * 5000
    raise ValueError(f"unknown attack {name!r}")


ATTACKS = ("long-headers", "unread-answers", "row-objects", "slow-posts", "silent")


async def attack(name: str, port: int, seconds: float) -> None:
    tasks = [asyncio.ensure_future(run()) for run in attackers(name, port)]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def run(name: str, port: int, seconds: float) -> None:
    """The entry point of the attacker's process."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    asyncio.run(attack(name, port, seconds))

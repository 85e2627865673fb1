"""The access log's own writer: the handler's formats, one write per loop turn, and logging
as the fallback."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import re

import pytest

from service.accesslog import AccessLog
from service.logs import JSONLineFormatter, ServiceHandler

names = itertools.count()


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def access_logger(fmt: str | None, level: int = logging.INFO) -> tuple[logging.Logger,
                                                                       CountingStream]:
    """A private logger with only the service's handler (fmt) or none (None)."""
    logger = logging.getLogger(f"test.access.{next(names)}")
    logger.propagate, logger.level = False, level
    stream = CountingStream()
    if fmt is not None:
        handler = ServiceHandler(fmt)
        handler.setStream(stream)
        logger.handlers[:] = [handler]
    return logger, stream


async def log_requests(log: AccessLog, count: int) -> None:
    for i in range(count):
        log.record("POST", f"/predict/m{i}", 200, 0.00123, f"id-{i}", f"m{i}", "1")


def test_text_lines_match_the_logging_format_and_come_in_order() -> None:
    logger, stream = access_logger("text")
    asyncio.run(log_requests(AccessLog(logger), 3))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3
    for i, line in enumerate(lines):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO "
                            rf"{re.escape(logger.name)}: POST /predict/m{i} 200 1\.23ms id=id-{i}",
                            line)


def test_json_lines_have_the_formatter_fields() -> None:
    logger, stream = access_logger("json")
    asyncio.run(log_requests(AccessLog(logger), 1))
    (line,) = stream.getvalue().splitlines()
    ours = json.loads(line)
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 1, ours["message"], (),
                               None, extra={k: ours[k] for k in (
                                   "request_id", "method", "path", "status", "duration_ms",
                                   "model", "version")})
    reference = json.loads(JSONLineFormatter().format(record))
    assert ours.keys() == reference.keys()
    assert {k: v for k, v in ours.items() if k != "time"} == \
        {k: v for k, v in reference.items() if k != "time"}
    assert ours["message"] == "POST /predict/m0 200 1.23ms id=id-0"


def test_lines_of_one_loop_turn_are_written_at_once_after_it() -> None:
    logger, stream = access_logger("text")
    log = AccessLog(logger)

    async def scenario() -> tuple[int, int]:
        await log_requests(log, 50)
        before = stream.writes
        await asyncio.sleep(0)
        return before, stream.writes

    assert asyncio.run(scenario()) == (0, 1)
    assert len(stream.getvalue().splitlines()) == 50


def test_without_the_service_handler_lines_go_through_logging(
        caplog: pytest.LogCaptureFixture) -> None:
    logger, _ = access_logger(None)
    logger.propagate = True
    with caplog.at_level(logging.INFO, logger=logger.name):
        asyncio.run(log_requests(AccessLog(logger), 2))
    records = [r for r in caplog.records if r.name == logger.name]
    assert [r.getMessage() for r in records] == [
        "POST /predict/m0 200 1.23ms id=id-0", "POST /predict/m1 200 1.23ms id=id-1"]
    assert records[0].request_id == "id-0" and records[0].status == 200


def test_level_above_info_writes_nothing() -> None:
    logger, stream = access_logger("text", level=logging.WARNING)
    asyncio.run(log_requests(AccessLog(logger), 3))
    assert stream.getvalue() == ""

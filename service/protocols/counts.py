"""The instance count rule every request form shares."""

from __future__ import annotations

from service.core.errors import InvalidArgument, TooLarge


def check_count(rows: int, max_rows: int) -> None:
    if rows == 0:
        raise InvalidArgument("no instances: send at least one")
    if rows > max_rows:
        raise TooLarge(f"{rows} instances is more than the limit of {max_rows} per request")

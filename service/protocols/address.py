"""Addresses from request text: model name, version number or label (they never touch the
disk: names are only dictionary keys)."""

from __future__ import annotations

from modelrepo.layout import VERSION_RULE, is_version_name
from service.core.errors import InvalidArgument
from service.core.types import Address


def parse_version(text: str | None) -> int | None:
    if text is None:
        return None
    if not is_version_name(text):
        raise InvalidArgument(f"invalid version {text[:40]!r}: a version is {VERSION_RULE}")
    return int(text)


def address_of(model: str, version: str | None = None, label: str | None = None,
               signature: str | None = None) -> Address:
    """The address of a model, an optional version text or label (not both), and an optional
    signature name."""
    if version is not None and label is not None:
        raise InvalidArgument("give either a version or a label, not both")
    return Address(model, parse_version(version), label, signature or None)

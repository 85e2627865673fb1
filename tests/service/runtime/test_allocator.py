"""retain_freed_memory: large blocks freed by one request are reused by the next without fresh
page faults (measured in a child process, so this test process keeps glibc's defaults)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from service.runtime.allocator import retain_freed_memory

ON_GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# 40 "requests", each allocating and touching six 1 MiB blocks (body, numbers, tensors,
# response) and freeing them all; prints the minor page faults they cost after the first.
FAULTS = """
import resource, sys
from service.runtime.allocator import retain_freed_memory
print(retain_freed_memory(int(sys.argv[1])))
def request():
    blocks = [bytearray(1 << 20) for _ in range(6)]
    for block in blocks:
        block[::4096] = b"x" * len(block[::4096])
request()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):
    request()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults(retain_mib: int) -> tuple[bool, int]:
    out = subprocess.run([sys.executable, "-c", FAULTS, str(retain_mib)], capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    return out[0] == "True", int(out[1])


def test_retain_zero_changes_nothing() -> None:
    assert retain_freed_memory(0) is False


@pytest.mark.skipif(not ON_GLIBC, reason="the setting applies to glibc's allocator only")
def test_retain_reuses_freed_blocks_without_page_faults() -> None:
    applied, with_retain = faults(64)
    not_applied, with_defaults = faults(0)
    assert applied and not not_applied
    pages = 40 * 6 * (1 << 20) // 4096
    assert with_defaults > pages // 2  # the heap was trimmed after each, faulted in again
    assert with_retain < pages // 20, (with_retain, with_defaults)

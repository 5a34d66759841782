"""How freed memory goes back to the OS (glibc only; elsewhere these do nothing).

A batch holds multi-MB raw messages and attachments in several threads; glibc keeps the freed
chunks in per-thread arenas, so resident memory crept up with the number of messages read
(139 MiB after 150 messages, 222 MiB after 900 in bench/intake.py). malloc_trim after each
batch keeps it flat: the service process does that (release_memory).

A fetch worker does the opposite during a sweep (keep_freed_memory): trimming after every
batch gave the pages of its buffers back, and the next batch faulted them in again, zeroed
by the kernel (clear_page and page faults were ~5% of the machine in a perf profile). With
fixed allocator thresholds a worker reuses one heap from batch to batch; it trims only once
it has had nothing to do for a second (intake.email.workers). Its peak stayed at 52-56 MiB
at 500, 1,500 and 3,000 messages (52 with a trim per batch).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable

M_TRIM_THRESHOLD = -1  # glibc's mallopt() parameters (malloc.h)
M_MMAP_THRESHOLD = -3
# Buffers up to this size come from the heap (32 MiB is glibc's largest allowed value on
# 64-bit): a 25 MB mail is then reused memory, not a fresh mapping faulted in page by page.
MMAP_THRESHOLD = 32 * 1_048_576
# Free memory at the top of the heap given back only beyond this; setting it also stops
# glibc from moving either threshold by itself.
TRIM_THRESHOLD = 128 * 1_048_576


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc has both; musl and macOS do not
    except (OSError, AttributeError):
        return None
    return libc


def _trimmer() -> Callable[[], None]:
    libc = _libc()
    if libc is None:
        return lambda: None
    trim = libc.malloc_trim

    def release() -> None:
        trim(0)

    return release


release_memory = _trimmer()


def keep_freed_memory() -> bool:
    """Make this process keep and reuse what it frees (see the module's docstring); True
    if the allocator took both settings."""
    libc = _libc()
    if libc is None:
        return False
    mmap = libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    trim = libc.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    return bool(mmap == 1 and trim == 1)

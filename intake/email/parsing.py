"""Parsing fetched mail: in worker processes, each mail within a CPU-time budget.

Parsing MIME is Python work; should a hostile mail find a slow path in it, the CPU-time
budget (budget.py) stops that one mail, and a budget can only interrupt the main thread of a
process. So the IMAP reader hands each mail to a parse worker process, where the parser runs
in the main thread, and keeps the service's event loop free meanwhile. The workers start
when a sweep finds mail (one per mail in flight, at most `processes`) and stop when it
ends: an idle service runs none.

A worker is `python -m intake.email.parsing BUDGET`, started from the code on disk (restart
the service after deploying new code). It gets none of the service's settings: no NEWSDESK_*
variable, nothing on its command line but the budget. Each request is one raw mail on its
stdin; each answer, on its stdout, the pickled ParsedMessage and the mail's SHA-256.

A worker that ends while it parses a mail (killed, out of memory) is replaced and the mail
tried once more; if that worker ends too, the mail is kept raw with the warning
`parse_failed` for the editors, and the mailbox moves on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from intake.email.budget import parse_within
from intake.email.model import FetchedMail, ParsedMessage, ReadMail
from intake.email.parse import parse_message

_ROOT = Path(__file__).resolve().parents[2]
_HEADER = struct.Struct("!Q")
PARSE_FAILED = "parse_failed"


def read_here(items: Sequence[FetchedMail]) -> list[ReadMail]:
    """Blocking: parse and hash each mail in this process (no budget: see the module)."""
    return [
        ReadMail(item, parse_message(item.raw), hashlib.sha256(item.raw).hexdigest())
        for item in items
    ]


class WorkerDied(RuntimeError):
    """A parse worker process ended while it parsed a mail."""


class ParseWorkers:
    """Up to `processes` parse worker processes, started as mail comes, stopped by close()."""

    def __init__(self, *, processes: int = 2, budget_seconds: float | None = None) -> None:
        if processes < 1:
            raise ValueError("a parse worker pool needs at least one process")
        self.processes = processes
        self._workers = [_Worker(budget_seconds) for _ in range(processes)]

    async def read(self, items: Sequence[FetchedMail]) -> list[ReadMail]:
        """Parse and hash `items` in the workers, in parallel; results in the same order."""
        results: dict[int, ReadMail] = {}
        waiting = deque(range(len(items)))

        async def drain(worker: _Worker) -> None:
            while waiting:
                index = waiting.popleft()
                item = items[index]
                parsed, digest = await asyncio.to_thread(worker.parse, item.raw)
                results[index] = ReadMail(item, parsed, digest)

        async with asyncio.TaskGroup() as group:
            for worker in self._workers[: min(len(items), self.processes)]:
                group.create_task(drain(worker))
        return [results[index] for index in range(len(items))]

    def pids(self) -> list[int]:
        """Process ids of the running workers (for tests and monitoring)."""
        return sorted(pid for worker in self._workers if (pid := worker.pid()) is not None)

    async def close(self) -> None:
        """Stop every worker (each ends when its stdin closes)."""
        await asyncio.gather(*(asyncio.to_thread(w.stop) for w in self._workers))


class _Worker:
    """One worker process, (re)started when needed; one request at a time."""

    def __init__(self, budget_seconds: float | None) -> None:
        self._budget = budget_seconds
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def parse(self, raw: bytes) -> tuple[ParsedMessage, str]:
        """Blocking: the worker's answer for `raw` (see the module for a worker that dies)."""
        with self._lock:
            try:
                return self._ask(raw)
            except WorkerDied:
                try:
                    return self._ask(raw)
                except WorkerDied:
                    return ParsedMessage.empty(PARSE_FAILED), hashlib.sha256(raw).hexdigest()

    def _ask(self, raw: bytes) -> tuple[ParsedMessage, str]:
        process = self._running()
        try:
            _send_bytes(_pipe(process.stdin), raw)
        except OSError:  # ended while idle: the mail goes to a fresh worker
            self._discard()
            process = self._running()
            _send_bytes(_pipe(process.stdin), raw)
        try:
            answer = pickle.loads(_receive_bytes(_pipe(process.stdout)))  # our own child
        except (EOFError, OSError) as exc:
            self._discard()
            raise WorkerDied(f"parse worker {process.pid} ended (code {process.poll()})") from exc
        parsed, digest = answer
        return parsed, digest

    def _running(self) -> subprocess.Popen[bytes]:
        process = self._process
        if process is None or process.poll() is not None:
            path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH")) if p)
            env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
            budget = "0" if self._budget is None else repr(self._budget)
            process = self._process = subprocess.Popen(
                [sys.executable, "-m", "intake.email.parsing", budget],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=_ROOT,
                env=env | {"PYTHONPATH": path},
            )
        return process

    def _discard(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()

    def stop(self) -> None:
        with self._lock:
            process, self._process = self._process, None
            if process is None:
                return
            with contextlib.suppress(OSError):
                _pipe(process.stdin).close()  # no more requests: the worker exits
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    assert stream is not None  # Popen was given stdin=PIPE, stdout=PIPE
    return stream


def _send_bytes(stream: IO[bytes], data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)))
    stream.write(data)
    stream.flush()


def _receive_bytes(stream: IO[bytes]) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other side closed the pipe")
    return data


def main(budget: float | None) -> None:
    """The worker's loop: a raw mail on stdin, its (ParsedMessage, sha256) on stdout."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answers
    while True:
        try:
            raw = _receive_bytes(requests)
        except EOFError:
            return
        answer: Any = (parse_within(raw, budget), hashlib.sha256(raw).hexdigest())
        _send_bytes(answers, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(float(sys.argv[1]) or None)

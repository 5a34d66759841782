"""Parsing fetched mail: in worker processes, each mail within a CPU-time budget.

Parsing MIME is Python work; should a hostile mail find a slow path in it, the CPU-time
budget (budget.py) stops that one mail, and a budget can only interrupt the main thread of a
process. So the IMAP reader hands each mail to a parse worker process, where the parser runs
in the main thread, and keeps the service's event loop free meanwhile. The workers start
when a sweep finds mail (at most `processes`, none more than the batch has mails) and stop
when it ends: an idle service runs none.

A worker is `python -m intake.email.parsing BUDGET`, started from the code on disk (restart
the service after deploying new code). It gets none of the service's settings: no
NEWSDESK_* variable, nothing on its command line but the budget. Each request is its share
of a batch (raw mails, about as many bytes as the other workers' shares) on its stdin;
each answer, on its stdout, the pickled ParsedMessage and SHA-256 of each mail.

A worker that ends while it parses (killed, out of memory) is replaced and each mail of its
share tried alone, twice at most; a mail whose worker ends twice is kept raw with the
warning `parse_failed` for the editors, and the mailbox moves on.
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
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from intake.email.budget import parse_within
from intake.email.model import FetchedMail, ReadMail
from mime.model import ParsedMessage
from mime.parse import parse_message

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
        """Parse and hash `items` in the workers, in parallel; results in the same order.
        Each worker gets one share of the batch, about as many bytes as the others, in one
        request (a round trip per mail would cost more than parsing a small one)."""
        shares = _shares([len(item.raw) for item in items], min(len(items), self.processes))
        results: dict[int, ReadMail] = {}

        async def parse(worker: _Worker, share: list[int]) -> None:
            answers = await asyncio.to_thread(worker.parse, [items[i].raw for i in share])
            for index, (parsed, digest) in zip(share, answers, strict=True):
                results[index] = ReadMail(items[index], parsed, digest)

        async with asyncio.TaskGroup() as group:
            for worker, share in zip(self._workers, shares, strict=False):
                group.create_task(parse(worker, share))
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

    def parse(self, raws: list[bytes]) -> list[tuple[ParsedMessage, str]]:
        """Blocking: the worker's answers for `raws`. If the worker ends meanwhile, each mail
        is tried alone in a fresh one; a mail whose worker ends twice is `parse_failed`."""
        with self._lock:
            try:
                return self._ask(raws)
            except WorkerDied:
                return [self._alone(raw) for raw in raws]

    def _alone(self, raw: bytes) -> tuple[ParsedMessage, str]:
        for _ in range(2):
            try:
                return self._ask([raw])[0]
            except WorkerDied:
                continue
        return ParsedMessage.empty(PARSE_FAILED), hashlib.sha256(raw).hexdigest()

    def _ask(self, raws: list[bytes]) -> list[tuple[ParsedMessage, str]]:
        process = self._running()
        try:
            _send_mails(_pipe(process.stdin), raws)
        except OSError:  # ended while idle: the mails go to a fresh worker
            self._discard()
            process = self._running()
            _send_mails(_pipe(process.stdin), raws)
        try:
            answers: list[tuple[ParsedMessage, str]] = pickle.loads(  # our own child's
                _receive_bytes(_pipe(process.stdout))
            )
        except (EOFError, OSError) as exc:
            self._discard()
            raise WorkerDied(f"parse worker {process.pid} ended (code {process.poll()})") from exc
        return answers

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


def _send_mails(stream: IO[bytes], raws: list[bytes]) -> None:
    """A request: how many mails, then each as a frame (the bytes are not copied first)."""
    stream.write(_HEADER.pack(len(raws)))
    for raw in raws:
        stream.write(_HEADER.pack(len(raw)))
        stream.write(raw)
    stream.flush()


def _receive_mails(stream: IO[bytes]) -> list[bytes]:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (count,) = _HEADER.unpack(header)
    return [_receive_bytes(stream) for _ in range(count)]


def _receive_bytes(stream: IO[bytes]) -> bytes:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other side closed the pipe")
    return data


def _shares(sizes: Sequence[int], count: int) -> list[list[int]]:
    """Indices of `sizes` in `count` shares of about equal total size, each in order."""
    shares: list[list[int]] = [[] for _ in range(count)]
    loads = [0] * count
    for index in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = loads.index(min(loads))
        shares[lightest].append(index)
        loads[lightest] += sizes[index] + 1
    return [sorted(share) for share in shares if share]


def main(budget: float | None) -> None:
    """The worker's loop: raw mails on stdin, their (ParsedMessage, sha256) on stdout."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything a library prints goes to stderr, never into the answers
    while True:
        try:
            raws = _receive_mails(requests)
        except EOFError:
            return
        answer: Any = [
            (parse_within(raw, budget), hashlib.sha256(raw).hexdigest()) for raw in raws
        ]
        _send_bytes(answers, pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(float(sys.argv[1]) or None)

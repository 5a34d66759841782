"""Fetch workers: processes that fetch, parse and store the files of the IMAP reader's batches.

Parsing MIME is Python work that holds the GIL; in the service process it competed with the
batch transactions, the file writers and the event loop, and one core did all of it. Each
worker process has its own IMAP connection to the same mailbox: it fetches a batch with
BODY.PEEK[] (nothing changes on the server), parses it, hashes it and writes the raw mail and
every attachment to the file store, made durable. It sends back the parsed messages without
their bytes (a few KB per message instead of the mail itself). The service process keeps what
must stay in one place: the mailbox's UIDs and sizes, the batch transactions and the moves.
The order of the guarantees is unchanged: files are on disk before the rows that name them
are committed, and the rows are committed before the mail is moved.

A worker is `python -m intake.email.workers`, started by the service (not forked from it, and
not importing the service's main module): it imports only the parser, the file store and the
IMAP session (~30 MiB resident when idle). Requests and answers are pickled frames on its
stdin and stdout; the mailbox password travels that way too, never on a command line or in
the environment (the service's NEWSDESK_* settings, tokens included, are left out of the
worker's environment).

A worker that meets an error (the IMAP connection dropped, UIDVALIDITY changed under it)
closes its connection and answers with the error; the reader's sweep fails, nothing of that
batch is committed or moved, and the reader reconnects with backoff as for any error. A
worker process that dies is replaced: a batch sent to a worker found dead goes to a fresh
one; a batch whose worker died under it fails the sweep (and is fetched again after backoff).

One mail may take at most `parse_budget_seconds` of CPU time to parse (intake/email/budget.py):
past it, the mail is stored raw with the warning `parse_over_budget` and the batch goes on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
import pickle
import queue
import select
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from domain.errors import NewsdeskError
from intake.email.imap import ImapConfig, ImapSession
from intake.email.memory import keep_freed_memory, release_memory
from intake.email.model import ParsedMessage
from intake.email.prepare import prepare_batch
from intake.email.reader import CodeChanged, FetchedMail, fetch_batch
from storage.files import FileStore

Entries = list[tuple[ParsedMessage, str]]
Info = dict[int, tuple[int, datetime | None]]
Result = tuple[list[FetchedMail], Entries]
_ROOT = Path(__file__).resolve().parents[2]
_HEADER = struct.Struct("!Q")


def code_version() -> str:
    """A digest of the source files a fetch worker runs: every project module it imports
    (intake/email, the file store; a test checks the list is complete). The service takes it
    when it creates its workers and each worker when it starts; a worker started from other
    code (new code deployed, the service not restarted, a worker replaced) refuses to work
    (CodeChanged), because what it sends back would be unpickled into the service's older
    classes."""
    digest = hashlib.sha256()
    for path in worker_sources():
        digest.update(path.relative_to(_ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def worker_sources() -> list[Path]:
    """The project's source files a fetch worker process imports."""
    email = _ROOT / "intake" / "email"
    files = [_ROOT / "intake" / "__init__.py", _ROOT / "storage" / "__init__.py"]
    files += [_ROOT / "domain" / "__init__.py", _ROOT / "domain" / "errors.py"]
    return sorted([*files, *email.glob("*.py"), _ROOT / "storage" / "files.py"])


class UidValidityChanged(NewsdeskError, RuntimeError):
    """The mailbox was rebuilt between the reader's plan and the worker's fetch."""


class WorkerDied(NewsdeskError, RuntimeError):
    """A fetch worker process ended while it held a batch."""


class FetchWorkers:
    """`processes` fetch workers for one mailbox, each started on first use."""

    def __init__(
        self,
        *,
        config: ImapConfig,
        files_root: Path,
        allowed_extensions: Sequence[str] = (),
        max_message_bytes: int,
        processes: int = 2,
        parse_budget_seconds: float | None = None,
    ) -> None:
        if processes < 1:
            raise ValueError("a fetch worker pool needs at least one process")
        self.processes = processes
        self._init = (
            code_version(),
            config,
            os.fspath(files_root),
            tuple(allowed_extensions),
            max_message_bytes,
            parse_budget_seconds,
        )
        self._tasks: queue.Queue[tuple[Future[Any], tuple[Any, ...]] | None] = queue.Queue()
        self._workers = [_Worker(self._init) for _ in range(processes)]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def _start(self) -> None:
        with self._lock:
            if self._threads:
                return
            for index, worker in enumerate(self._workers):
                thread = threading.Thread(
                    target=self._serve, args=(worker,), name=f"fetch-worker-{index}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _serve(self, worker: _Worker) -> None:
        """One thread per worker process: hand it the next request, wait for its answer."""
        while (task := self._tasks.get()) is not None:
            done, request = task
            if not done.set_running_or_notify_cancel():
                continue
            try:
                done.set_result(worker.ask(request))
            except BaseException as exc:
                done.set_exception(exc)

    def _submit(self, request: tuple[Any, ...]) -> Future[Any]:
        self._start()
        done: Future[Any] = Future()
        self._tasks.put((done, request))
        return done

    def submit(self, uids: list[int], info: Info, uidvalidity: int) -> Future[Result]:
        """Fetch, parse and store one batch in a worker: (items, entries) with the bytes left
        out (FetchedMail.raw and ParsedAttachment.data are empty; their files are on disk)."""
        wanted = {uid: info[uid] for uid in uids if uid in info}
        return self._submit(("work", uids, wanted, uidvalidity))

    def warm(self) -> None:
        """Blocking: start every worker and log it in now rather than on the first batch."""
        with ThreadPoolExecutor(len(self._workers)) as starting:
            for pid in starting.map(lambda w: w.ask(("connect",)), self._workers):
                assert isinstance(pid, int)

    def pids(self) -> list[int]:
        """Process ids of the running workers (for monitoring)."""
        return sorted(pid for worker in self._workers if (pid := worker.pid()) is not None)

    def close(self) -> None:
        """Blocking: stop the workers; each logs out of the mailbox as it exits."""
        with self._lock:
            threads, self._threads = self._threads, []
        for _ in threads:
            self._tasks.put(None)
        for thread in threads:
            thread.join()
        for worker in self._workers:
            worker.stop()


class _Worker:
    """One worker process, (re)started when needed; used by one thread at a time."""

    def __init__(self, init: tuple[Any, ...]) -> None:
        self._init = init
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # one request at a time per process

    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None and process.poll() is None else None

    def _spawn(self) -> subprocess.Popen[bytes]:
        path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH")) if p)
        # The service's settings (tokens, passwords) stay out of the worker: it gets only
        # what it needs, on its stdin.
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env["PYTHONPATH"] = path
        process = subprocess.Popen(
            [sys.executable, "-m", "intake.email.workers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=_ROOT,
            env=env,
        )
        _send(_pipe(process.stdin), ("init", *self._init))
        return process

    def ask(self, request: tuple[Any, ...]) -> Any:
        """Send one request and wait for its answer (a raised error when it failed)."""
        with self._lock:
            return self._ask(request)

    def _ask(self, request: tuple[Any, ...]) -> Any:
        process = self._process
        if process is None or process.poll() is not None:
            process = self._process = self._spawn()
        try:
            _send(_pipe(process.stdin), request)
        except OSError:  # died while idle: this request goes to a fresh worker
            self._discard()
            process = self._process = self._spawn()
            _send(_pipe(process.stdin), request)
        try:
            status, value = _receive(_pipe(process.stdout))
        except (EOFError, OSError) as exc:
            self._discard()
            raise WorkerDied(f"fetch worker {process.pid} ended (code {process.poll()})") from exc
        if status == "error":
            raise value
        return value

    def _discard(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(OSError):
            _pipe(process.stdin).close()  # end of requests: the worker logs out and exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _pipe(stream: IO[bytes] | None) -> IO[bytes]:
    assert stream is not None  # Popen was given stdin=PIPE, stdout=PIPE
    return stream


def _send(stream: IO[bytes], message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive(stream: IO[bytes]) -> Any:
    header = stream.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise EOFError("the other side closed the pipe")
    (size,) = _HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError("the other side closed the pipe")
    return pickle.loads(data)  # our own process, over our own pipe


# --- inside a worker process -------------------------------------------------------------


class _Fetcher:
    def __init__(
        self,
        config: ImapConfig,
        files_root: str,
        allowed: tuple[str, ...],
        max_bytes: int,
        parse_budget: float | None,
    ) -> None:
        self.config = config
        self.parse_budget = parse_budget
        self.files = FileStore(Path(files_root))
        self.allowed = allowed
        self.max_bytes = max_bytes
        self.writers = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-files")
        self.session: ImapSession | None = None
        self.refusal: CodeChanged | None = None

    def connect(self) -> ImapSession:
        if self.session is None:
            self.session = ImapSession(self.config)
        return self.session

    def disconnect(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            session.close()

    def work(self, uids: list[int], info: Info, uidvalidity: int) -> Result:
        try:
            session = self.connect()
            session.client.noop()  # the server tells this connection of mail that arrived since
            if session.uidvalidity != uidvalidity and session.refresh() != uidvalidity:
                raise UidValidityChanged(
                    f"UIDVALIDITY of {session.config.mailbox} is now {session.uidvalidity}, "
                    f"not {uidvalidity}"
                )
            items = fetch_batch(session, uids, info, uidvalidity, self.max_bytes)
        except Exception:
            with contextlib.suppress(Exception):
                self.disconnect()  # a broken connection is not reused; the next batch logs in
            raise
        batch = prepare_batch(items, self.files, self.allowed, self.writers, self.parse_budget)
        batch.written_blocking()  # durable before the service may commit rows naming them
        out = (
            [dataclasses.replace(item, raw=b"") for item in items],
            [(_without_bytes(parsed), digest) for parsed, digest in batch.entries],
        )
        del items, batch  # the memory stays for the next batch (see main())
        return out


def _without_bytes(parsed: ParsedMessage) -> ParsedMessage:
    files = tuple(dataclasses.replace(a, data=b"") for a in parsed.attachments)
    return dataclasses.replace(parsed, attachments=files)


def _answer(fetcher: _Fetcher, request: tuple[Any, ...]) -> tuple[str, Any]:
    if fetcher.refusal is not None:
        return "error", fetcher.refusal
    try:
        if request[0] == "connect":
            fetcher.connect()
            return "ok", os.getpid()
        return "ok", fetcher.work(*request[1:])
    except Exception as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:  # an exception that cannot cross the pipe is described instead
            exc = RuntimeError(f"{type(exc).__name__}: {str(exc)[:500]}")
        return "error", exc


IDLE_TRIM_SECONDS = 1.0


def _readable(stream: IO[bytes], timeout: float) -> bool:
    """Whether a request is waiting on `stream` within `timeout` seconds. Requests and
    answers alternate, so nothing is left in the stream's buffer when this is asked."""
    return bool(select.select([stream], [], [], timeout)[0])


def main() -> None:
    """The worker's loop: requests on stdin until it closes, answers on stdout."""
    requests, answers = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by a library goes to stderr, never into the answers
    _, version, *init = _receive(requests)
    fetcher = _Fetcher(*init)
    if version != code_version():
        fetcher.refusal = CodeChanged(
            "a fetch worker started from code that differs from the service's "
            "(new code deployed without restarting the service)"
        )
    gc.collect()  # as `serve` settles its heap: full collections skip what start-up made
    gc.freeze()
    # Parsing a batch allocates ~100,000 short-lived objects, freed by reference counting
    # (the parser makes no cycles worth collecting early): the default threshold ran a
    # young-generation collection every 700 allocations. Sweep of 500 mails 1.38 -> 1.32 s
    # (medians of 5 alternating runs).
    gc.set_threshold(100_000, 20, 20)
    # Freed buffers are reused by the next batch, not given back and faulted in again; the
    # memory goes back to the OS once the worker has been idle for a second (a sweep sends
    # the next batch at once). Why and what it measured: intake/email/memory.py.
    if not keep_freed_memory():
        print("fetch worker: the allocator kept its defaults (not glibc?)", file=sys.stderr)
    worked = False
    try:
        while True:
            if worked and not _readable(requests, IDLE_TRIM_SECONDS):
                release_memory()
                worked = False
            try:
                request = _receive(requests)
            except EOFError:
                return
            _send(answers, _answer(fetcher, request))
            worked = True
    finally:
        with contextlib.suppress(Exception):
            fetcher.disconnect()


if __name__ == "__main__":
    # Run the module under its own name, so what it raises unpickles as
    # intake.email.workers.UidValidityChanged in the service, not as __main__.something.
    from intake.email import workers

    workers.main()

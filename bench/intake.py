"""E-mail intake benchmark: `python -m bench.intake --n 500`.

Fills a private Dovecot with N messages (the golden corpus's client formats, each with a
unique Message-ID, 5% carrying a 2 MB photo), then measures in separate processes, one
after the other on the same mailbox (each after an os.sync(), so none pays for the
writeback of the one before): a bare IMAPClient FETCH (3 runs per round, the median
kept: it lasts ~0.2 s), the straightforward reference
pipeline, and Newsdesk's real reader end to end, for `--repeat` rounds (default 3). Peak
memory is each process's max RSS from /usr/bin/time. Prints messages/second, the ratios and
peak memory of each round, and the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

ROOT = Path(__file__).resolve().parents[1]
CORPUS = sorted((ROOT / "tests" / "golden" / "mail").glob("*.eml"))
BIG_EVERY = 20  # 5% of the messages carry a 2 MB attachment


def build_mix(n: int, seed: int = 7) -> list[bytes]:
    """N distinct messages in real clients' formats; every 20th with a 2 MB photo."""
    rng = random.Random(seed)
    originals = [p.read_bytes() for p in CORPUS]
    photo = rng.randbytes(2 * 1024 * 1024)
    out = []
    for index in range(n):
        raw = originals[index % len(originals)]
        raw = _unique_id(raw, index)
        if index % BIG_EVERY == BIG_EVERY - 1:
            raw = _with_photo(raw, photo, index)
        out.append(raw)
    return out


def _unique_id(raw: bytes, index: int) -> bytes:
    head, sep, body = raw.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"message-id:")]
    lines.insert(0, f"Message-ID: <bench-{index}@bench.newsdesk>".encode())
    return b"\r\n".join(lines) + sep + body


def _with_photo(raw: bytes, photo: bytes, index: int) -> bytes:
    """Wrap the message's body and a 2 MB JPEG into a new multipart/mixed."""
    import base64

    head, _, body = raw.partition(b"\r\n\r\n")
    keep = [
        ln
        for ln in head.split(b"\r\n")
        if not ln.lower().startswith((b"content-type", b"content-transfer-encoding", b"\t", b" "))
        and b":" in ln
    ]
    inner = [
        ln
        for ln in head.split(b"\r\n")
        if ln.lower().startswith((b"content-type", b"content-transfer-encoding"))
    ]
    boundary = f"bench-{index}".encode()
    encoded = base64.encodebytes(b"\xff\xd8\xff\xe0" + photo).replace(b"\n", b"\r\n")
    parts = [
        b"--" + boundary, *inner, b"", body,
        b"--" + boundary, b"Content-Type: image/jpeg; name=anh-lon.jpg",
        b"Content-Disposition: attachment; filename=anh-lon.jpg",
        b"Content-Transfer-Encoding: base64", b"", encoded, b"--" + boundary + b"--", b"",
    ]  # fmt: skip
    keep.append(b'Content-Type: multipart/mixed; boundary="' + boundary + b'"')
    return b"\r\n".join(keep) + b"\r\n\r\n" + b"\r\n".join(parts)


def fill(port: int, messages: list[bytes]) -> int:
    """APPEND every message to alice's INBOX; returns the total size in bytes."""
    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    client._imap.debug = 0
    client.login("alice", "alicepw")
    for raw in messages:
        client.append("INBOX", raw)
    client.logout()
    return sum(len(m) for m in messages)


def measure(
    mode: str, port: int, database_url: str = "", scratch: Path | None = None
) -> dict[str, float]:
    """Run one mode in a child process under /usr/bin/time; messages/s and peak MiB.

    Its files go to a new folder under `scratch`, left for the caller to delete at the end:
    deleting thousands of files just before the next run would slow that run down (ext4
    skips recently deleted inodes when it allocates new ones; on this machine's
    journal-less ext4 a perf profile showed `recently_deleted` at ~8% of the reader's CPU).
    Without `scratch`, the folder is deleted when the run ends.
    """
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-{mode}-", dir=scratch))
    # Every run starts with nothing waiting to be written: otherwise the run after the
    # reference (whose ~60 MB of attachments are written without fsync and flushed by the
    # kernel up to 30 s later) pays for that writeback in its first fsync.
    os.sync()
    try:
        command = [
            "/usr/bin/time", "-f", "MAXRSS=%M", sys.executable, "-m", "bench.intake",
            "--child", mode, "--port", str(port), "--workdir", str(workdir),
            "--database-url", database_url,
        ]  # fmt: skip
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{mode} failed:\n{done.stdout}\n{done.stderr}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rss = [ln for ln in done.stderr.splitlines() if ln.startswith("MAXRSS=")][-1]
        # The reader's parse worker processes count too: their peaks are added (an upper
        # bound of the whole tree at any one time).
        result["peak_mib"] = (int(rss.split("=")[1]) + result.get("workers_kib", 0)) / 1024
        result["rate"] = result["count"] / result["seconds"]
        return result
    finally:
        if scratch is None:
            shutil.rmtree(workdir, ignore_errors=True)


def child(mode: str, port: int, workdir: Path, database_url: str) -> None:
    """Inside the measured process: time only the pipeline itself."""
    if mode == "stages":
        from bench.intake_stages import stages

        figures = stages(port, workdir, database_url)
        seconds = sum(s["wall"] for s in figures["stages"].values())
        print(json.dumps(figures | {"seconds": seconds}))
        return
    from bench.intake_modes import MODES, WORKER_PEAKS

    count, seconds = MODES[mode](port, workdir, database_url)
    print(json.dumps({"count": count, "seconds": seconds, "workers_kib": sum(WORKER_PEAKS)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="messages in the mailbox")
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds of bare, reference and reader (median)"
    )
    parser.add_argument("--child", choices=["bare", "reference", "reader", "stages"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument(
        "--url",
        default="",
        help="PostgreSQL admin URL: the reader stores into a throwaway database there "
        "(default: a fresh SQLite file; the reference pipeline always uses SQLite)",
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.port, args.workdir, args.database_url)
        return
    run(args.n, args.url, max(1, args.repeat))


def run(n: int, pg_admin_url: str = "", repeat: int = 3) -> None:
    """Start Dovecot, fill it, then `repeat` rounds of bare, reference and reader, in that
    order, each round on the same mailbox (the reader's moves are undone between rounds).

    These machines' speed drifts by ±20% within a minute, so one round proves little: the
    ratios are taken within each round and their median is reported.
    """
    from tests.fakes.dovecot import start_dovecot

    server = start_dovecot()
    rounds: list[dict[str, dict[str, float]]] = []
    scratch = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    try:
        size = fill(server.port, build_mix(n))
        print(f"mailbox: {n} messages, {size / 1_048_576:.1f} MiB (5% with a 2 MB photo)")
        print(f"reader's database: {'PostgreSQL' if pg_admin_url else 'SQLite'}")
        # the stages read the mailbox without changing it
        stage_costs = _measure_with_db("stages", server.port, pg_admin_url, scratch)
        for number in range(1, repeat + 1):
            # The bare fetch lasts ~0.2 s, so one run swings by a third: take the median of 3.
            bares = sorted((measure("bare", server.port, scratch=scratch) for _ in range(3)),
                           key=lambda r: r["rate"])  # fmt: skip
            results = {
                "bare": bares[1],
                "reference": measure("reference", server.port, scratch=scratch),
            }
            results["reader"] = _measure_with_db("reader", server.port, pg_admin_url, scratch)
            restore(server.port)  # the reader moved every message to the processed folder
            rounds.append(results)
            print(f"round {number}:")
            _show_round(results)
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    if repeat > 1:
        print(f"median of {repeat} rounds:")
        medians = {m: _median_of(rounds, m) for m in ("bare", "reference", "reader")}
        _show_round(medians, ratios=False)
        reference = statistics.median(r["reader"]["rate"] / r["reference"]["rate"] for r in rounds)
        bare = statistics.median(r["reader"]["rate"] / r["bare"]["rate"] for r in rounds)
        print(f"  median ratio, reader / reference: {reference:.2f}x (aim >= 4x)")
        print(f"  median ratio, reader / bare fetch: {bare:.2f} (aim >= 0.20)")
    last = rounds[-1]
    show_stages(stage_costs, last["reference"]["rate"], last["bare"]["rate"])


def _measure_with_db(mode: str, port: int, pg_admin_url: str, scratch: Path) -> dict[str, Any]:
    if not pg_admin_url:
        return measure(mode, port, scratch=scratch)
    from bench.pg import throwaway_database

    with throwaway_database(pg_admin_url, f"bench_{mode}") as url:
        return measure(mode, port, url, scratch)


def restore(port: int) -> None:
    """Move everything the reader processed back to INBOX for the next round."""
    client = IMAPClient("127.0.0.1", port=port, ssl=False)
    client._imap.debug = 0
    client.login("alice", "alicepw")
    client.select_folder("Processed")
    uids = client.search(["ALL"])
    if uids:
        client.move(uids, "INBOX")
    client.logout()


def _median_of(rounds: list[dict[str, dict[str, float]]], mode: str) -> dict[str, float]:
    keys = ("count", "seconds", "rate", "peak_mib")
    return {k: statistics.median(r[mode][k] for r in rounds) for k in keys}


def _show_round(results: dict[str, dict[str, float]], *, ratios: bool = True) -> None:
    for mode, r in results.items():
        print(
            f"  {mode:10s} {r['count']:6.0f} msgs {r['seconds']:7.2f} s "
            f"{r['rate']:8.1f} msgs/s  peak {r['peak_mib']:6.1f} MiB"
        )
    if not ratios:
        return
    reader, bare, ref = results["reader"], results["bare"], results["reference"]
    print(f"  reader / reference: {reader['rate'] / ref['rate']:.2f}x (aim >= 4x)")
    print(f"  reader / bare fetch: {reader['rate'] / bare['rate']:.2f} (aim >= 0.20)")


def show_stages(result: dict[str, Any], reference: float, bare: float) -> None:
    """Each stage alone, and the best rate any arrangement of that work could reach here."""
    count = result["count"]
    print(f"each stage alone, {count} messages (wall / CPU seconds):")
    for name, figures in result["stages"].items():
        print(f"  {name:6s} {figures['wall']:6.2f} / {figures['cpu']:5.2f}")
    cpu = sum(figures["cpu"] for figures in result["stages"].values())
    cores = os.cpu_count() or 1
    best = count * cores / cpu
    print(
        f"  all stages: {cpu:.2f} CPU-s, so at most {best:.0f} msgs/s on {cores} cores "
        "(perfect parallelism; the mail server's share and the kernel's writeback of the "
        "files are not counted, so the real ceiling is lower): "
        f"{best / reference:.2f}x the reference, {best / bare:.2f} of the bare fetch"
    )


if __name__ == "__main__":
    main()

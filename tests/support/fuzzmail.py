"""A seeded mutator over the golden corpus, and a runner that parses its mutants in a fresh
interpreter (`python -m tests.support.fuzzmail --seed 1 --cases 3000`), reporting the
slowest message's CPU time, the process's peak memory and every mutant that broke the
parser's contract (an exception caught as "unparseable", a string that is not NFC).

Mutations mix random damage (flipped, inserted, deleted and repeated bytes, truncation,
two mails spliced) with the hostile shapes of issue 18: header parameters with an open
quote or thousands of parameters, codecs that are not charsets, NUL in labels, thousands of
blank or "On ..." lines, nested multiparts, .docx and winmail.dat parts, long names.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from mime.parse import parse_message

CORPUS = sorted((Path(__file__).parents[1] / "golden" / "mail").glob("*.eml"))
_HEADER_END = re.compile(rb"\r?\n\r?\n")

HOSTILE_HEADERS = [
    b'Content-Type: text/plain; charset=utf-8; x="' + b"a;" * 20_000,
    b"Content-Type: text/plain; " + b"p=v; " * 5_000,
    b'Content-Disposition: attachment; filename="' + b"\\" * 3_000,
    b"Content-Type: multipart/mixed; boundary*=zlib''x",
    b"Content-Type: text/plain; charset*=utf-8''utf-8",
    b"Content-Type: text/plain; charset=zlib",
    b"Content-Type: text/plain; charset=undefined",
    b'Content-Type: text/plain; charset="utf-8\x00"',
    b"Subject: =?rot13?q?Gva?= =?idna?q?=FF?= =?punycode?b?eA==?=",
    b"Subject: =?utf-8?q?" + b"=E1=BB=99" * 3_000 + b"?=",
    b"From: " + b'"(<' * 3_000,
    b"From: " + b"Ph\xc3\xb2ng " * 200 + b"<lan@xa.gov.vn>",
    b"Content-Type: application/" + b"x" * 400,
    b"References: " + b"<a@b> " * 5_000,
    b"Content-Transfer-Encoding: base64",
    b"Content-Transfer-Encoding: quoted-printable",
    b"Content-Type: application/ms-tnef",
    b"Content-Type: message/rfc822",
    b"X-Junk: " + b"\x00\x80\xff" * 100,
]
HOSTILE_BODIES = [
    b"\r\n" * 50_000,
    b" \t\r\n" * 20_000,
    b"On \r\n" * 20_000,
    b"From: a\r\n" + b"\r\n" * 20_000,
    (b"Sent from my a" + b" " * 5_000 + b"!\r\n") * 5,
    (b"-" * 2_000 + b" " * 2_000 + b"\r\n") * 5,
    b"> " * 50_000,
    b"<div>" * 20_000 + b"</span>" * 20_000,
    b"=\r\n" * 20_000,
    b"\x00" * 10_000,
]
HOSTILE_HTML = [
    b"<a " * 20_000,
    b"<" * 200_000,
    b"</" * 50_000,
    b"<?" * 50_000,
    b"<!--" + b"<" * 50_000,
    b"<![CDATA[" * 10_000,
    b"<div>" * 20_000 + b"</span>" * 20_000,
    b"<pre>" * 10_000 + b"x " * 10_000,
    b'<blockquote type="cite">' * 5_000,
]


def mutate(rng: random.Random, raw: bytes) -> bytes:
    """One mutant of `raw`: one to four mutations."""
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        data = bytearray(_MUTATIONS[rng.randrange(len(_MUTATIONS))](rng, bytes(data)))
    return bytes(data)


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def _delete(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + data[at + rng.randint(1, 2_000) :]


def _repeat(rng: random.Random, data: bytes) -> bytes:
    at = rng.randint(0, len(data))
    span = data[at : at + rng.randint(1, 200)]
    return data[:at] + span * rng.randint(2, 2_000) + data[at:]


def _truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randint(0, len(data))]


def _splice(rng: random.Random, data: bytes) -> bytes:
    other = CORPUS[rng.randrange(len(CORPUS))].read_bytes()
    return data[: rng.randint(0, len(data))] + other[rng.randint(0, len(other)) :]


def _line_starts(data: bytes) -> list[int]:
    return [0] + [m.end() for m in re.finditer(rb"\n", data[:200_000])]


def _hostile_header(rng: random.Random, data: bytes) -> bytes:
    starts = _line_starts(data)
    at = starts[rng.randrange(len(starts))]
    return data[:at] + rng.choice(HOSTILE_HEADERS) + b"\r\n" + data[at:]


def _hostile_body(rng: random.Random, data: bytes) -> bytes:
    found = _HEADER_END.search(data)
    at = found.end() if found and rng.random() < 0.5 else rng.randint(0, len(data))
    return data[:at] + rng.choice(HOSTILE_BODIES) + data[at:]


def _html(rng: random.Random, data: bytes) -> bytes:
    """The mail's body replaced by hostile HTML (its headers kept, after a Content-Type
    that comes first and so counts)."""
    found = _HEADER_END.search(data)
    head = data[: found.start()] if found else data[:2_000]
    html = rng.choice(HOSTILE_HTML)
    return b"Content-Type: text/html; charset=utf-8\r\n" + head + b"\r\n\r\n" + html


def _nest(rng: random.Random, data: bytes) -> bytes:
    depth = rng.randint(2, 60)
    head = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i)
        for i in range(depth)
    )
    return head + data


_MUTATIONS = [
    _flip,
    _insert,
    _delete,
    _repeat,
    _truncate,
    _splice,
    _hostile_header,
    _hostile_header,
    _hostile_body,
    _html,
    _nest,
]


def mutants(seed: int, cases: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    corpus = [path.read_bytes() for path in CORPUS]
    for _ in range(cases):
        yield mutate(rng, corpus[rng.randrange(len(corpus))])


def broken_contract(raw: bytes) -> str | None:
    """Why the parse of `raw` breaks the parser's contract, or None."""
    parsed = parse_message(raw)
    if any(w.startswith("unparseable") for w in parsed.warnings):
        return ", ".join(parsed.warnings)
    strings = [parsed.title, parsed.text, parsed.sender.address or "", parsed.sender.name or ""]
    strings += [a.filename for a in parsed.attachments]
    if not all(unicodedata.is_normalized("NFC", s) for s in strings):
        return "a string that is not NFC"
    if any("\x00" in s for s in strings):
        return "a NUL character"
    return None


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss it starts afresh at
    exec, not with the size of the process that forked it)."""
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s*(\d+) kB", status)
    return int(found.group(1)) / 1024 if found else 0.0


def run(seed: int, cases: int) -> dict[str, object]:
    failures: list[tuple[int, str]] = []
    slowest = (0.0, -1)
    for index, raw in enumerate(mutants(seed, cases)):
        started = time.process_time()
        problem = broken_contract(raw)
        used = time.process_time() - started
        slowest = max(slowest, (used, index))
        if problem is not None:
            failures.append((index, problem))
    return {
        "seed": seed,
        "cases": cases,
        "slowest_cpu_seconds": slowest[0],
        "slowest_case": slowest[1],
        "peak_mb": peak_mb(),
        "failures": failures[:20],
        "failure_count": len(failures),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--cases", type=int, default=3_000)
    parser.add_argument("--save", type=int, help="write mutant N to stdout instead")
    args = parser.parse_args()
    if args.save is not None:
        for index, raw in enumerate(mutants(args.seed, args.save + 1)):
            if index == args.save:
                sys.stdout.buffer.write(raw)
        return
    print(json.dumps(run(args.seed, args.cases)))


if __name__ == "__main__":
    main()

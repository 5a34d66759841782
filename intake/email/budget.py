"""A CPU-time budget for parsing one mail in a parse worker (intake/email/parsing.py).

The parser is meant to take well under 2 s for any mail under the size limit (linear
patterns, bounded headers, a streamed .docx). Should some input still find a slow path,
the worker stops parsing that one mail when its budget of CPU time is spent: the mail is
kept raw (its file is written as for any mail), stored with the warning
`parse_over_budget` for the editors, and the mailbox moves on.

The budget is a process CPU-time timer (ITIMER_VIRTUAL, so a loaded machine does not spend
it) whose signal raises in the main thread, where a parse worker parses; the regular
expression engine checks for signals as it runs. Elsewhere (a thread of the service
process) the mail is parsed without a budget.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

from mime.model import ParsedMessage
from mime.parse import parse_message


class ParseOverBudget(BaseException):
    """Raised by the timer's signal; a BaseException, so `except Exception` in the parser
    and the libraries it calls does not swallow it."""


def _expired(signum: int, frame: FrameType | None) -> None:
    raise ParseOverBudget


def parse_within(raw: bytes, cpu_seconds: float | None) -> ParsedMessage:
    """parse_message(raw), or an empty message flagged `parse_over_budget` when parsing
    used more than `cpu_seconds` of CPU time (None: no budget)."""
    if cpu_seconds is None or threading.current_thread() is not threading.main_thread():
        return parse_message(raw)
    previous = signal.signal(signal.SIGVTALRM, _expired)
    try:
        try:
            signal.setitimer(signal.ITIMER_VIRTUAL, cpu_seconds)
            return parse_message(raw)
        finally:
            signal.setitimer(signal.ITIMER_VIRTUAL, 0)
    except ParseOverBudget:
        return over_budget(cpu_seconds)
    finally:
        signal.signal(signal.SIGVTALRM, previous)


def over_budget(cpu_seconds: float) -> ParsedMessage:
    """What is stored for a mail whose parsing was stopped: nothing but the warning."""
    return ParsedMessage.empty(f"parse_over_budget: {cpu_seconds:g} s")

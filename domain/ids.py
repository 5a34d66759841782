"""Row ids and versions that arrive as text (button data, commands): checked before any query.

A forged `rv:rj:99999999999999999999:1` must be refused here, not overflow the database driver.
"""

from __future__ import annotations

import re

# Our integer columns are 32-bit on PostgreSQL.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(text: str) -> int | None:
    """A positive id or version written in ASCII digits that fits the columns; else None."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None

"""Bounds on header values, applied as a header block is parsed.

The standard library's parameter parser (behind get_param, get_boundary, get_filename and
get_content_charset) rescans the value from its start at every ";" when a quote is left
open: a 200 KB Content-Type took ~5 s, a 1.4 MB mutated mail 44 s. Parameterised headers
are therefore cut to a few thousand characters and a few dozen parameters as they are
parsed; what fits is kept and the cut is reported as a warning ("header_truncated:
Content-Type"). Other headers are read only through decode_header_value(), which bounds
what it decodes (ParseLimits.max_header_chars), and regular expressions that are linear.
"""

from __future__ import annotations

from email.policy import Compat32

MAX_PARAMETER_HEADER_CHARS = 4_000
MAX_PARAMETERS = 30
_PARAMETERISED = frozenset({"content-type", "content-disposition"})


def bound_header(name: str, value: str) -> str | None:
    """`value` cut to its header's bounds, or None when it is within them."""
    if name.lower() not in _PARAMETERISED:
        return None
    if len(value) <= MAX_PARAMETER_HEADER_CHARS and value.count(";") <= MAX_PARAMETERS:
        return None
    position = -1
    for _ in range(MAX_PARAMETERS + 1):  # keep the first MAX_PARAMETERS parameters
        position = value.find(";", position + 1)
        if position < 0:
            break
    if position >= 0:
        value = value[:position]
    if len(value) > MAX_PARAMETER_HEADER_CHARS:
        last = value.rfind(";", 0, MAX_PARAMETER_HEADER_CHARS + 1)  # whole parameters only
        value = value[:last] if last > 0 else value[:MAX_PARAMETER_HEADER_CHARS]
    return value


class BoundedCompat32(Compat32):
    """compat32 that cuts each header to its bounds as the feedparser reads it; the names
    of the headers cut are appended to `truncated` (one list per parse)."""

    truncated: list[str] | None = None

    def __init__(self, truncated: list[str] | None = None) -> None:
        super().__init__()
        object.__setattr__(self, "truncated", truncated)  # policies refuse plain assignment

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        bounded = bound_header(name, value)
        if bounded is None:
            return name, value
        if self.truncated is not None:
            self.truncated.append(name)
        return name, bounded


def bounded_policy(truncated: list[str]) -> BoundedCompat32:
    """A BoundedCompat32 for one parse, reporting the headers it cuts into `truncated`."""
    return BoundedCompat32(truncated)

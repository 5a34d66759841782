"""What the transport itself says (Vietnamese, NFC)."""

from __future__ import annotations

UNKNOWN_BUTTON = "Nút này không còn hiệu lực."

"""Plain rows for bulk INSERTs carry the model's defaults and refuse unknown names."""

from __future__ import annotations

import pytest

from storage.models import Attachment
from storage.rows import full_row


def test_defaults_are_filled_and_mistakes_refused() -> None:
    values = {"submission_id": 1, "sha256": "a" * 64, "filename": "ảnh.jpg"}
    row = full_row(Attachment, values | {"content_type": "image/jpeg", "size": 3})
    assert "id" not in row
    assert (row["revision"], row["position"], row["media"], row["caption"]) == (1, 0, "other", "")
    assert row["created_at"].tzinfo is not None  # the default factory ran
    with pytest.raises(KeyError, match="size"):
        full_row(Attachment, values | {"content_type": "image/jpeg"})
    with pytest.raises(KeyError, match="sizes"):
        full_row(Attachment, values | {"content_type": "image/jpeg", "size": 3, "sizes": 3})

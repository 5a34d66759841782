"""Settings as loaded: paths resolved once, whatever the working directory does later."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from settings import Settings


def test_relative_data_dir_becomes_absolute_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN the default data dir `var` WHEN settings load in some folder and the process
    later changes directory THEN every derived path stays under the first folder (file URIs
    of dry-run previews need an absolute path)."""
    monkeypatch.delenv("NEWSDESK_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.data_dir == tmp_path.resolve() / "var"
    monkeypatch.chdir(os.sep)
    assert settings.files_dir == tmp_path.resolve() / "var" / "files"
    assert settings.drop_dir == tmp_path.resolve() / "var" / "inbox"
    (settings.files_dir / "ab").mkdir(parents=True)
    assert (settings.files_dir / "ab").as_uri().startswith("file:///")
    assert Settings(data_dir="x/../y", _env_file=None).data_dir == Path.cwd() / "y"  # type: ignore[call-arg]

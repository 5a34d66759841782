"""`.env.example` documents every setting with its default (regenerate when it fails)."""

from __future__ import annotations

from scripts.env_example import render, render_markdown
from tests.support.paths import ROOT


def test_env_example_is_current() -> None:
    path = ROOT / ".env.example"
    assert path.read_text(encoding="utf-8") == render(), (
        "run: .venv/bin/python scripts/env_example.py > .env.example"
    )


def test_readme_configuration_reference_is_current() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- settings:begin -->\n")[1].split("<!-- settings:end -->")[0]
    assert block == render_markdown(), "run: .venv/bin/python scripts/env_example.py --readme"

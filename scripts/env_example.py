"""Write .env.example from the Settings class: every field, its default and its meaning.

Run `python scripts/env_example.py > .env.example`; a test fails when the file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from settings import ROOT, Settings


def _value(value: Any) -> str:
    if isinstance(value, SecretStr):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Path):
        try:
            return str(value.relative_to(ROOT))
        except ValueError:
            return str(value)
    if value is None:
        return ""
    return str(value)


def render() -> str:
    lines = [
        "# Newsdesk configuration. Copy to .env and fill in what you use; every line here shows",
        "# the default. A component whose credentials are empty is switched off at start-up.",
        "# Nested settings: NEWSDESK_<GROUP>__<FIELD>. Lists are JSON.",
        "",
    ]
    defaults = Settings.model_construct()
    for name, field in Settings.model_fields.items():
        value = getattr(defaults, name)
        if isinstance(value, BaseModel):
            doc = (type(value).__doc__ or "").strip().splitlines()[0]
            lines.append(f"# --- {name}: {doc}")
            for sub, subfield in type(value).model_fields.items():
                lines.append(f"# {subfield.description or ''}".rstrip())
                shown = _value(getattr(value, sub))
                lines.append(f"NEWSDESK_{name.upper()}__{sub.upper()}={shown}")
            lines.append("")
        else:
            lines.append(f"# {field.description or ''}".rstrip())
            lines.append(f"NEWSDESK_{name.upper()}={_value(value)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_markdown() -> str:
    """The configuration reference table for the README."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    defaults = Settings.model_construct()
    for name, field in Settings.model_fields.items():
        value = getattr(defaults, name)
        if isinstance(value, BaseModel):
            for sub, subfield in type(value).model_fields.items():
                shown = _value(getattr(value, sub)).replace("|", "\\|")
                rows.append(
                    f"| `NEWSDESK_{name.upper()}__{sub.upper()}` | `{shown}` | "
                    f"{(subfield.description or '').replace('|', '/')} |"
                )
        else:
            rows.append(
                f"| `NEWSDESK_{name.upper()}` | `{_value(value)}` | {field.description or ''} |"
            )
    return "\n".join(rows) + "\n"


def update_readme(path: Path) -> None:
    """Replace the block between the settings markers in the README."""
    text = path.read_text(encoding="utf-8")
    start, end = "<!-- settings:begin -->\n", "<!-- settings:end -->"
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    path.write_text(head + start + render_markdown() + end + tail, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        update_readme(ROOT / "README.md")
    else:
        sys.stdout.write(render())

"""compose/ stays pure: it imports only the standard library, itself and domain/."""

from __future__ import annotations

import ast
from pathlib import Path

import compose

ALLOWED = {"compose", "domain", "__future__", "re", "unicodedata", "dataclasses", "typing",
           "collections", "difflib"}  # fmt: skip


def test_compose_imports_nothing_with_io() -> None:
    root = Path(compose.__file__).parent
    for path in root.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] in ALLOWED, f"{path.name} imports {name}"

"""The product's import graph: dependencies point down, with no circle.

Checked on the source (every `import` and `from ... import`, at any depth, type-checking
imports included), so a new module that closes a circle or reaches across layers fails here
rather than in a reviewer's head."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.support.paths import ROOT
from tests.unit.test_layout import MODULES, PACKAGES

# (importer's top-level package, imported top-level package) pairs that must never occur:
# intake is below review and publisher; review never reaches back into intake; the pure
# layers import nothing of the service.
SERVICES = ("intake", "review", "publisher", "scheduler", "reports")
ENTRIES = ("runtime", "web", "cli", "main")
PURE = ("domain", "compose", "mime")
FORBIDDEN = {
    ("intake", "review"),
    ("intake", "publisher"),
    ("review", "intake"),
    # the pure layers import nothing of the rest (mime and compose may use domain)
    *(
        (low, high)
        for low in PURE
        for high in {p.split(".")[0] for p in PACKAGES} | MODULES
        if high not in ("domain", low)
    ),
    # the shared layers below the services never reach up into them or the entry points
    *(
        (low, high)
        for low in ("storage", "tgbot", "outbox", "sources")
        for high in SERVICES + ENTRIES
    ),
    # services never import the entry points
    *((low, high) for low in SERVICES for high in ENTRIES),
}


def _modules() -> dict[str, Path]:
    found = {name: ROOT / f"{name}.py" for name in MODULES}
    for package in PACKAGES:
        folder = ROOT / package.replace(".", "/")
        for path in folder.glob("*.py"):
            name = package if path.name == "__init__.py" else f"{package}.{path.stem}"
            found[name] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            edges[name].update(t for t in targets if t in modules and t != name)
    return edges


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_another_in_a_circle() -> None:
    assert _cycles(_graph()) == []


def test_no_import_crosses_the_layers_upwards() -> None:
    top = lambda name: name.split(".")[0]  # noqa: E731
    crossing = sorted(
        (a, b) for a, targets in _graph().items() for b in targets if (top(a), top(b)) in FORBIDDEN
    )
    assert crossing == []


def test_the_checker_sees_a_circle_and_a_crossing() -> None:
    """The two checks above are not vacuous."""
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]
    edges = _graph()
    assert "storage.db" in edges["runtime.serve"]
    assert ("intake", "review") in FORBIDDEN and ("domain", "storage") in FORBIDDEN

"""The repository's layout: the product's packages are the ones pyproject.toml installs, and
the tests mirror them.

Every folder under tests/unit and tests/integration is named after the product package (or
sub-package) its tests exercise, and is a package itself, so two test modules of the same name
in different folders never collide. Tests that span the whole product sit at the top of
tests/unit or tests/integration; helpers used by several packages' tests live in tests/support,
golden files in tests/golden, the fake Telegram and Zalo servers in tests/fakes."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tests.support.paths import ROOT

TEST_ROOTS = ("unit", "integration")
# Folders that hold Python packages but are not the product (build/: what setuptools leaves).
NOT_PRODUCT = {"tests", "bench", "scripts", "build"}

_setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
PACKAGES: set[str] = set(_setuptools["packages"])
MODULES: set[str] = set(_setuptools["py-modules"])


def _folders(kind: str) -> list[Path]:
    base = ROOT / "tests" / kind
    return sorted(
        p.relative_to(base)
        for p in base.rglob("*")
        if p.is_dir() and p.name != "__pycache__" and not p.name.startswith(".")
    )


def names_product_code(relative: Path) -> bool:
    """A test folder's path names an installed package (intake/email: intake.email) or, one
    level deep, an installed module (settings)."""
    if len(relative.parts) == 1 and relative.name in MODULES:
        return True
    return ".".join(relative.parts) in PACKAGES


def test_pyproject_installs_every_package_of_the_product() -> None:
    tops = [
        d
        for d in ROOT.iterdir()
        if d.is_dir() and not d.name.startswith(".") and d.name not in NOT_PRODUCT
    ]
    inits = [p for top in tops for p in top.rglob("__init__.py")]
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in inits}
    assert found == PACKAGES, (
        f"add to [tool.setuptools] packages: {sorted(found - PACKAGES)}; "
        f"no longer in the repository: {sorted(PACKAGES - found)}"
    )
    assert all((ROOT / f"{m}.py").is_file() for m in MODULES)


@pytest.mark.parametrize("kind", TEST_ROOTS)
def test_every_test_folder_names_a_product_package(kind: str) -> None:
    strays = [str(f) for f in _folders(kind) if not names_product_code(f)]
    assert not strays, f"tests/{kind}: folders that name no product package: {strays}"


@pytest.mark.parametrize("kind", TEST_ROOTS)
def test_every_test_folder_is_a_package(kind: str) -> None:
    base = ROOT / "tests" / kind
    missing = [str(f) for f in _folders(kind) if not (base / f / "__init__.py").is_file()]
    assert not missing, f"tests/{kind}: folders without __init__.py: {missing}"


def test_a_stray_folder_is_told_apart() -> None:
    assert names_product_code(Path("intake") / "email")
    assert names_product_code(Path("settings"))
    assert not names_product_code(Path("foundation"))
    assert not names_product_code(Path("email"))
    assert not names_product_code(Path("settings") / "email")
    assert not names_product_code(Path("tests"))

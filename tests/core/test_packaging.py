"""Packaging: one `barometro` namespace, no top-level `validators`/`addin`, data shipped."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MAPPED = {"barometro.addin": "addin", "barometro.validators": "validators",
          "barometro.workbook_templates": "workbook_templates"}


def _declared_packages() -> list[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return data["tool"]["setuptools"]["packages"]


def _package_dir(name: str) -> Path:
    for prefix, folder in MAPPED.items():
        if name == prefix or name.startswith(prefix + "."):
            return REPO / folder / Path(*name[len(prefix) + 1:].split(".")) if name != prefix else REPO / folder
    return REPO / "src" / Path(*name.split("."))


def test_every_package_folder_is_declared():
    declared = set(_declared_packages())
    found = set()
    roots = [(REPO / "src" / "barometro", "barometro")] + [(REPO / f, p) for p, f in MAPPED.items()]
    for root, prefix in roots:
        for init in root.rglob("__init__.py"):
            rel = init.parent.relative_to(root)
            found.add(".".join([prefix, *rel.parts]) if rel.parts else prefix)
    assert found <= declared, f"add to pyproject packages: {sorted(found - declared)}"
    for name in declared:
        assert (_package_dir(name) / "__init__.py").exists(), name


@pytest.mark.slow
def test_wheel_has_one_namespace_and_its_data(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("barometro-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.startswith("barometro-")}
    assert tops == {"barometro"}, tops
    for needed in ("barometro/validators/__init__.py", "barometro/addin/__init__.py",
                   "barometro/workbook_templates/spec.py", "barometro/profiles/cremona.toml",
                   "barometro/locale/core.toml",
                   "barometro/data/cremona_relazione_performance_2021.txt"):
        assert needed in names, needed
    assert not any(n.startswith("tests/") for n in names)


def test_installed_modules_do_not_shadow_pypi_names():
    import importlib.util

    assert importlib.util.find_spec("barometro.validators") is not None
    spec = importlib.util.find_spec("validators")
    assert spec is None or "barometro" not in str(spec.origin or "")

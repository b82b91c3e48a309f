"""Shared fixtures: the Cremona seed, LibreOffice availability, temp folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _find_seed() -> Path:
    """The bundled copy of the Cremona report (shipped in the package data)."""
    bundled = REPO / "src" / "barometro" / "data" / "cremona_relazione_performance_2021.txt"
    return bundled


@pytest.fixture(scope="session")
def cremona_txt() -> Path:
    path = _find_seed()
    assert path.exists(), f"bundled Cremona report missing: {path}"
    return path


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice's soffice; .ci/run installs it, so its absence is a failure."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe, "LibreOffice headless not found: run `bash scripts/test.sh`, which installs it"
    return exe

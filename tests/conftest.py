"""Shared fixtures: the Cremona seed, LibreOffice availability, temp folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# The suite pins its language: messages are asserted in Italian unless a test asks for
# English itself, whatever BAROMETRO_LANG says (subprocesses inherit the pin).
os.environ["BAROMETRO_LANG"] = "it"


@pytest.fixture(autouse=True)
def _language_pinned():
    from barometro.messages import set_language

    set_language(None)
    yield
    set_language(None)


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


SLOW_TIER = ("slow", "browser", "postgres")


def pytest_collection_modifyitems(config, items):
    """A test that needs LibreOffice (the `soffice` fixture, directly or through another
    fixture) carries the `libreoffice` marker, and so does every test marked slow, browser
    or postgres: `-m "not libreoffice"` is the fast tier (under a minute), the rest the
    slow tier."""
    for item in items:
        if "soffice" in getattr(item, "fixturenames", ()) or any(item.get_closest_marker(m) for m in SLOW_TIER):
            item.add_marker(pytest.mark.libreoffice)

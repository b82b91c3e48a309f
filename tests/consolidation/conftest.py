"""Fixtures of the consolidation tests: in-memory results and written outputs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from consolidation_helpers import STAMP, make_result  # noqa: E402,F401

from barometro.consolidation import (  # noqa: E402
    ConsolidationResult,
)


@pytest.fixture(scope="session")
def small_result() -> ConsolidationResult:
    return make_result()


@pytest.fixture(scope="session")
def small_outputs(small_result, tmp_path_factory) -> dict[str, Path]:
    """Workbook, HTML and PDF of the small result, written once for the session."""
    from barometro.consolidation import write_outputs

    out = tmp_path_factory.mktemp("small_outputs")
    paths = {"xlsx": out / "relazione.xlsx", "html": out / "relazione.html", "pdf": out / "relazione.pdf"}
    write_outputs(small_result, output=paths["xlsx"], html=paths["html"], pdf=paths["pdf"])
    return paths

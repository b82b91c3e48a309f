"""Fixtures of the consolidation tests: in-memory results and written outputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from consolidation_helpers import STAMP, make_result  # noqa: F401

from barometro.consolidation import (
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

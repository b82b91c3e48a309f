"""Fixtures of the consolidation tests: in-memory results and written outputs."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from consolidation_helpers import SECTOR_A, SECTOR_B, SECTOR_C, ret, small_plan  # noqa: E402

from barometro.consolidation import (  # noqa: E402
    ConsolidationResult,
    FileStatus,
    compute_scores,
    merge_returns,
    merged_plan,
)
from barometro.consolidation.types import RunInfo  # noqa: E402
from barometro.settings import load_profile  # noqa: E402

STAMP = datetime(2022, 4, 1, 12, 0, 0)


def make_result(include_errors: bool = True, drop_c: bool = False) -> ConsolidationResult:
    """The small plan: A returned, B returned with errors (included), C returned or missing."""
    plan = small_plan()
    settings = load_profile("cremona")
    returns = [
        ret("a.xlsx", "Settore A", SECTOR_A, notes={"SOC-02-01": "Gara deserta"}),
        ret("b.xlsx", "Settore B", SECTOR_B, FileStatus.ERRORS,
            notes={"AMB-02-02": "Decreto regionale di proroga"}),
    ]
    if not drop_c:
        returns.append(ret("c.xlsx", "Settore C", SECTOR_C))
    merge = merge_returns(plan, returns, include_errors=include_errors)
    final = merged_plan(plan, merge)
    scores = compute_scores(final, settings)
    run = RunInfo(STAMP, "0.1.0", settings, None, include_errors=include_errors)
    return ConsolidationResult(final, settings, merge, scores, run)


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

"""Session fixtures of the legacy tests: the Cremona seed imported once."""

from __future__ import annotations

import pytest
from legacy_helpers import SEED


@pytest.fixture(scope="session")
def cremona_import():
    from barometro.legacy import import_report

    return import_report(SEED)

"""Fixtures of the portal tests (helpers are in portal_helpers.py and portal_env.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from portal_env import start_env  # noqa: E402


@pytest.fixture(scope="module")
def env(tmp_path_factory):  # noqa: ANN001, ANN201
    e = start_env(tmp_path_factory.mktemp("portal"))
    yield e
    e.client.__exit__(None, None, None)

"""The portal benchmark still runs (tiny sizes): the README's figures come from it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from portal_helpers import REPO

pytestmark = pytest.mark.slow


def test_portal_benchmark_prints_its_table(tmp_path):
    proc = subprocess.run([sys.executable, "benchmarks/bench_portal.py", "--concurrent", "4", "--rounds", "1",
                           "--sectors", "20", "--versions", "40", "--no-recalc"], cwd=REPO, capture_output=True,
                          text=True, timeout=600, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    for row in ("upload to result, median", "95th percentile", "dashboard page, 20 sectors / 40 versions",
                "baseline: `barometro validate", "server memory, peak"):
        assert row in out, out

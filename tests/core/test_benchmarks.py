"""The benchmark scripts still run (tiny sizes): the README's figures come from them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _run(args: list[str], tmp_path: Path) -> str:
    proc = subprocess.run(
        [sys.executable, *args], cwd=REPO, capture_output=True, text=True, timeout=600,
        env={**__import__("os").environ, "TMPDIR": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def test_validate_benchmark_prints_its_table(tmp_path, soffice):
    out = _run(["benchmarks/bench_validate.py", "--sizes", "14,28", "--baseline-files", "3", "--repeat", "1",
                "--instructions", "2"], tmp_path)
    assert "| 14 |" in out and "| 28 |" in out and "speed-up" in out
    assert "validate per file / calamine:" in out  # the floor the speed target is measured against
    counted = dict(re.findall(r"^\| (python-calamine|`validate_file`) \| ([0-9.]+) \|", out, re.M))
    assert set(counted) == {"python-calamine", "`validate_file`"}, out[-1500:]
    assert 0 < float(counted["python-calamine"]) < float(counted["`validate_file`"]) < 1000  # millions, per file


@pytest.mark.slow
def test_consolidate_benchmark_prints_its_table(tmp_path):
    out = _run(["benchmarks/bench_consolidate.py", "--returns", "30"], tmp_path)
    assert "validate + merge + workbook + HTML" in out


def test_robustness_benchmark_prints_its_table(tmp_path, soffice):
    out = _run(["benchmarks/bench_robustness.py", "--small"], tmp_path)
    assert "worst peak memory of one file" in out and "| crashes (exit code not 0/1) | 0 | 0 |" in out
    assert "all targets met" in out

"""The CLI: fast help, every command documented with an example."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from click.testing import CliRunner

from barometro.cli.main import COMMANDS, cli


def test_help_is_fast():
    """`barometro --help` answers in under 0.3 s, as a user runs it (the console script)."""
    script = Path(sys.executable).with_name("barometro")
    cmd = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "barometro.cli.main", "--help"]
    best = min(_timed(cmd) for _ in range(5))
    assert best < 0.3, f"barometro --help took {best:.3f} s"


def _timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=30)
    return time.perf_counter() - start


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    listed = cli.list_commands(None)  # type: ignore[arg-type]
    assert set(listed) == set(COMMANDS), f"commands not built: {set(COMMANDS) - set(listed)}"
    for name in listed:
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.output, f"`barometro {name} --help` has no example"


def test_help_does_not_import_heavy_libraries():
    code = (
        "import sys; from barometro.cli.main import cli, COMMANDS; "
        "[cli.get_command(None, n) for n in COMMANDS]; "
        "heavy = [m for m in ('openpyxl', 'pandas', 'xlwings', 'formulas', 'xlsxwriter') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.strip()
    assert out == "", f"imported at --help time: {out}"

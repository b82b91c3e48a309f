"""The catalogue: CHECKS.md in sync, every code with messages in both languages,
every registered check's codes known, and a crashing check reported, not raised."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from barometro.messages import catalogue
from barometro.validators.catalogue import render
from barometro.validators.findings import CODES, make
from barometro.validators.registry import load_checks

REPO = Path(__file__).resolve().parents[2]


def test_checks_md_in_sync() -> None:
    on_disk = (REPO / "validators" / "CHECKS.md").read_text(encoding="utf-8")
    assert on_disk == render(), "run: python -m barometro.validators.catalogue --write"
    for code in CODES:
        assert f"| {code} |" in on_disk


def test_every_code_has_complete_messages() -> None:
    cat = catalogue()
    for code, spec in CODES.items():
        for lang in ("it", "en"):
            for part in ("title", "message", "hint"):
                assert f"validators.{code}.{part}" in cat[lang], (lang, code, part)
        ex = dict(spec.example)
        f = make(code, "x.xlsx", sheet=str(ex.pop("sheet", "S")), expected=ex.pop("expected", None),
                 found=ex.pop("found", None), **ex)
        assert "{" not in f.message and "{" not in f.hint, code


def test_codes_are_grouped_and_checks_declare_known_codes() -> None:
    assert all(c[0] in "RSCFVL" and len(c) == 4 for c in CODES)
    declared = {code for chk in load_checks() for code in chk.codes}
    assert declared <= set(CODES)
    assert {"S101", "C206", "F301", "V403"} <= declared


def test_crashing_check_becomes_finding(tmp_path: Path) -> None:
    from barometro.validators import registry
    from barometro.validators.book import Book
    from barometro.validators.context import CheckContext

    @registry.check("zz_broken_for_test", codes=("R099",), needs_layout=False)
    def broken(ctx):  # noqa: ANN001
        raise KeyError("boom")
        yield  # pragma: no cover

    try:
        ctx = CheckContext("f.xlsx", Book("f.xlsx"), {}, None)
        found = [f for f in registry.run_checks(ctx) if f.code == "R099"]
        assert found and "zz_broken_for_test" in found[0].message
    finally:
        registry._REGISTRY.pop("zz_broken_for_test")


def test_cli_checks_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "barometro.cli.main", "checks"], capture_output=True, text=True)
    assert out.returncode == 0 and "S109" in out.stdout
    for cmd in ("validate", "checks"):
        h = subprocess.run([sys.executable, "-m", "barometro.cli.main", cmd, "--help"], capture_output=True, text=True)
        assert "Example:" in h.stdout

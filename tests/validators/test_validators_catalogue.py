"""The catalogue: CHECKS.md in sync, every code with messages in both languages,
every registered check's codes known, and a crashing check reported, not raised."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from barometro.messages import catalogue, placeholders
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
        # The catalogue's example supplies every placeholder the texts use, with a value.
        used = placeholders(cat["it"][f"validators.{code}.message"]) | placeholders(cat["it"][f"validators.{code}.hint"])
        assert used - {"cell"} <= {k for k, v in spec.example.items() if v not in (None, "")}, code
        ex = dict(spec.example)
        f = make(code, "x.xlsx", sheet=str(ex.pop("sheet", "S")), expected=ex.pop("expected", None),
                 found=ex.pop("found", None), **ex)
        assert f.render_message("it") and f.render_message("en") != f.render_message("it"), code


def test_codes_are_grouped_and_checks_declare_known_codes() -> None:
    assert all(c[0] in "RSCFVL" and len(c) == 4 for c in CODES)
    declared = {code for chk in load_checks() for code in chk.codes}
    assert declared <= set(CODES)
    assert {"S101", "C206", "F301", "V403"} <= declared


def test_crashing_check_becomes_finding(monkeypatch) -> None:
    from barometro.validators import registry
    from barometro.validators.book import Book
    from barometro.validators.context import CheckContext

    @registry.check("zz_broken_for_test", codes=("F304",), needs_layout=False)
    def broken(ctx):  # noqa: ANN001
        raise KeyError("boom")
        yield  # pragma: no cover

    monkeypatch.setattr(registry, "load_checks", lambda: (broken.__check__,))
    ctx = CheckContext("f.xlsx", Book("f.xlsx"), {}, None)
    found = [f for f in registry.run_checks(ctx) if f.code == "R099"]
    assert found and "zz_broken_for_test" in found[0].message and "KeyError" in found[0].message


def test_registry_refuses_duplicate_names_and_codes_without_owner() -> None:
    import pytest

    from barometro.validators import registry

    specs = list(load_checks())
    with pytest.raises(registry.RegistryError, match="used twice"):
        registry.validate_registry([*specs, specs[0]])
    with pytest.raises(registry.RegistryError, match="without a check"):
        registry.validate_registry(specs[1:])
    clash = registry.CheckSpec("zz_clash", ("S101",), specs[0].fn)
    with pytest.raises(registry.RegistryError, match="S101"):
        registry.validate_registry([*specs, clash])


def test_every_code_has_one_owner_named_in_the_catalogue() -> None:
    from barometro.validators.registry import owner_of

    on_disk = (REPO / "validators" / "CHECKS.md").read_text(encoding="utf-8")
    for code in CODES:
        owner = owner_of(code)
        line = next(ln for ln in on_disk.splitlines() if ln.startswith(f"| {code} |"))
        assert line.rstrip(" |").endswith(owner), (code, owner)


def test_cli_checks_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "barometro.cli.main", "checks"], capture_output=True, text=True)
    assert out.returncode == 0 and "S109" in out.stdout
    for cmd in ("validate", "checks"):
        h = subprocess.run([sys.executable, "-m", "barometro.cli.main", cmd, "--help"], capture_output=True, text=True)
        assert "Example:" in h.stdout

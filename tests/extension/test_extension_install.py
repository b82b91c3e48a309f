"""Install into a throwaway profile, use, remove: the profile is left as it was.

Its own LibreOffice and profile (not the session's): install through the
ExtensionManager API (what Strumenti > Gestione estensioni and unopkg do),
restart, check the functions and commands work, remove, restart, and check
that nothing of the extension is left: not in LibreOffice (functions, menu,
handler) and not in the profile's files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from ext_office import EXTENSION_ID, Office

pytestmark = pytest.mark.libreoffice

# Written by LibreOffice's extension manager on every change of the user's extensions
# (a cache of what is deployed); compared by content below, not by bytes.
BOOKKEEPING = ("user/pack/ExtensionInfo.pack",)


def _files(profile: Path) -> dict[str, str]:
    return {str(p.relative_to(profile)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(profile.rglob("*")) if p.is_file()}


def _mentions_barometro(profile: Path) -> list[str]:
    return [str(p.relative_to(profile)) for p in profile.rglob("*")
            if p.is_file() and b"barometro" in p.read_bytes().lower()]


def _empty_registry(path: Path) -> bool:
    """An extension manager's file that lists nothing (an XML root without children, etc.)."""
    body = path.read_text(encoding="utf-8")
    if path.suffix == ".xml":
        return len(ET.fromstring(body)) == 0
    if path.suffix == ".pmap":  # its header line only
        return body.split() in ([], ["Pmp1"])
    if path.name == "unorc":
        return all(not line.strip() or line.startswith("ORIGIN=") for line in body.splitlines())
    return not body.strip()


def _formula_result(office: Office) -> tuple[int, str]:
    doc = office.new_calc()
    try:
        sheet = doc.Sheets.getByIndex(0)
        sheet.getCellRangeByName("A1").setValue(2)
        sheet.getCellRangeByName("B1").setValue(10)
        cell = sheet.getCellRangeByName("C1")
        cell.setFormula('=BAR_RAGG(A1;B1;"quantitativo";"decrescente")')
        doc.calculateAll()
        return cell.getError(), cell.getString()
    finally:
        doc.close(True)


def _dispatched(office: Office) -> bool:
    doc = office.new_calc()
    try:
        return office.dispatch(doc, "Ricalcola")["dispatched"]
    finally:
        doc.close(True)


def _wizard_names(office: Office) -> set[str]:
    descriptions = office.create("com.sun.star.sheet.FunctionDescriptions")
    names = set()
    for i in range(descriptions.Count):
        name = {p.Name: p.Value for p in descriptions.getByIndex(i)}.get("Name", "")
        if str(name).startswith("BAR_"):
            names.add(name)
    return names


def test_install_use_remove_leaves_the_profile_as_it_was(tmp_path, oxt, soffice):
    real_profile = Path.home() / ".config" / "libreoffice"
    real_before = real_profile.exists() and real_profile.stat().st_mtime
    profile = tmp_path / "profile"
    office = Office(profile, soffice=soffice).start()
    try:
        _formula_result(office)  # a first use writes LibreOffice's own view settings: part of "before"
        office.stop()
        before = _files(profile)
        assert not _mentions_barometro(profile)

        office.start()
        package = office.install(oxt.path)
        assert package.getIdentifier().Value == EXTENSION_ID
        assert EXTENSION_ID in office.installed()
        office.restart()
        assert _formula_result(office) == (0, "100")
        assert _dispatched(office)
        assert len(_wizard_names(office)) == 5

        office.remove()
        assert EXTENSION_ID not in office.installed()
        office.restart()  # LibreOffice deletes a removed extension's files at start
        assert EXTENSION_ID not in office.installed()
        error, shown = _formula_result(office)
        assert error != 0, shown  # BAR_RAGG is an unknown name again
        assert not _dispatched(office)
        assert not _wizard_names(office)
        menus = office.config("/org.openoffice.Office.Addons/AddonUI/OfficeMenuBar")
        assert "org.barometro.menu" not in menus.ElementNames
        addins = office.config("/org.openoffice.Office.CalcAddIns/AddInInfo")
        assert "org.barometro.calc.Functions" not in addins.ElementNames
        handlers = office.config("/org.openoffice.Office.ProtocolHandler/HandlerSet")
        assert "org.barometro.calc.Commands" not in handlers.ElementNames
    finally:
        office.stop()
    after = _files(profile)
    assert not _mentions_barometro(profile)
    changed = sorted(k for k in before if before[k] != after.get(k) and k not in BOOKKEEPING)
    assert not changed, changed  # every file of the profile is as it was
    added = sorted(set(after) - set(before))
    assert all(k.startswith(("user/uno_packages/cache/", "user/extensions/tmp/")) for k in added), added
    for k in added:  # only the extension manager's registries are new, and they are empty
        assert _empty_registry(profile / k), (k, (profile / k).read_bytes()[:300])
    assert (real_profile.exists() and real_profile.stat().st_mtime) == real_before  # the user's own: untouched


def test_works_when_started_from_an_activated_virtual_environment(oxt, soffice, tmp_path, monkeypatch):
    """Started from a shell with a virtual environment activated (its `python3` first on PATH),
    LibreOffice still runs the extension on its own Python: a new spreadsheet opens and a
    BAR_ function computes (with that PATH handed over as it was, creating any document failed
    with std::bad_alloc)."""
    import os
    import sys

    venv = Path(sys.prefix if sys.prefix != sys.base_prefix else Path(sys.executable).parent.parent)
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    monkeypatch.setenv("PATH", f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    assert (venv / "bin" / "python3").exists()
    office = Office(tmp_path / "profile", soffice=soffice).start()
    try:
        office.install(oxt.path)
        office.restart()
        assert _formula_result(office) == (0, "100")  # the document opens, BAR_RAGG computes
    finally:
        office.stop()

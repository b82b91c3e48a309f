"""`barometro extension`: what the .oxt holds, built from the sources (no LibreOffice run needed)."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from barometro.addin import functions
from barometro.addin.extension_build import (
    EXCLUDED_PACKAGES,
    PACKAGES,
    RDB,
    TEMPLATE_KEYS,
    TEMPLATES,
    ExtensionBuildError,
    build_extension,
    build_rdb,
    check_idl,
    find_unoidl_write,
    source_dir,
)
from barometro.cli.main import cli
from barometro.messages import text

MAX_BYTES = 5_000_000
FORBIDDEN = ("click", "pandas", "numpy", "xlwings", "weasyprint", "xlsxwriter", "pyopenvba", "oletools", "formulas")
# standard modules gone in Python 3.12 (PEP 594, distutils, imp) and 3.13: LibreOffice 26.x bundles those
REMOVED = {"distutils", "imp", "asynchat", "asyncore", "smtpd", "aifc", "audioop", "cgi", "cgitb", "chunk",
           "crypt", "imghdr", "mailcap", "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd",
           "sunau", "telnetlib", "uu", "xdrlib", "lib2to3"}
NS = {"manifest": "http://openoffice.org/2001/manifest", "c": "http://openoffice.org/2010/uno-components",
      "oor": "http://openoffice.org/2001/registry"}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def unoidl_write() -> str:
    tool = find_unoidl_write()
    assert tool, "unoidl-write not found: `bash scripts/install.sh` installs Debian's libreoffice-dev"
    return tool


@pytest.fixture(scope="module")
def built(tmp_path_factory, unoidl_write):
    return build_extension(tmp_path_factory.mktemp("build") / "barometro.oxt", unoidl_write=unoidl_write)


@pytest.fixture(scope="module")
def unpacked(built, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("unpacked")
    with zipfile.ZipFile(built.path) as zf:
        zf.extractall(folder)
    return folder


def test_the_oxt_is_small_and_the_same_bytes_every_time(built, tmp_path, unoidl_write):
    assert built.size < MAX_BYTES, built.size
    assert built.path.stat().st_mode & 0o044, oct(built.path.stat().st_mode)  # others can read it
    assert built.rdb == "unoidl-write"
    again = build_extension(tmp_path / "again.oxt", unoidl_write=unoidl_write)
    assert again.path.read_bytes() == built.path.read_bytes()
    with zipfile.ZipFile(built.path) as zf:
        assert zf.testzip() is None
        assert list(zf.namelist()) == list(built.files) == sorted(built.files)


def test_manifest_and_components_name_files_that_are_there(unpacked):
    manifest = ET.parse(unpacked / "META-INF" / "manifest.xml").getroot()
    entries = {e.get(f"{{{NS['manifest']}}}full-path"): e.get(f"{{{NS['manifest']}}}media-type")
               for e in manifest.findall("manifest:file-entry", NS)}
    assert entries[RDB].startswith("application/vnd.sun.star.uno-typelibrary")
    assert entries["barometro.components"] == "application/vnd.sun.star.uno-components"
    xcu = sorted(p.relative_to(unpacked).as_posix() for p in (unpacked / "registry").glob("*.xcu"))
    assert sorted(k for k, v in entries.items() if v.endswith("configuration-data")) == xcu
    assert all((unpacked / path).is_file() for path in entries)
    components = ET.parse(unpacked / "barometro.components").getroot()
    uris = [c.get("uri") for c in components.findall("c:component", NS)]
    assert uris and all((unpacked / u).is_file() for u in uris)
    description = (unpacked / "description.xml").read_text(encoding="utf-8")
    assert "{{" not in description and 'value="0.' in description
    for lang in ("it", "en"):
        assert (unpacked / "description" / f"description_{lang}.txt").read_text(encoding="utf-8").strip() == \
            text("addin.ext.description", lang)


def test_type_library_is_compiled_now_and_the_committed_copy_is_up_to_date(unoidl_write, tmp_path, built):
    fresh = build_rdb(tmp_path / "fresh.rdb", unoidl_write=unoidl_write)
    committed = (source_dir() / RDB).read_bytes()
    assert fresh.read_bytes() == committed, "types/barometro.rdb is stale: rebuild it from the IDL"
    with zipfile.ZipFile(built.path) as zf:
        assert zf.read(RDB) == committed
    fallback = build_extension(tmp_path / "senza-sdk.oxt", unoidl_write=False)
    assert fallback.rdb == "committed"
    with zipfile.ZipFile(fallback.path) as zf:
        assert zf.read(RDB) == committed


def test_the_idl_declares_exactly_the_functions(tmp_path):
    check_idl()
    copy = tmp_path / "extension"
    shutil.copytree(source_dir(), copy)
    idl = copy / "idl" / "org" / "barometro" / "calc" / "XBarometro.idl"
    idl.write_text(idl.read_text(encoding="utf-8").replace("[in] any profilo);\n\n    any BAR_OBIETTIVO",
                                                            "[in] any profile);\n\n    any BAR_OBIETTIVO"),
                   encoding="utf-8")
    with pytest.raises(ExtensionBuildError):
        check_idl(copy)


def test_templates_name_exactly_the_template_keys():
    used = set()
    for rel in TEMPLATES:
        used |= set(re.findall(r"\{\{(?:msg|name):([\w.]+)\}\}", (source_dir() / rel).read_text(encoding="utf-8")))
    assert used == TEMPLATE_KEYS


def _localized_props(root: ET.Element):
    for prop in root.iter("prop"):
        values = prop.findall("value")
        if any(v.get(XML_LANG) for v in values):
            yield prop.get(f"{{{NS['oor']}}}name"), values


def test_configuration_is_italian_by_default_and_english_too(unpacked):
    for path in sorted((unpacked / "registry").glob("*.xcu")):
        root = ET.parse(path).getroot()
        for name, values in _localized_props(root):
            by_lang = {v.get(XML_LANG): v.text or "" for v in values}
            if name == "CompatibilityName":  # the name Excel files use: English only
                assert set(by_lang) == {"en-US"}
                continue
            assert set(by_lang) == {None, "it", "en-US"}, (path.name, name)
            assert by_lang[None] == by_lang["it"], (path.name, name)
    addons = (unpacked / "registry" / "Addons.xcu").read_text(encoding="utf-8")
    for key in ("addin.button.ricalcola", "addin.button.valida", "addin.button.consolida", "addin.ext.menu"):
        assert f'<value xml:lang="it">{text(key, "it")}</value>' in addons
        assert f'<value xml:lang="en-US">{text(key, "en")}</value>' in addons
    wizard = ET.parse(unpacked / "registry" / "CalcAddIns.xcu").getroot()
    names = [n.get(f"{{{NS['oor']}}}name") for n in wizard.iter("node")
             if n.get(f"{{{NS['oor']}}}name", "").startswith("BAR_")]
    assert names == [name for name, _, _ in functions.FUNCTIONS]


def _bundled_modules(pythonpath: Path) -> list[str]:
    out = []
    for py in sorted((pythonpath / "barometro").rglob("*.py")):
        rel = py.relative_to(pythonpath).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out.append(".".join(parts))
    return out


def test_pythonpath_is_pure_python_and_imports_on_its_own(unpacked):
    pythonpath = unpacked / "pythonpath"
    compiled = [p for p in pythonpath.rglob("*") if p.suffix in (".so", ".pyd", ".dll", ".pyc")]
    assert not compiled, compiled
    tops = {p.name for p in pythonpath.iterdir()}
    assert tops == {"barometro", "openpyxl", "et_xmlfile"}
    assert not any((pythonpath / "barometro" / part).exists()
                   for part in ("cli", "data", "demo.py", "consolidation/report_pdf.py", "addin/udfs.py",
                                "addin/ops_xlwings.py", "addin/vba", "addin/extension"))
    modules = _bundled_modules(pythonpath)
    # LibreOffice's Python on Debian is /usr/bin/python3; -I -S: no site-packages, only the bundle
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    code = (
        "import sys, importlib; sys.path.insert(0, sys.argv[1]); bad = []\n"
        "for m in sys.argv[3].split(','):\n"
        "    try: importlib.import_module(m)\n"
        "    except Exception as e: bad.append(f'{m}: {type(e).__name__}: {e}')\n"
        "heavy = [m for m in sys.argv[2].split(',') if m in sys.modules]\n"
        "print(repr((bad, heavy)))\n"
    )
    proc = subprocess.run([python, "-I", "-S", "-c", code, str(pythonpath), ",".join(FORBIDDEN), ",".join(modules)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    bad, heavy = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    assert not bad, bad
    assert not heavy, heavy
    assert "barometro.addin.macros" in modules and "barometro.addin.ops_uno" in modules


def test_every_barometro_package_is_bundled_or_left_out_on_purpose():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    declared = set(pyproject["tool"]["setuptools"]["packages"])
    assert declared == set(PACKAGES) | set(EXCLUDED_PACKAGES), declared ^ (set(PACKAGES) | set(EXCLUDED_PACKAGES))


@pytest.mark.slow
def test_vermin_minimum_python_is_at_most_3_11(unpacked):
    vermin = shutil.which("vermin") or str(Path(sys.executable).with_name("vermin"))
    proc = subprocess.run([vermin, "--no-tips", str(unpacked / "pythonpath"), str(unpacked / "python")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "No files specified" not in proc.stdout
    m = re.search(r"Minimum required versions:\s*(\d+)\.(\d+)", proc.stdout)
    assert m, proc.stdout[-2000:]
    assert (int(m.group(1)), int(m.group(2))) <= (3, 11), m.group(0)


def test_nothing_inside_uses_a_module_removed_in_python_3_12_or_3_13(unpacked):
    used = []
    for py in sorted(unpacked.rglob("*.py")):
        for node in ast.walk(ast.parse(py.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and not node.level else []
            used += [(py.relative_to(unpacked).as_posix(), n) for n in names if n.split(".")[0] in REMOVED]
    assert not used, used


def test_cli_builds_the_extension_and_explains_a_bad_name(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["extension", "-o", str(tmp_path / "barometro.oxt")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "barometro.oxt").is_file()
    assert result.output.startswith("Scritta l'estensione") or result.output.startswith("Wrote the extension")
    result = runner.invoke(cli, ["extension", "-o", str(tmp_path / "barometro.zip")])
    assert result.exit_code == 1
    assert text("addin.ext.build.bad_output", path=tmp_path / "barometro.zip") in result.output
    assert not (tmp_path / "barometro.zip").exists()

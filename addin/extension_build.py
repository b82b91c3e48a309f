"""Build the LibreOffice Calc extension `barometro.oxt` from the text sources in `addin/extension/`.

What goes into the `.oxt` (a zip):

* `description.xml`, `META-INF/manifest.xml`, `barometro.components`, the
  configuration `registry/*.xcu` and the Python components `python/*.py`,
  copied from the sources; `{{...}}` placeholders are filled from the message
  catalogue (Italian as the default value, `it` and `en-US`), the package
  version and `functions.FUNCTIONS` (the Function Wizard entries);
* `description/description_it.txt`, `description_en.txt`: the catalogue's
  description of the extension;
* `types/barometro.rdb`, the type library of `idl/`: compiled now with
  `unoidl-write` (Debian `libreoffice-dev`) when it is found, else the copy
  kept with the sources (a test rebuilds it and compares the bytes);
* `pythonpath/`: what the components import, copied from the installed
  packages (wherever they are: a wheel or an editable checkout): Barometro's
  core, templates, validator, consolidation and add-in modules, without what
  needs click, xlwings, WeasyPrint or pandas, and the pure-Python
  dependencies openpyxl and et_xmlfile (their licences under `licenses/`).

The archive is deterministic (sorted entries, fixed timestamps): the same
sources give the same bytes.
"""

from __future__ import annotations

import fnmatch
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from barometro import __version__
from barometro.atomic import atomic_path
from barometro.messages import text

IDL = "idl/org/barometro/calc/XBarometro.idl"
RDB = "types/barometro.rdb"
TEMPLATES = ("description.xml", "registry/Addons.xcu", "registry/CalcAddIns.xcu",
             "registry/CalcWindowState.xcu", "registry/Jobs.xcu", "registry/ProtocolHandler.xcu")
COPIED = ("META-INF/manifest.xml", "barometro.components",
          "python/barometro_functions.py", "python/barometro_commands.py")
LANGS = (("it", "it"), ("en", "en-US"))  # catalogue language, LibreOffice locale
# The catalogue keys the templates may name (msg:KEY, name:KEY); a test checks each is used.
TEMPLATE_KEYS = frozenset({
    "addin.ext.name", "addin.ext.menu", "addin.ext.toolbar",
    "addin.button.ricalcola", "addin.button.valida", "addin.button.consolida",
})
CELL_RANGE = "com::sun::star::table::XCellRange"

# Barometro's packages in the extension, each with the data files it reads.
PACKAGES: dict[str, tuple[str, ...]] = {
    "barometro": ("locale/*.toml", "profiles/*.toml"),
    "barometro.legacy": (),
    "barometro.consolidation": (),
    "barometro.validators": (),
    "barometro.validators.checks": (),
    "barometro.workbook_templates": (),
    "barometro.addin": (),
}
# Left out: the CLI (click), the portal (a web server), the seed data, the demo, what needs
# WeasyPrint or xlwings, the VBA-only files and the extension's own build.
EXCLUDED_PACKAGES = ("barometro.cli", "barometro.portal")
EXCLUDED_MODULES = (
    "barometro.demo",
    "barometro.consolidation.report_pdf",
    "barometro.addin.udfs",
    "barometro.addin.ops_xlwings",
    "barometro.addin.extension_build",
)
VENDORED = {"openpyxl": "openpyxl", "et_xmlfile": "et_xmlfile"}  # import name: distribution
LICENCE_FILES = ("LICEN[CS]E*", "COPYING*")
ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_PLACEHOLDER = re.compile(r"\{\{(\w+)(?::([\w.]+))?\}\}")
_METHOD = re.compile(r"any\s+(\w+)\s*\(([^)]*)\)\s*;")
_PARAM = re.compile(r"\[in\]\s+([\w:]+)\s+(\w+)")


class ExtensionBuildError(ValueError):
    """The extension cannot be built; the message says why (Italian by default)."""


@dataclass(frozen=True)
class ExtensionBuild:
    path: Path
    size: int  # bytes
    rdb: str  # "unoidl-write" (compiled now) or "committed" (the copy kept with the sources)
    files: tuple[str, ...]  # archive entries, sorted


# --------------------------------------------------------------------------- sources


def source_dir() -> Path:
    """The folder of the extension's sources, as installed (package data of barometro.addin)."""
    return Path(str(resources.files("barometro.addin") / "extension"))


def idl_methods(source: Path | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(function, [(UNO type, argument), ...]), ...] as the IDL declares them, in order."""
    idl = ((source or source_dir()) / IDL).read_text(encoding="utf-8")
    idl = re.sub(r"/\*.*?\*/", "", idl, flags=re.S)
    return [(name, _PARAM.findall(params)) for name, params in _METHOD.findall(idl)]


def check_idl(source: Path | None = None) -> None:
    """The IDL declares exactly `functions.FUNCTIONS` (names, arguments, order)."""
    from .functions import FUNCTIONS

    declared = [(name, tuple(a for _, a in params)) for name, params in idl_methods(source)]
    expected = [(name, tuple(args)) for name, _, args in FUNCTIONS]
    if declared != expected:
        raise ExtensionBuildError(f"{IDL} != functions.FUNCTIONS: {declared} / {expected}")


# --------------------------------------------------------------------------- the type library


def find_unoidl_write() -> str | None:
    """unoidl-write: $BAROMETRO_UNOIDL_WRITE, PATH, or the SDK beside LibreOffice."""
    override = os.environ.get("BAROMETRO_UNOIDL_WRITE")
    if override:
        return override if Path(override).is_file() else None
    found = shutil.which("unoidl-write")
    if found:
        return found
    candidates = [Path("/usr/lib/libreoffice/sdk/bin/unoidl-write")]
    soffice = shutil.which("soffice")
    if soffice:
        candidates.append(Path(soffice).resolve().parent.parent / "sdk" / "bin" / "unoidl-write")
    return next((str(c) for c in candidates if c.is_file()), None)


def base_registries(unoidl_write: str) -> list[Path]:
    """LibreOffice's own type libraries (UDK and office API) the IDL refers to."""
    roots = [Path(unoidl_write).resolve().parent.parent / "program", Path("/usr/lib/libreoffice/program")]
    soffice = shutil.which("soffice")
    if soffice:
        roots.insert(0, Path(soffice).resolve().parent)
    for program in roots:
        types, offapi = program / "types.rdb", program / "types" / "offapi.rdb"
        if types.is_file() and offapi.is_file():
            return [types, offapi]
    raise ExtensionBuildError(text("addin.ext.build.missing_source", path="program/types.rdb"))


def build_rdb(output: Path, *, unoidl_write: str, source: Path | None = None) -> Path:
    """Compile the IDL into `output` with unoidl-write (deterministic: same IDL, same bytes)."""
    idl_root = (source or source_dir()) / "idl"
    cmd = [unoidl_write, *map(str, base_registries(unoidl_write)), str(idl_root), str(output)]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 or not output.is_file():
        detail = (proc.stderr or proc.stdout).strip()[-500:]
        raise ExtensionBuildError(text("addin.ext.build.unoidl_failed", idl=IDL, detail=detail))
    return output


# --------------------------------------------------------------------------- templates


def _values(key: str) -> str:
    it = escape(text(key, "it"))
    return f"<value>{it}</value>" + "".join(
        f'<value xml:lang="{locale}">{escape(text(key, lang))}</value>' for lang, locale in LANGS)


def _same_values(value: str) -> str:
    v = escape(value)
    return f"<value>{v}</value>" + "".join(f'<value xml:lang="{locale}">{v}</value>' for _, locale in LANGS)


def _localized(key_or_values: str | dict[str, str]) -> str:
    """`<value>` elements: Italian as the default, then one per locale."""
    if isinstance(key_or_values, str):
        return _values(key_or_values)
    it = escape(key_or_values["it"])
    return f"<value>{it}</value>" + "".join(
        f'<value xml:lang="{locale}">{escape(key_or_values[lang])}</value>' for lang, locale in LANGS)


def calc_addins_functions(source: Path | None = None) -> str:
    """The AddInFunctions nodes of CalcAddIns.xcu, from the IDL and the catalogue."""
    from . import functions as fn

    check_idl(source)
    out: list[str] = []
    for name, params in idl_methods(source):
        out.append(f'        <node oor:name="{name}" oor:op="replace">')
        out.append(f'          <prop oor:name="DisplayName" oor:type="xs:string">{_same_values(name)}</prop>')
        desc = {lang: fn.description(name, lang) for lang, _ in LANGS}
        out.append(f'          <prop oor:name="Description" oor:type="xs:string">{_localized(desc)}</prop>')
        out.append('          <prop oor:name="Category" oor:type="xs:string"><value>Add-In</value></prop>')
        out.append('          <prop oor:name="CompatibilityName" oor:type="xs:string">'
                   f'<value xml:lang="en-US">{name}</value></prop>')
        out.append('          <node oor:name="Parameters">')
        for uno_type, arg in params:
            texts = {}
            for lang, _ in LANGS:
                d = fn.argument_description(name, arg, lang)
                texts[lang] = text("addin.ext.fn.cell_argument", lang, description=d) if uno_type == CELL_RANGE else d
            out.append(f'            <node oor:name="{arg}" oor:op="replace">')
            out.append(f'              <prop oor:name="DisplayName" oor:type="xs:string">{_same_values(arg)}</prop>')
            out.append(f'              <prop oor:name="Description" oor:type="xs:string">{_localized(texts)}</prop>')
            out.append("            </node>")
        out.append("          </node>")
        out.append("        </node>")
    return "\n".join(out)


def description_files() -> dict[str, str]:
    """{archive path: text} of the extension's description, one per language."""
    return {f"description/description_{lang}.txt": text("addin.ext.description", lang) + "\n"
            for lang, _ in LANGS}


def render(template: str, source: Path | None = None) -> str:
    """Fill the `{{...}}` placeholders of one source file."""

    def replace(m: re.Match[str]) -> str:
        kind, arg = m.group(1), m.group(2)
        if kind in ("msg", "name") and arg not in TEMPLATE_KEYS:
            raise ExtensionBuildError(f"placeholder {m.group(0)}: key not in TEMPLATE_KEYS")
        if kind == "msg" and arg:
            return _values(arg)
        if kind == "name" and arg:
            return "\n".join(f'    <name lang="{locale}">{escape(text(arg, lang))}</name>' for lang, locale in LANGS)
        if kind == "file" and arg == "description":
            return "\n".join(f'    <src lang="{locale}" xlink:href="description/description_{lang}.txt"/>'
                             for lang, locale in LANGS)
        if kind == "version":
            return escape(__version__)
        if kind == "functions":
            return calc_addins_functions(source)
        raise ExtensionBuildError(f"unknown placeholder {m.group(0)}")

    return _PLACEHOLDER.sub(replace, template)


# --------------------------------------------------------------------------- pythonpath


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionBuildError(text("addin.ext.build.missing_package", name=name))
    return Path(list(spec.submodule_search_locations)[0])


def bundled_files() -> dict[str, Path]:
    """{path under pythonpath/: source file} of Barometro's modules and the vendored packages."""
    files: dict[str, Path] = {}
    excluded = {m + ".py" for m in EXCLUDED_MODULES}
    for package, data in PACKAGES.items():
        folder = _package_dir(package)
        prefix = package.replace(".", "/")
        for py in sorted(folder.glob("*.py")):
            if f"{package}.{py.name}" not in excluded:
                files[f"{prefix}/{py.name}"] = py
        for pattern in data:
            for item in sorted(folder.glob(pattern)):
                files[f"{prefix}/{item.relative_to(folder).as_posix()}"] = item
    for module in VENDORED:
        folder = _package_dir(module)
        for item in sorted(folder.rglob("*")):
            rel = item.relative_to(folder)
            if item.is_file() and "__pycache__" not in rel.parts and item.suffix not in (".pyc", ".pyo"):
                files[f"{module}/{rel.as_posix()}"] = item
    return files


def licence_files() -> dict[str, Path]:
    """{archive path: file} of the vendored distributions' licences."""
    out: dict[str, Path] = {}
    for module, dist in VENDORED.items():
        try:
            distribution = importlib.metadata.distribution(dist)
        except importlib.metadata.PackageNotFoundError:
            raise ExtensionBuildError(text("addin.ext.build.missing_package", name=dist)) from None
        for f in distribution.files or ():
            if any(fnmatch.fnmatch(Path(str(f)).name, p) for p in LICENCE_FILES):
                out[f"licenses/{module}/{Path(str(f)).name}"] = Path(str(distribution.locate_file(f)))
    return out


# --------------------------------------------------------------------------- the archive


def extension_entries(*, unoidl_write: str | None | bool = None,
                      workdir: Path) -> tuple[dict[str, bytes | Path], str]:
    """Every archive entry ({path: bytes or file}) and where the type library came from.

    `unoidl_write`: None finds the tool; a path uses it; False uses the committed library.
    """
    source = source_dir()
    for rel in (*TEMPLATES, *COPIED, IDL, RDB):
        if not (source / rel).is_file():
            raise ExtensionBuildError(text("addin.ext.build.missing_source", path=source / rel))
    check_idl(source)
    entries: dict[str, bytes | Path] = {}
    for rel in TEMPLATES:
        entries[rel] = render((source / rel).read_text(encoding="utf-8"), source).encode("utf-8")
    for rel in COPIED:
        entries[rel] = source / rel
    for rel, body in description_files().items():
        entries[rel] = body.encode("utf-8")
    tool = find_unoidl_write() if unoidl_write is None else (unoidl_write or None)
    if tool:
        entries[RDB] = build_rdb(workdir / "barometro.rdb", unoidl_write=str(tool), source=source)
        origin = "unoidl-write"
    else:
        entries[RDB] = source / RDB
        origin = "committed"
    for rel, path in bundled_files().items():
        entries[f"pythonpath/{rel}"] = path
    entries.update(licence_files())
    return entries, origin


def build_extension(output: str | Path, *, unoidl_write: str | None | bool = None) -> ExtensionBuild:
    """Write the extension to `output` (.oxt), atomically; return what was written."""
    output = Path(output)
    if output.suffix.lower() != ".oxt":
        raise ExtensionBuildError(text("addin.ext.build.bad_output", path=output))
    with tempfile.TemporaryDirectory(prefix="barometro-oxt-") as tmp:
        entries, origin = extension_entries(unoidl_write=unoidl_write, workdir=Path(tmp))
        names = sorted(entries)
        with atomic_path(output) as out_tmp:
            with zipfile.ZipFile(out_tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
                for name in names:
                    body = entries[name]
                    data = body.read_bytes() if isinstance(body, Path) else body
                    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    info.external_attr = 0o644 << 16
                    zf.writestr(info, data)
    _readable(output)
    return ExtensionBuild(output, output.stat().st_size, origin, tuple(names))


def _readable(path: Path) -> None:
    """The usual permissions of a new file (the atomic temporary file is private): others install it."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)

"""Build the office workbook's VBA project (`vbaProject.bin`) from text sources, on Linux.

The project holds our module (`addin/vba/Barometro.bas`: one parameterless Sub
per button) and xlwings' standalone modules taken from the installed, pinned
xlwings wheel (`xlwings.bas`, `addin/Dictionary.cls`), so no xlwings add-in is
needed on the office PC. pyOpenVBA writes the project (ms-ovba corrupts module
streams: never use it). VBA sources are code page 1252.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

VBA_DIR = Path(__file__).resolve().parent / "vba"
VBA_ENCODING = "cp1252"
OWN_MODULE = "Barometro"
_NAME_RE = re.compile(r'^Attribute VB_Name = "([^"]+)"', re.MULTILINE)


class ModuleKind(StrEnum):
    STANDARD = "standard"  # .bas
    CLASS = "class"  # .cls


@dataclass(frozen=True)
class VbaModule:
    name: str
    source: bytes  # cp1252 bytes, exactly as in the .bas/.cls file
    kind: ModuleKind = ModuleKind.STANDARD

    @property
    def text(self) -> str:
        return self.source.decode(VBA_ENCODING)


@dataclass(frozen=True)
class Button:
    """A form button on the Impostazioni sheet bound to one parameterless Sub."""

    macro: str  # Sub name in Barometro.bas
    python: str  # the RunPython argument the Sub passes
    caption_key: str  # message key of the caption
    cell: str  # top-left cell of the button


BUTTONS: tuple[Button, ...] = (
    Button("Ricalcola", "import barometro.addin.macros as m; m.ricalcola()", "addin.button.ricalcola", "A10"),
    Button("Valida", "import barometro.addin.macros as m; m.valida()", "addin.button.valida", "B10"),
    Button("Consolida", "import barometro.addin.macros as m; m.consolida()", "addin.button.consolida", "D10"),
)


class VbaBuildError(RuntimeError):
    """The VBA project could not be built (a source is missing or unreadable)."""


def module_from_file(path: Path) -> VbaModule:
    data = path.read_bytes()
    try:
        text = data.decode(VBA_ENCODING)
    except UnicodeDecodeError as exc:
        raise VbaBuildError(f"{path}: not code page 1252 ({exc})") from None
    match = _NAME_RE.search(text)
    if not match:
        raise VbaBuildError(f"{path}: no 'Attribute VB_Name' line")
    kind = ModuleKind.CLASS if path.suffix.lower() == ".cls" else ModuleKind.STANDARD
    return VbaModule(match.group(1), data, kind)


def own_modules() -> list[VbaModule]:
    """Our VBA modules, from `addin/vba/*.bas` (text sources kept in git)."""
    return [module_from_file(p) for p in sorted(VBA_DIR.glob("*.bas"))]


def xlwings_dir() -> Path:
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone VBA modules from the installed wheel (no add-in needed)."""
    folder = xlwings_dir()
    paths = [folder / "xlwings.bas", folder / "addin" / "Dictionary.cls"]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise VbaBuildError(f"xlwings VBA sources not found: {', '.join(missing)}")
    return [module_from_file(p) for p in paths]


def project_modules() -> list[VbaModule]:
    """Every module the office workbook carries, in project order."""
    return [*own_modules(), *xlwings_modules()]


def build_vba_project(modules: list[VbaModule] | None = None) -> bytes:
    """`vbaProject.bin` holding `modules` (default: `project_modules()`).

    pyOpenVBA starts from a workbook Office authored (ThisWorkbook, Sheet1,
    Module1), drops Module1 and adds ours.
    """
    from pyopenvba import ExcelFile, VBAModuleKind

    modules = project_modules() if modules is None else modules
    with tempfile.TemporaryDirectory(prefix="barometro-vba-") as tmp:
        book = Path(tmp) / "project.xlsm"
        with ExcelFile.create_new(str(book)) as wb:
            project = wb.vba_project()
            if "Module1" in project.module_names():
                project.delete_module("Module1")
            for module in modules:
                kind = VBAModuleKind.other if module.kind is ModuleKind.CLASS else VBAModuleKind.standard
                project.add_module(module.name, module.text, kind=kind)
            wb.save()
        with zipfile.ZipFile(book) as zf:
            return zf.read("xl/vbaProject.bin")


def read_modules(vba_project_or_book: bytes | str | Path) -> dict[str, bytes]:
    """Module name -> source bytes (cp1252) as olevba (oletools) decompresses them."""
    from oletools.olevba import VBA_Parser

    if isinstance(vba_project_or_book, bytes):
        parser = VBA_Parser("vbaProject.bin", data=vba_project_or_book)
    else:
        parser = VBA_Parser(str(vba_project_or_book))
    try:
        out: dict[str, bytes] = {}
        for _fn, stream, _name, code in parser.extract_macros():
            name = stream.split("/")[-1]
            out[name] = code.encode(VBA_ENCODING) if isinstance(code, str) else code
        return out
    finally:
        parser.close()


def expected_stream_source(module: VbaModule) -> bytes:
    """The source a module stream must hold for `module`.

    A standard module is stored verbatim. A class exported from the VB editor
    loses its `VERSION 1.0 CLASS ... END` preamble and gains an
    `Attribute VB_Base` line after `VB_Name` (what Office itself stores).
    """
    if module.kind is ModuleKind.STANDARD:
        return module.source
    text = module.text
    text = re.sub(r"\AVERSION 1\.0 CLASS\r?\nBEGIN\r?\n(?:.*\r?\n)*?END\r?\n", "", text)
    if "Attribute VB_Base" not in text:
        text = _NAME_RE.sub(
            lambda m: m.group(0) + '\r\nAttribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"',
            text,
            count=1,
        )
    return text.encode(VBA_ENCODING)


def vba_project_from_book(path: str | Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/vbaProject.bin")


__all__ = [
    "BUTTONS",
    "Button",
    "ModuleKind",
    "VbaBuildError",
    "VbaModule",
    "build_vba_project",
    "expected_stream_source",
    "own_modules",
    "project_modules",
    "read_modules",
    "vba_project_from_book",
    "xlwings_modules",
]

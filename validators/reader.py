"""One streaming pass over an .xlsx/.xlsm zip: formulas and cached values together.

`read_book(path)` returns a `Book` (see `book.py`) or raises `ReadProblem`
carrying the finding code that describes why the file cannot be read (not a
zip, truncated, encrypted, .xls/.ods/.csv, zip or XML bomb, too large, not
readable). `sniff(path)` classifies a file without parsing it.

Worksheet and shared-string parts up to `TREE_PART_MAX` are parsed in one C
call (ElementTree) and walked once; larger parts are streamed through expat in
chunks. Either way any DOCTYPE (hence any entity declaration) is refused and
decompressed bytes are counted against a limit, so memory stays bounded
whatever the file.
"""

from __future__ import annotations

import os
import posixpath
import re
import stat
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from xml.parsers import expat

from .book import Book, Cell, Sheet, SheetState, ValueKind, column_index

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
CHUNK = 64 * 1024
# Parts up to this size are parsed in one C call (ElementTree) and walked; larger
# ones are streamed through expat callbacks. Both refuse DOCTYPE/ENTITY.
TREE_PART_MAX = 16 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Guards against hostile or accidental giants. Sector returns are < 1 MB."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_total_uncompressed: int = 300 * 1024 * 1024
    max_member_uncompressed: int = 200 * 1024 * 1024
    max_ratio: float = 120.0  # uncompressed / compressed, for members > bomb_floor
    bomb_floor: int = 8 * 1024 * 1024
    max_cells: int = 1_000_000


DEFAULT_LIMITS = Limits()


class FileKind(StrEnum):
    XLSX = "xlsx"
    OLE = "ole"  # .xls, or an encrypted (password-protected) xlsx
    ODS = "ods"
    TEXT = "text"  # .txt / .csv / anything that is not binary
    UNKNOWN = "unknown"


class ReadProblem(Exception):
    """The file cannot be read as a workbook; `code` is a finding code."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, values)
        self.code = code
        self.values = values


# --------------------------------------------------------------------------- sniffing


def _head(path: Path, n: int = 8) -> bytes:
    with open(path, "rb") as fh:
        return fh.read(n)


def check_access(path: Path, limits: Limits = DEFAULT_LIMITS) -> os.stat_result:
    """stat() the path and refuse what cannot be a readable file (R001, R008)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ReadProblem("R001", reason="link") from None
        raise ReadProblem("R001", reason="missing") from None
    except PermissionError:
        raise ReadProblem("R001", reason="permission") from None
    except OSError as exc:
        raise ReadProblem("R001", reason=exc.strerror or "oserror") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadProblem("R001", reason="directory")
    if not stat.S_ISREG(st.st_mode):
        raise ReadProblem("R001", reason="special")
    if st.st_size > limits.max_file_bytes:
        raise ReadProblem("R008", size_mb=f"{st.st_size / 1048576:.0f}", limit_mb=f"{limits.max_file_bytes / 1048576:.0f}")
    return st


def sniff(path: Path, limits: Limits = DEFAULT_LIMITS) -> FileKind:
    """What the file really is, by magic bytes first, then extension."""
    check_access(path, limits)
    try:
        head = _head(path)
    except PermissionError:
        raise ReadProblem("R001", reason="permission") from None
    except OSError as exc:
        raise ReadProblem("R001", reason=exc.strerror or "oserror") from None
    if head.startswith(OLE_MAGIC):
        return FileKind.OLE
    if head[:4] in ZIP_MAGICS:
        if path.suffix.lower() in (".ods", ".ots"):
            return FileKind.ODS
        return FileKind.XLSX
    suffix = path.suffix.lower()
    if suffix in (".ods", ".ots"):
        return FileKind.ODS
    if suffix in (".txt", ".csv", ".tsv"):
        return FileKind.TEXT
    if suffix in (".xlsx", ".xlsm", ".xls"):
        return FileKind.UNKNOWN
    return FileKind.TEXT if b"\x00" not in head else FileKind.UNKNOWN


def is_encrypted_ole(path: Path) -> bool:
    """An OLE file holding an `EncryptedPackage` stream is a password-protected xlsx."""
    with open(path, "rb") as fh:
        data = fh.read()
    return ENCRYPTED_STREAM in data


# --------------------------------------------------------------------------- zip access


def _guard_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > limits.max_member_uncompressed:
            raise ReadProblem("R009", member=info.filename, size_mb=f"{info.file_size / 1048576:.0f}")
        if info.file_size > limits.bomb_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ReadProblem("R009", member=info.filename, size_mb=f"{info.file_size / 1048576:.0f}")
    if total > limits.max_total_uncompressed:
        raise ReadProblem("R009", member="*", size_mb=f"{total / 1048576:.0f}")


class _Budget:
    """Counts decompressed bytes while streaming (zip headers can lie)."""

    def __init__(self, limit: int) -> None:
        self.left = limit

    def take(self, n: int, member: str) -> None:
        self.left -= n
        if self.left < 0:
            raise ReadProblem("R009", member=member, size_mb="?")


def _parse_part(zf: zipfile.ZipFile, name: str, handler: object, budget: _Budget) -> None:
    """Feed one XML part to expat in chunks; refuse DOCTYPE/ENTITY."""
    parser = expat.ParserCreate()  # no namespace processing: faster; prefixes stripped by _local
    parser.buffer_text = True
    parser.buffer_size = CHUNK
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def refuse(*_args: object) -> None:
        raise ReadProblem("R010", part=name)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = handler.start  # type: ignore[attr-defined]
    parser.EndElementHandler = handler.end  # type: ignore[attr-defined]
    parser.CharacterDataHandler = handler.data  # type: ignore[attr-defined]
    try:
        with zf.open(name) as stream:
            while True:
                chunk = stream.read(CHUNK)
                if not chunk:
                    break
                budget.take(len(chunk), name)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise ReadProblem("R011", part=name, detail=str(exc)) from None


def _local(name: str) -> str:
    i = name.find(":")
    return name if i < 0 else name[i + 1:]


def _attr(attrs: dict[str, str], local: str) -> str | None:
    """Attribute by local name, with or without namespace."""
    if local in attrs:
        return attrs[local]
    suffix = ":" + local
    for k, v in attrs.items():
        if k.endswith(suffix):
            return v
    return None


# --------------------------------------------------------------------------- part handlers


class _Collect:
    """Generic handler: records (local name, attrs) of elements and text of some."""

    def __init__(self, text_of: tuple[str, ...] = ()) -> None:
        self.elements: list[tuple[str, dict[str, str], str]] = []
        self._text_of = text_of
        self._stack: list[tuple[str, dict[str, str]]] = []
        self._buf: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local in self._text_of:
            self._buf = []
        self._stack.append((local, attrs))
        if local not in self._text_of:
            self.elements.append((local, attrs, ""))

    def end(self, name: str) -> None:
        local, attrs = self._stack.pop()
        if local in self._text_of:
            self.elements.append((local, attrs, "".join(self._buf)))
            self._buf = []

    def data(self, text: str) -> None:
        if self._stack and self._stack[-1][0] in self._text_of:
            self._buf.append(text)


class _SharedStrings:
    def __init__(self) -> None:
        self.items: list[str] = []
        self._parts: list[str] = []
        self._in_t = False
        self._skip = 0  # inside <rPh> (phonetic runs): not part of the text

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self._parts = []
        elif local == "t" and not self._skip:
            self._in_t = True
        elif local == "rPh":
            self._skip += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == "si":
            self.items.append("".join(self._parts))
        elif local == "t":
            self._in_t = False
        elif local == "rPh":
            self._skip -= 1

    def data(self, text: str) -> None:
        if self._in_t:
            self._parts.append(text)


class _SheetHandler:
    """Streams <sheetData>: one Cell per non-empty <c>."""

    def __init__(self, sheet: Sheet, strings: list[str], max_cells: int) -> None:
        self.sheet = sheet
        self.strings = strings
        self.max_cells = max_cells
        self.shared: dict[str, tuple[str, str]] = {}  # si -> (formula, origin A1)
        self._row = 0
        self._col = 0
        self._t = "n"
        self._ref: str | None = None
        self._f_attrs: dict[str, str] | None = None
        self._f_text: list[str] = []
        self._v_text: list[str] | None = None
        self._is_text: list[str] | None = None
        self._capture: list[str] | None = None
        self._in_is = False
        self._has_f = False
        self._rph = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name if ":" not in name else name[name.find(":") + 1:]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                digits = ref[len(letters):]
                self._col = column_index(letters.replace("$", ""))
                if digits:
                    self._row = int(digits)
            else:
                self._col += 1
            self._t = attrs.get("t", "n")
            self._has_f = False
            self._f_attrs = None
            self._f_text = []
            self._v_text = None
            self._is_text = None
        elif local == "row":
            r = attrs.get("r")
            self._row = int(r) if r else self._row + 1
            self._col = 0
        elif local == "f":
            self._has_f = True
            self._f_attrs = attrs
            self._f_text = []
            self._capture = self._f_text
        elif local == "v":
            self._v_text = []
            self._capture = self._v_text
        elif local == "is":
            self._in_is = True
            self._is_text = []
        elif local == "rPh":
            self._rph += 1
        elif local == "t" and self._in_is and not self._rph:
            self._capture = self._is_text
        elif local == "sheetProtection":
            flag = attrs.get("sheet", "0")
            self.sheet.protected = flag in ("1", "true")
        elif local == "mergeCell":
            ref = attrs.get("ref")
            if ref:
                self.sheet.merged.append(ref)
        elif local == "dataValidation":
            self.sheet.validations += 1

    def end(self, name: str) -> None:
        local = name if ":" not in name else name[name.find(":") + 1:]
        if local in ("f", "v", "t"):
            self._capture = None
        elif local == "is":
            self._in_is = False
        elif local == "rPh":
            self._rph -= 1
        elif local == "c":
            self._finish_cell()

    def data(self, text: str) -> None:
        if self._capture is not None:
            self._capture.append(text)

    def _finish_cell(self) -> None:
        formula: str | None = None
        array = False
        row, col = self._row, self._col
        if self._has_f:
            formula = self._formula(row, col)
            array = bool(self._f_attrs and self._f_attrs.get("t") == "array")
        value: object = None
        kind = ValueKind.EMPTY
        t = self._t
        if t == "inlineStr":
            if self._is_text is not None:
                value, kind = "".join(self._is_text), ValueKind.TEXT
        elif self._v_text is not None:
            raw = "".join(self._v_text)
            if t == "n":
                if raw != "":
                    try:
                        value, kind = float(raw), ValueKind.NUMBER
                    except ValueError:
                        value, kind = raw, ValueKind.TEXT
            elif t == "s":
                try:
                    value, kind = self.strings[int(raw)], ValueKind.TEXT
                except (ValueError, IndexError):
                    value, kind = raw, ValueKind.TEXT
            elif t == "str":
                value, kind = raw, ValueKind.TEXT
            elif t == "b":
                value, kind = raw.strip() in ("1", "true"), ValueKind.BOOL
            elif t == "e":
                value, kind = raw, ValueKind.ERROR
            elif t == "d":
                value, kind = raw, ValueKind.DATE
            else:
                value, kind = raw, ValueKind.TEXT
        if formula is None and kind is ValueKind.EMPTY:
            return
        cells = self.sheet.cells
        if len(cells) >= self.max_cells:
            raise ReadProblem("R008", size_mb="?", limit_mb=f"{self.max_cells} celle")
        cells[(row, col)] = Cell(row, col, value, kind, formula, array)
        if row > self.sheet.max_row:
            self.sheet.max_row = row

    def _formula(self, row: int, col: int) -> str | None:
        attrs = self._f_attrs or {}
        text = "".join(self._f_text)
        if attrs.get("t") == "shared":
            si = attrs.get("si", "")
            if text:
                from .book import a1

                self.shared[si] = (text, a1(row, col))
            elif si in self.shared:
                text = _translate(self.shared[si], row, col)
        if not text:
            return None
        return "=" + text


def _translate(master: tuple[str, str], row: int, col: int) -> str:
    from openpyxl.formula.translate import Translator

    from .book import a1

    formula, origin = master
    try:
        return Translator("=" + formula, origin=origin).translate_formula(a1(row, col))[1:]
    except Exception:  # noqa: BLE001 - an untranslatable formula stays as written
        return formula



# --------------------------------------------------------------------------- fast path


def _tree(zf: zipfile.ZipFile, name: str, budget: _Budget) -> ET.Element | None:
    """Parse a small part in one C call; None when it is too big for the fast path."""
    info = zf.NameToInfo.get(name)
    if info is None or info.file_size > TREE_PART_MAX:
        return None
    data = zf.read(name)
    budget.take(len(data), name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ReadProblem("R010", part=name)
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReadProblem("R011", part=name, detail=str(exc)) from None


def _lt(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


def _rich_text(el: ET.Element) -> str:
    """Text of an <si>/<is>: its <t> and the <t> of its runs, phonetic runs left out."""
    parts: list[str] = []
    for child in el:
        lc = _lt(child.tag)
        if lc == "t":
            parts.append(child.text or "")
        elif lc == "r":
            for sub in child:
                if _lt(sub.tag) == "t":
                    parts.append(sub.text or "")
    return "".join(parts)


def _walk_shared_strings(root: ET.Element) -> list[str]:
    return [_rich_text(si) for si in root if _lt(si.tag) == "si"]


_COLUMN_CACHE: dict[str, int] = {}


def _walk_sheet(root: ET.Element, h: _SheetHandler) -> None:
    """Drive `_SheetHandler` from a parsed tree: one Python step per cell.

    Tags are compared with the root's own namespace (transitional or strict
    OOXML alike), which is much cheaper than stripping each tag."""
    ns = root.tag[: root.tag.find("}") + 1] if root.tag.startswith("{") else ""
    t_f, t_v, t_is = ns + "f", ns + "v", ns + "is"
    cache = _COLUMN_CACHE
    sheet, strings = h.sheet, h.strings
    cells = sheet.cells
    TEXT, NUMBER = ValueKind.TEXT, ValueKind.NUMBER
    for top in root:
        lt = _lt(top.tag)
        if lt == "sheetData":
            for row in top:
                r = row.get("r")
                h._row = int(r) if r else h._row + 1
                h._col = 0
                pending = None  # ref of the last skipped empty cell
                for c in row:
                    ref = c.get("r")
                    if ref and not len(c):
                        pending = ref  # a styled empty cell: nothing to record
                        continue
                    if ref:
                        pending = None
                        letters = ref.rstrip("0123456789")
                        digits = ref[len(letters):]
                        col = cache.get(letters)
                        if col is None:
                            col = cache.setdefault(letters, column_index(letters.replace("$", "")))
                        h._col = col
                        if digits:
                            h._row = int(digits)
                    elif pending is not None:  # no r="": the cell after the skipped one
                        h._col = column_index(pending.rstrip("0123456789").replace("$", "")) + 1
                        pending = None
                    else:
                        h._col += 1
                    t = c.get("t", "n")
                    if len(c) == 1 and c[0].tag == t_v and t in ("n", "s"):
                        # The common cell, a plain number or shared string: built here
                        # directly (a third of the cost of the general path below).
                        raw = c[0].text or ""
                        if t == "s":
                            try:
                                value, kind = strings[int(raw)], TEXT
                            except (ValueError, IndexError):
                                value, kind = raw, TEXT
                        elif raw:
                            try:
                                value, kind = float(raw), NUMBER
                            except ValueError:
                                value, kind = raw, TEXT
                        else:
                            continue
                        if len(cells) >= h.max_cells:
                            raise ReadProblem("R008", size_mb="?", limit_mb=f"{h.max_cells} celle")
                        row_n = h._row
                        cells[(row_n, h._col)] = Cell(row_n, h._col, value, kind, None, False)
                        if row_n > sheet.max_row:
                            sheet.max_row = row_n
                        continue
                    h._t = t
                    h._has_f = False
                    h._f_attrs = None
                    h._f_text = []
                    h._v_text = None
                    h._is_text = None
                    for child in c:
                        tag = child.tag
                        if tag == t_v:
                            h._v_text = [child.text or ""]
                        elif tag == t_f:
                            h._has_f = True
                            h._f_attrs = dict(child.attrib)
                            h._f_text = [child.text or ""]
                        elif tag == t_is:
                            h._is_text = [_rich_text(child)]
                    h._finish_cell()
        elif lt == "sheetProtection":
            h.sheet.protected = top.get("sheet", "0") in ("1", "true")
        elif lt == "mergeCells":
            h.sheet.merged.extend(m.get("ref") for m in top if m.get("ref"))
        elif lt == "dataValidations":
            h.sheet.validations += sum(1 for d in top if _lt(d.tag) == "dataValidation")


_PROTECTED_RE = re.compile(rb"<(?:\w+:)?sheetProtection\b[^>]*\bsheet=\"(?:1|true)\"")


def _read_sheet(zf: zipfile.ZipFile, part: str, h: _SheetHandler, budget: _Budget, *, light: bool = False) -> None:
    """Parse one worksheet part into `h.sheet`.

    `light`: a sheet whose text the checks never read (the template's
    Istruzioni): when it holds no formula at all, only its protection flag is
    taken, without building its cells."""
    info = zf.NameToInfo.get(part)
    if info is not None and info.file_size <= TREE_PART_MAX:
        data = zf.read(part)
        budget.take(len(data), part)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise ReadProblem("R010", part=part)
        if light and b"<f" not in data and b":f" not in data:
            h.sheet.protected = _PROTECTED_RE.search(data) is not None
            return
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise ReadProblem("R011", part=part, detail=str(exc)) from None
        _walk_sheet(root, h)
        return
    _parse_part(zf, part, h, budget)


# --------------------------------------------------------------------------- workbook


_STATE = {"hidden": SheetState.HIDDEN, "veryHidden": SheetState.VERY_HIDDEN}


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _rels(zf: zipfile.ZipFile, name: str, budget: _Budget) -> dict[str, tuple[str, str, str]]:
    """{rId: (type suffix, target, mode)} of a .rels part (empty when absent)."""
    if name not in zf.NameToInfo:
        return {}
    h = _Collect()
    _parse_part(zf, name, h, budget)
    out = {}
    for local, attrs, _ in h.elements:
        if local == "Relationship":
            out[attrs.get("Id", "")] = (
                attrs.get("Type", "").rsplit("/", 1)[-1],
                attrs.get("Target", ""),
                attrs.get("TargetMode", ""),
            )
    return out


def read_book(
    path: str | os.PathLike[str],
    limits: Limits = DEFAULT_LIMITS,
    *,
    only_sheets: set[str] | None = None,
    light_sheets: frozenset[str] = frozenset(),
) -> Book:
    """Read an .xlsx/.xlsm in one pass. Raises `ReadProblem` (never anything else
    for bad input). `only_sheets` restricts which worksheets are parsed."""
    path = Path(path)
    kind = sniff(path, limits)
    if kind is FileKind.OLE:
        raise ReadProblem("R004") if is_encrypted_ole(path) else ReadProblem("R005")
    if kind is FileKind.ODS:
        raise ReadProblem("R006")
    if kind is FileKind.TEXT:
        raise ReadProblem("R007")
    if kind is FileKind.UNKNOWN:
        raise ReadProblem("R002")
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ReadProblem("R003") from None
    except PermissionError:
        raise ReadProblem("R001", reason="permission") from None
    except OSError as exc:
        raise ReadProblem("R003", detail=str(exc)) from None
    try:
        with zf:
            return _read_zip(zf, path, limits, only_sheets, light_sheets)
    except zipfile.BadZipFile:
        raise ReadProblem("R003") from None
    except (EOFError, OSError, ValueError, NotImplementedError) as exc:
        raise ReadProblem("R003", detail=str(exc)) from None
    except RecursionError:
        raise ReadProblem("R011", part="?", detail="recursion") from None


def _read_zip(
    zf: zipfile.ZipFile, path: Path, limits: Limits, only_sheets: set[str] | None, light_sheets: frozenset[str]
) -> Book:
    names = zf.NameToInfo
    if "mimetype" in names and zf.read("mimetype")[:80].startswith(ODS_MIME):
        raise ReadProblem("R006")
    _guard_zip(zf, limits)
    budget = _Budget(limits.max_total_uncompressed)
    rels = _rels(zf, "_rels/.rels", budget)
    wb_name = next((_resolve("", t) for ty, t, _ in rels.values() if ty == "officeDocument"), "xl/workbook.xml")
    if wb_name not in names:
        raise ReadProblem("R002")
    wb_dir = posixpath.dirname(wb_name)
    book = Book(path=str(path), size=path.stat().st_size)
    book.has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)

    wb = _Collect(text_of=("definedName",))
    _parse_part(zf, wb_name, wb, budget)
    wb_rels = _rels(zf, posixpath.join(wb_dir, "_rels", posixpath.basename(wb_name) + ".rels"), budget)
    sheet_entries: list[tuple[str, SheetState, str]] = []
    for local, attrs, text in wb.elements:
        if local == "sheet":
            rid = _attr(attrs, "id") or ""
            target = wb_rels.get(rid, ("", "", ""))
            sheet_entries.append(
                (attrs.get("name", ""), _STATE.get(attrs.get("state", ""), SheetState.VISIBLE),
                 _resolve(wb_dir, target[1]) if target[1] else "")
            )
        elif local == "definedName":
            book.defined_names[attrs.get("name", "")] = text
        elif local == "calcPr":
            book.full_calc_on_load = attrs.get("fullCalcOnLoad", "0") in ("1", "true")
            book.calc_mode = attrs.get("calcMode", "")
        elif local == "workbookProtection":
            book.workbook_protected = any(k.lower().endswith(("lockstructure",)) and v in ("1", "true") for k, v in attrs.items())
    for ty, target, _mode in wb_rels.values():
        if ty == "externalLink":
            book.external_links.append(_resolve(wb_dir, target))
    for n in names:
        if n.startswith(f"{wb_dir}/externalLinks/") and n.endswith(".xml") and n not in book.external_links:
            book.external_links.append(n)

    strings: list[str] = []
    ss_name = next((_resolve(wb_dir, t) for ty, t, _ in wb_rels.values() if ty == "sharedStrings"), None)
    if ss_name and ss_name in names:
        tree = _tree(zf, ss_name, budget)
        if tree is not None:
            strings = _walk_shared_strings(tree)
        else:
            ss = _SharedStrings()
            _parse_part(zf, ss_name, ss, budget)
            strings = ss.items

    cells_left = limits.max_cells
    for name, state, part in sheet_entries:
        sheet = Sheet(name=name, state=state)
        book.sheets.append(sheet)
        if not part or part not in names:
            continue  # chartsheet or missing part: a sheet with no cells
        if only_sheets is not None and name not in only_sheets:
            continue
        handler = _SheetHandler(sheet, strings, cells_left)
        _read_sheet(zf, part, handler, budget, light=name in light_sheets)
        cells_left -= len(sheet.cells)
    return book

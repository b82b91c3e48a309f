"""A corpus of files nobody wrote for Barometro, made from a clean return built by our builder.

Three groups, each file made the way it happens in the real world:

* ``software``: the return (or a plain workbook) saved by other programs that run here
  (LibreOffice in every format it writes, Gnumeric, openpyxl, XlsxWriter, xlwt,
  msoffcrypto), and the packaging other writers use (Excel's shared formulas, the .NET
  SDK's ``x:`` prefixes, SheetJS's inline strings, Strict Open XML, 1904 dates, macros,
  charts, pivots), made by editing the XML;
* ``altered``: copies of the clean return altered the way users and programs alter them
  (cells, rows, columns, sheets, notes that look like formulas, odd file names, re-zipped);
* ``hostile``: zip and XML bombs, lying headers, DOCTYPEs in every encoding, indices and
  references out of range, budgets exceeded by one, metadata built to blow up.

``build_corpus(clean, outdir)`` writes every file and returns the list of `Case`s. Bombs are
written as streams (a gigabyte of zeros never sits in memory here). Nothing here needs a
network; LibreOffice and Gnumeric parts are skipped when the programs are missing
(``Case`` lists only what was written).
"""

from __future__ import annotations

import codecs
import gzip
import io
import os
import random
import re
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from xlsx_damage import Workbook

MB = 1024 * 1024
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
LINE_SHEET = "Ambiente"  # a line sheet of the small plan's sector A return


@dataclass(frozen=True)
class Case:
    name: str  # file (or folder entry) name inside the corpus folder
    group: str  # software | altered | hostile
    kind: str  # what it is, in a few words
    expect: tuple[str, ...] = ()  # codes of which at least one must be found ("" entries: none)


# --------------------------------------------------------------------------- zip helpers


def parts_of(path: Path) -> tuple[dict[str, bytes], list[str]]:
    with zipfile.ZipFile(path) as zf:
        order = zf.namelist()
        return {n: zf.read(n) for n in order}, order


def write_zip(path: Path, parts: dict[str, bytes], order: Iterable[str] | None = None, *,
              method: int = zipfile.ZIP_DEFLATED, comment: bytes = b"", zip64: bool = False) -> Path:
    with zipfile.ZipFile(path, "w", method, allowZip64=True) as zf:
        zf.comment = comment
        for name in (order if order is not None else parts):
            info = zipfile.ZipInfo(name, date_time=(2022, 3, 1, 9, 0, 0))
            info.compress_type = method
            if zip64:
                with zf.open(info, "w", force_zip64=True) as fh:
                    fh.write(parts[name])
            else:
                zf.writestr(info, parts[name])
    return path


def _entries(data: bytes, sig: bytes) -> Iterable[int]:
    pos = data.find(sig)
    while pos >= 0:
        yield pos
        pos = data.find(sig, pos + 4)


def patch_headers(data: bytes, member: str, *, method: int | None = None, flag_or: int = 0,
                  crc: int | None = None, csize: int | None = None, usize: int | None = None,
                  local: bool = True, central: bool = True, rename: str | None = None) -> bytes:
    """Change fields of `member`'s local header and/or central directory entry in place."""
    out = bytearray(data)
    name = member.encode()
    for sig, base, name_at, len_at in ((b"PK\x03\x04", 0, 30, 26), (b"PK\x01\x02", 2, 46, 28)):
        if (sig == b"PK\x03\x04" and not local) or (sig == b"PK\x01\x02" and not central):
            continue
        for pos in _entries(data, sig):
            (nlen,) = struct.unpack_from("<H", data, pos + len_at)
            if data[pos + name_at:pos + name_at + nlen] != name:
                continue
            if flag_or:
                (flags,) = struct.unpack_from("<H", out, pos + 6 + base)
                struct.pack_into("<H", out, pos + 6 + base, flags | flag_or)
            if method is not None:
                struct.pack_into("<H", out, pos + 8 + base, method)
            if crc is not None:
                struct.pack_into("<I", out, pos + 14 + base, crc)
            if csize is not None:
                struct.pack_into("<I", out, pos + 18 + base, csize)
            if usize is not None:
                struct.pack_into("<I", out, pos + 22 + base, usize)
            if rename is not None:
                new = rename.encode()
                assert len(new) == nlen, "rename keeps the length"
                out[pos + name_at:pos + name_at + nlen] = new
    return bytes(out)


def _stream_member(zf: zipfile.ZipFile, name: str, total: int, piece: bytes = b"\x00" * MB,
                   method: int = zipfile.ZIP_DEFLATED, prefix: bytes = b"", suffix: bytes = b"") -> None:
    """Write an entry of `total` bytes (prefix, repeated piece, suffix) without holding it."""
    info = zipfile.ZipInfo(name, date_time=(2022, 3, 1, 9, 0, 0))
    info.compress_type = method
    with zf.open(info, "w", force_zip64=total > 0x7FFF0000) as fh:
        fh.write(prefix)
        left = total - len(prefix) - len(suffix)
        while left > 0:
            chunk = piece[: min(len(piece), left)]
            fh.write(chunk)
            left -= len(chunk)
        fh.write(suffix)


def with_big_member(src: Path, out: Path, name: str, total: int, **kw) -> Path:
    parts, order = parts_of(src)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for n in order:
            if n != name:
                zf.writestr(n, parts[n])
        _stream_member(zf, name, total, **kw)
    return out


def sheet_part(src: Path, sheet: str) -> str:
    wb = Workbook.load(src)
    return wb._sheet_part(sheet)


# --------------------------------------------------------------------------- XML helpers


def _worksheet(rows: Iterable[str], extra: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{NS}">'
            f"<sheetData>{''.join(rows)}</sheetData>{extra}</worksheet>").encode()


def replace_part(src: Path, out: Path, part: str, data: bytes, *, method: int = zipfile.ZIP_DEFLATED) -> Path:
    parts, order = parts_of(src)
    parts[part] = data
    if part not in order:
        order.append(part)
    return write_zip(out, parts, order, method=method)


def edit_part(src: Path, out: Path, part: str, fn: Callable[[bytes], bytes]) -> Path:
    parts, order = parts_of(src)
    parts[part] = fn(parts[part])
    return write_zip(out, parts, order)


def recode(data: bytes, encoding: str, *, bom: bool, declare: str | None = None) -> bytes:
    """An XML part re-encoded (declaration rewritten), with or without a byte-order mark."""
    text = data.decode("utf-8")
    text = re.sub(r"^<\?xml[^>]*\?>", f'<?xml version="1.0" encoding="{declare or encoding}"?>', text, count=1)
    raw = text.encode(encoding, "xmlcharrefreplace")
    if encoding.lower() in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be") and bom:
        bom_bytes = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
                     "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE}[encoding.lower()]
        raw = bom_bytes + raw
    elif encoding.lower() == "utf-8" and bom:
        raw = codecs.BOM_UTF8 + raw
    return raw


_DOCTYPE = '<!DOCTYPE x [<!ENTITY pwn "VALORE-DA-ENTITA">]>'


def with_doctype(data: bytes, root: str = "worksheet", entity_in: str | None = None) -> bytes:
    """Insert an internal DTD after the declaration; `entity_in` replaces that text with &pwn;."""
    text = data.decode("utf-8")
    m = re.match(r"^<\?xml[^>]*\?>\s*", text)
    at = m.end() if m else 0
    text = text[:at] + _DOCTYPE.replace("x [", f"{root} [") + text[at:]
    if entity_in:
        text = text.replace(entity_in, "&pwn;", 1)
    return text.encode("utf-8")


# --------------------------------------------------------------------------- column shifts


_CELL_REF = re.compile(r"(?<![A-Za-z_\"'])(\$?)([A-Z]{1,3})(\$?)(\d+)(?![\d(A-Za-z_])")


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _col_letters(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _shift_refs(text: str, at: int, by: int) -> str:
    def sub(m: re.Match[str]) -> str:
        col = _col_index(m.group(2))
        if col >= at:
            col = max(1, col + by)
        return f"{m.group(1)}{_col_letters(col)}{m.group(3)}{m.group(4)}"

    # references inside string literals are left alone
    pieces = re.split(r'("[^"]*")', text)
    return "".join(p if p.startswith('"') else _CELL_REF.sub(sub, p) for p in pieces)


def shift_columns(src: Path, out: Path, sheet: str, letter: str, by: int) -> Path:
    """Insert (`by`=1) or delete (`by`=-1) the column `letter` of `sheet`, as Excel does: cells
    move, formulas referring to moved cells follow, cached values stay."""
    wb = Workbook.load(src)
    at = _col_index(letter)
    root = wb.sheet_xml(sheet)
    q = f"{{{NS}}}"
    for row in root.iter(f"{q}row"):
        for c in list(row):
            m = re.match(r"([A-Z]+)(\d+)", c.get("r", ""))
            if not m:
                continue
            col = _col_index(m.group(1))
            if by < 0 and col == at:
                row.remove(c)
                continue
            if col >= at:
                c.set("r", f"{_col_letters(col + by)}{m.group(2)}")
    for f in root.iter(f"{q}f"):
        if f.text:
            f.text = _shift_refs(f.text, at, by)
        if f.get("ref"):
            f.set("ref", _shift_refs(f.get("ref"), at, by))
    for tag in ("mergeCell", "dataValidation", "selection"):
        for el in root.iter(f"{q}{tag}"):
            for attr in ("ref", "sqref"):
                if el.get(attr):
                    el.set(attr, _shift_refs(el.get(attr), at, by))
    for dim in root.iter(f"{q}dimension"):
        dim.set("ref", _shift_refs(dim.get("ref", "A1"), at, by))
    # formulas of other sheets that point at this one follow too
    quoted = re.escape(sheet) if re.fullmatch(r"\w+", sheet) else re.escape(f"'{sheet}'")
    pattern = re.compile(rf"({quoted}!)([$A-Z0-9:]+)")
    for other in wb._workbook().iter(f"{q}sheet"):
        name = other.get("name")
        if name == sheet:
            continue
        for f in wb.sheet_xml(name).iter(f"{q}f"):
            if f.text and sheet in f.text:
                f.text = pattern.sub(lambda m: m.group(1) + _shift_refs(m.group(2), at, by), f.text)
    wb.save(out)
    return out


# --------------------------------------------------------------------------- other software


def _soffice(src: Path, outdir: Path, target: str) -> Path | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        return None
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target,
             "--outdir", str(outdir), str(src)],
            capture_output=True, timeout=240,
        )
    ext = target.split(":", 1)[0]
    out = outdir / f"{src.stem}.{ext}"
    return out if proc.returncode == 0 and out.exists() else None


def _ssconvert(src: Path, out: Path, exporter: str) -> Path | None:
    exe = shutil.which("ssconvert")
    if exe is None:
        return None
    proc = subprocess.run([exe, "-T", exporter, str(src), str(out)], capture_output=True, timeout=240)
    return out if proc.returncode == 0 and out.exists() else None


def _plain_xlsxwriter(out: Path, *, constant_memory: bool = False) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out), {"constant_memory": constant_memory})
    ws = wb.add_worksheet("Foglio1")
    ws.write_row(0, 0, ["Indicatore", "Target", "Consuntivo"])
    ws.write_row(1, 0, ["Pratiche evase", 100, 80])
    ws.write_formula(2, 2, "=SUM(C2:C2)", None, 80)
    wb.close()
    return out


def _plain_xlwt(out: Path) -> Path | None:
    try:
        import xlwt
    except ImportError:
        return None
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Foglio1")
    for c, v in enumerate(["Indicatore", "Target", "Consuntivo"]):
        ws.write(0, c, v)
    ws.write(1, 0, "Pratiche evase")
    ws.write(1, 1, 100)
    ws.write(1, 2, 80)
    wb.save(str(out))
    return out


def _encrypted(src: Path, out: Path) -> Path | None:
    try:
        import msoffcrypto
    except ImportError:
        return None
    buf = io.BytesIO()
    with open(src, "rb") as fh:
        msoffcrypto.OfficeFile(fh).encrypt("segreta", buf)
    out.write_bytes(buf.getvalue())
    return out


def _openpyxl_resave(src: Path, out: Path, *, rich_note: bool = False, chart: bool = False) -> Path:
    from openpyxl import load_workbook

    wb = load_workbook(src)
    ws = wb[LINE_SHEET]
    if rich_note:
        from openpyxl.cell.rich_text import CellRichText, TextBlock
        from openpyxl.cell.text import InlineFont

        ws["K7"] = CellRichText("Ritardi ", TextBlock(InlineFont(b=True), "del fornitore"))
    if chart:
        from openpyxl.chart import BarChart, Reference

        ch = BarChart()
        ch.add_data(Reference(ws, min_col=13, min_row=5, max_row=9), titles_from_data=True)
        wb["Riepilogo"].add_chart(ch, "H2")
    wb.save(out)
    return out


_STRICT = {
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main": "http://purl.oclc.org/ooxml/spreadsheetml/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships":
        "http://purl.oclc.org/ooxml/officeDocument/relationships",
    "http://schemas.openxmlformats.org/drawingml/2006/main": "http://purl.oclc.org/ooxml/drawingml/main",
}


def strict_ooxml(src: Path, out: Path) -> Path:
    """The return as Strict Open XML (ISO/IEC 29500 Strict namespaces), as Excel's 'Strict' save writes it."""
    parts, order = parts_of(src)
    for n in order:
        if n.endswith((".xml", ".rels")):
            text = parts[n].decode("utf-8")
            for old, new in _STRICT.items():
                text = text.replace(old, new)
            parts[n] = text.encode("utf-8")
    return write_zip(out, parts, order)


def shared_formulas(src: Path, out: Path) -> Path:
    """Formulas filled down written as Excel writes them: the first cell carries the text and
    a range, the cells below only `<f t="shared" si="n"/>`."""
    from openpyxl.formula.translate import Translator

    wb = Workbook.load(src)
    q = f"{{{NS}}}"
    root = wb.sheet_xml(LINE_SHEET)
    by_col: dict[str, list] = {}
    for c in root.iter(f"{q}c"):
        f = c.find(f"{q}f")
        m = re.match(r"([A-Z]+)(\d+)", c.get("r", ""))
        if f is not None and f.text and m and int(m.group(2)) >= 6:
            by_col.setdefault(m.group(1), []).append((int(m.group(2)), c, f))
    si = 0
    for col, cells in by_col.items():
        cells.sort(key=lambda x: x[0])
        first_row, _, first_f = cells[0]
        group = [x for x in cells[1:]
                 if Translator("=" + first_f.text, origin=f"{col}{first_row}").translate_formula(f"{col}{x[0]}")
                 == "=" + x[2].text]
        if not group:
            continue
        last = max(r for r, _, _ in group)
        first_f.set("t", "shared")
        first_f.set("ref", f"{col}{first_row}:{col}{last}")
        first_f.set("si", str(si))
        for _, _, f in group:
            f.text = None
            f.set("t", "shared")
            f.set("si", str(si))
        si += 1
    wb.save(out)
    return out


def prefixed_namespaces(src: Path, out: Path) -> Path:
    """Every worksheet with an `x:` prefix for the main namespace (the .NET Open XML SDK's way)."""
    parts, order = parts_of(src)
    for n in order:
        if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"):
            text = parts[n].decode("utf-8")
            text = text.replace(f'xmlns="{NS}"', f'xmlns:x="{NS}"')
            text = re.sub(r"<(/?)(?!\?|x:|[a-zA-Z0-9]+:)([A-Za-z]+)", r"<\1x:\2", text)
            parts[n] = text.encode("utf-8")
    return write_zip(out, parts, order)


def inline_strings(src: Path, out: Path) -> Path:
    """Shared strings replaced by inline strings (SheetJS and streaming writers)."""
    from xml.etree import ElementTree as ET

    parts, order = parts_of(src)
    sst = ET.fromstring(parts["xl/sharedStrings.xml"])
    q = f"{{{NS}}}"
    strings = ["".join(t.text or "" for t in si.iter(f"{q}t")) for si in sst]

    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    for n in order:
        if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"):
            text = parts[n].decode("utf-8")
            text = re.sub(r'<c ([^>]*?)t="s"([^>]*)><v>(\d+)</v></c>',
                          lambda m: f'<c {m.group(1)}t="inlineStr"{m.group(2)}><is><t xml:space="preserve">'
                                    f"{esc(strings[int(m.group(3))])}</t></is></c>", text)
            parts[n] = text.encode("utf-8")
    order.remove("xl/sharedStrings.xml")
    del parts["xl/sharedStrings.xml"]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    parts["xl/_rels/workbook.xml.rels"] = re.sub(r"<Relationship[^>]*sharedStrings[^>]*/>", "", rels).encode()
    return write_zip(out, parts, order)


def date1904(src: Path, out: Path) -> Path:
    return edit_part(src, out, "xl/workbook.xml",
                     lambda b: b.replace(b'date1904="false"', b'date1904="true"'))


def pivot_and_chart_parts(src: Path, out: Path) -> Path:
    """A pivot cache and a chart part added (what an analyst's copy carries along)."""
    parts, order = parts_of(src)
    parts["xl/pivotCache/pivotCacheDefinition1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><pivotCacheDefinition xmlns="{NS}" recordCount="0">'
        '<cacheSource type="worksheet"><worksheetSource ref="A5:N9" sheet="Ambiente"/></cacheSource>'
        "<cacheFields count=\"0\"/></pivotCacheDefinition>").encode()
    parts["xl/charts/chart1.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><c:chartSpace xmlns:c="http://schemas.openxmlformats.org/'
        b'drawingml/2006/chart"><c:chart/></c:chartSpace>')
    order += ["xl/pivotCache/pivotCacheDefinition1.xml", "xl/charts/chart1.xml"]
    return write_zip(out, parts, order)


def numbers_like(out: Path) -> Path:
    """An Apple Numbers package (zip with Index/*.iwa and a preview)."""
    return write_zip(out, {"Index/Document.iwa": os.urandom(2048), "Metadata/Properties.plist": b"bplist00",
                           "preview.jpg": b"\xff\xd8\xff\xe0" + os.urandom(512)})


def xlsb_like(out: Path) -> Path:
    """An Excel binary workbook's package (parts are BIFF12 records, not XML)."""
    ct = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
          b'content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.'
          b'sheet.binary.macroEnabled.main"/></Types>')
    rels = (b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>')
    return write_zip(out, {"[Content_Types].xml": ct, "_rels/.rels": rels,
                           "xl/workbook.bin": b"\x83\x01\x00" + os.urandom(300),
                           "xl/worksheets/sheet1.bin": b"\x81\x01\x00" + os.urandom(300)})


def ole_like(out: Path, payload: bytes = b"") -> Path:
    """A compound file (the container of .xls, WPS .et, Quattro Pro .qpw, encrypted xlsx)."""
    out.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + payload + os.urandom(1024))
    return out


# --------------------------------------------------------------------------- the corpus


class _Writer:
    def __init__(self, clean: Path, outdir: Path) -> None:
        self.clean = clean
        self.outdir = outdir
        self.cases: list[Case] = []
        self.line_part = sheet_part(clean, LINE_SHEET)
        self.rng = random.Random(10)

    def path(self, name: str) -> Path:
        return self.outdir / name

    def add(self, name: str, group: str, kind: str, expect: tuple[str, ...] = ()) -> None:
        self.cases.append(Case(name, group, kind, expect))

    def damage(self, name: str, kind: str, expect: tuple[str, ...], edit: Callable[[Workbook], None],
               group: str = "altered") -> None:
        wb = Workbook.load(self.clean)
        edit(wb)
        wb.save(self.path(name))
        self.add(name, group, kind, expect)

    def raw(self, name: str, group: str, kind: str, data: bytes, expect: tuple[str, ...] = ()) -> None:
        self.path(name).write_bytes(data)
        self.add(name, group, kind, expect)


def build_corpus(clean: Path, outdir: str | Path, *, small: bool = False, software: bool = True) -> list[Case]:
    """Write the corpus into `outdir` (created) and return its cases.

    `small`: one of each family and no bomb bigger than a few MB (a smoke run);
    `software`: include the files made by LibreOffice and Gnumeric (slow: one call each)."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    w = _Writer(Path(clean), outdir)
    if software:
        _software(w, small)
    _altered(w, small)
    _hostile(w, small)
    return w.cases


# ---- software


def _software(w: _Writer, small: bool) -> None:
    conv = w.outdir / ".conv"
    conv.mkdir(exist_ok=True)
    src = conv / "ritorno.xlsx"
    shutil.copy(w.clean, src)
    lo_targets = [
        ("xlsx", "lo-resave.xlsx", "LibreOffice re-save (Excel 2007-365)", ("",)),
        ("xls", "lo.xls", "LibreOffice Excel 97-2003", ("R005",)),
        ("ods", "lo.ods", "LibreOffice ODS", ("R006",)),
    ]
    if not small:
        lo_targets += [
            ("fods", "lo.fods", "LibreOffice flat ODS", ("R026",)),
            ("html", "lo.html", "LibreOffice HTML export", ("R026",)),
            ("csv", "lo.csv", "LibreOffice CSV", ("R007",)),
            ('xml:MS Excel 2003 XML', "lo-2003.xml", "LibreOffice SpreadsheetML 2003", ("R026",)),
            ("slk", "lo.slk", "LibreOffice SYLK", ("R026",)),
            ("dif", "lo.dif", "LibreOffice DIF", ("R026",)),
            ("xlsx:Calc Office Open XML", "lo-ooxml.xlsx", "LibreOffice 'Office Open XML' filter", ("",)),
            ("xltx", "lo.xltx", "LibreOffice Excel template", ("",)),
            ("pdf", "lo.pdf", "LibreOffice PDF export", ("R026",)),
        ]
    for n, (target, name, kind, expect) in enumerate(lo_targets):
        got = _soffice(src, conv / str(n), target)
        if got is not None:
            shutil.move(got, w.path(name))
            w.add(name, "software", kind, expect)
    gn = [("Gnumeric_Excel:xlsx2", "gnumeric.xlsx", "Gnumeric xlsx (2010)", ())]
    if not small:
        gn += [("Gnumeric_Excel:xlsx", "gnumeric-2007.xlsx", "Gnumeric xlsx (2007)", ()),
               ("Gnumeric_Excel:excel_biff8", "gnumeric.xls", "Gnumeric xls", ("R005",)),
               ("Gnumeric_XmlIO:sax", "gnumeric.gnumeric", "Gnumeric native (gzip XML)", ("R026",)),
               ("Gnumeric_OpenCalc:odf", "gnumeric.ods", "Gnumeric ODS", ("R006",))]
    for exporter, name, kind, expect in gn:
        if _ssconvert(src, w.path(name), exporter) is not None:
            w.add(name, "software", kind, expect)
    _openpyxl_resave(w.clean, w.path("openpyxl-resave.xlsx"))
    w.add("openpyxl-resave.xlsx", "software", "openpyxl load+save (cached values lost)", ("V402",))
    _plain_xlsxwriter(w.path("xlsxwriter-plain.xlsx"))
    w.add("xlsxwriter-plain.xlsx", "software", "XlsxWriter workbook, not a template", ("R012",))
    if _encrypted(w.clean, w.path("cifrato.xlsx")) is not None:
        w.add("cifrato.xlsx", "software", "encrypted with a password (msoffcrypto)", ("R004",))
    if not small:
        _openpyxl_resave(w.clean, w.path("openpyxl-rich-note.xlsx"), rich_note=True)
        w.add("openpyxl-rich-note.xlsx", "software", "openpyxl rich-text note", ("V402",))
        _openpyxl_resave(w.clean, w.path("openpyxl-chart.xlsx"), chart=True)
        w.add("openpyxl-chart.xlsx", "software", "openpyxl with a chart", ("V402",))
        _plain_xlsxwriter(w.path("xlsxwriter-inline.xlsx"), constant_memory=True)
        w.add("xlsxwriter-inline.xlsx", "software", "XlsxWriter constant_memory (inline strings)", ("R012",))
        if _plain_xlwt(w.path("xlwt.xls")) is not None:
            w.add("xlwt.xls", "software", "xlwt BIFF8", ("R005",))
        strict_ooxml(w.clean, w.path("strict-ooxml.xlsx"))
        w.add("strict-ooxml.xlsx", "software", "Strict Open XML namespaces", ())
        shared_formulas(w.clean, w.path("excel-shared-formulas.xlsx"))
        w.add("excel-shared-formulas.xlsx", "software", "shared formulas (Excel's fill-down)", ("",))
        prefixed_namespaces(w.clean, w.path("sdk-prefixed.xlsx"))
        w.add("sdk-prefixed.xlsx", "software", "x: prefixed worksheets (.NET Open XML SDK)", ("",))
        inline_strings(w.clean, w.path("sheetjs-inline.xlsx"))
        w.add("sheetjs-inline.xlsx", "software", "inline strings, no sharedStrings (SheetJS)", ("",))
        date1904(w.clean, w.path("mac-1904.xlsx"))
        w.add("mac-1904.xlsx", "software", "1904 date system (Excel for Mac)", ("",))
        pivot_and_chart_parts(w.clean, w.path("pivot-chart.xlsx"))
        w.add("pivot-chart.xlsx", "software", "pivot cache and chart parts", ("",))
        wb = Workbook.load(w.clean)
        wb.add_vba()
        wb.save(w.path("macro.xlsm"))
        w.add("macro.xlsm", "software", "macro-enabled (vbaProject.bin)", ("S113",))
        numbers_like(w.path("numbers.numbers"))
        w.add("numbers.numbers", "software", "Apple Numbers package", ("R026",))
        xlsb_like(w.path("binario.xlsb"))
        w.add("binario.xlsb", "software", "Excel binary workbook package", ("R026",))
        ole_like(w.path("wps.et"))
        w.add("wps.et", "software", "WPS Spreadsheets (.et)", ("R026",))
        ole_like(w.path("quattro.qpw"))
        w.add("quattro.qpw", "software", "Quattro Pro (.qpw)", ("R026",))
    shutil.rmtree(conv, ignore_errors=True)


# ---- altered


def _set_note(text: str) -> Callable[[Workbook], None]:
    return lambda wb: wb.set_value(LINE_SHEET, "K6", text)


def _set_actual_raw(raw: str) -> Callable[[Workbook], None]:
    def edit(wb: Workbook) -> None:
        c = wb._cell(LINE_SHEET, "I7")
        for child in list(c):
            c.remove(child)
        c.attrib.pop("t", None)
        from xml.etree import ElementTree as ET

        ET.SubElement(c, f"{{{NS}}}v").text = raw

    return edit


def _altered(w: _Writer, small: bool) -> None:
    D = w.damage
    D("formula-valore.xlsx", "formula overwritten with a number", ("F301",),
      lambda wb: wb.set_value(LINE_SHEET, "M7", 100))
    D("nota-uguale.xlsx", "note typed as '= come nel 2020'", ("",), _set_note("= come nel 2020"))
    D("nota-hyperlink.xlsx", "note typed as =HYPERLINK(...)", ("",),
      _set_note('=HYPERLINK("http://example.invalid/x","clicca")'))
    shift_columns(w.clean, w.path("colonna-inserita.xlsx"), LINE_SHEET, "D", 1)
    w.add("colonna-inserita.xlsx", "altered", "a column inserted at D", ("S117",))
    D("actual-nan.xlsx", "actual stored as NaN", ("R027",), _set_actual_raw("NaN"))
    names = [("nome-\udce8.xlsx", "file name with a Latin-1 byte (0xE8)"),
             ("nome-\x1besc.xlsx", "file name with an ESC control character")]
    for fname, kind in names:
        try:
            shutil.copy(w.clean, w.path(fname))
        except (OSError, UnicodeError):
            continue
        w.add(fname, "altered", kind, ("",))
    if small:
        return
    D("testo-numero.xlsx", "number typed as text 4.580", ("C206",), lambda wb: wb.set_value(LINE_SHEET, "I8", "4.580"))
    D("percentuale-testo.xlsx", "number typed as text 85%", ("C206",), lambda wb: wb.set_value(LINE_SHEET, "I7", "85%"))
    D("cache-vecchia.xlsx", "stale cached value", ("V403",), lambda wb: wb.set_cached(LINE_SHEET, "M7", 95))
    D("riga-inserita.xlsx", "row inserted", ("S106",),
      lambda wb: wb.insert_row(LINE_SHEET, 8, {"E": "Nuovo indicatore", "I": 3}))
    D("riga-eliminata.xlsx", "row deleted", ("S107",), lambda wb: wb.delete_row(LINE_SHEET, 7))
    D("riga-duplicata.xlsx", "row pasted twice", ("S109",), lambda wb: wb.duplicate_row(LINE_SHEET, 7))
    D("righe-scambiate.xlsx", "rows swapped", ("S108",), lambda wb: wb.swap_rows(LINE_SHEET, 7, 9))
    D("foglio-rinominato.xlsx", "sheet renamed", ("S102",), lambda wb: wb.rename_sheet(LINE_SHEET, "Ambiente 2021"))
    D("foglio-nome-formula.xlsx", "sheet renamed =HYPERLINK(...)", ("S102",),
      lambda wb: wb.rename_sheet(LINE_SHEET, '=HYPERLINK("http://x.invalid","y")'))
    D("foglio-nome-apostrofo.xlsx", "sheet renamed with an apostrophe", ("S102",),
      lambda wb: wb.rename_sheet(LINE_SHEET, "Ambiente dell'anno"))
    D("foglio-nascosto.xlsx", "line sheet hidden", ("S103",), lambda wb: wb.set_sheet_state(LINE_SHEET, "hidden"))
    D("foglio-molto-nascosto.xlsx", "line sheet very hidden", ("S103",),
      lambda wb: wb.set_sheet_state(LINE_SHEET, "veryHidden"))
    D("meta-visibile.xlsx", "metadata sheet shown", ("S114",), lambda wb: wb.set_sheet_state("_barometro", "visible"))
    D("foglio-aggiunto.xlsx", "sheet added", ("S104",), lambda wb: wb.add_sheet("Foglio1", "Istruzioni"))
    D("protezione-tolta.xlsx", "protection removed", ("S112",), lambda wb: wb.unprotect(LINE_SHEET))
    D("intestazione.xlsx", "header edited", ("S105",), lambda wb: wb.set_value(LINE_SHEET, "L5", "Peso %"))
    shift_columns(w.clean, w.path("colonna-eliminata.xlsx"), LINE_SHEET, "G", -1)
    w.add("colonna-eliminata.xlsx", "altered", "column G deleted", ("S117",))
    shift_columns(w.clean, w.path("colonna-inserita-a.xlsx"), LINE_SHEET, "A", 1)
    w.add("colonna-inserita-a.xlsx", "altered", "a column inserted at A", ("S117",))
    D("nota-piu.xlsx", "note typed as +39 ...", ("",), _set_note("+39 0372 407111"))
    D("nota-chiocciola.xlsx", "note typed as @SUM(...)", ("",), _set_note("@SUM(A1:A9)"))
    D("nota-dde.xlsx", "note typed as a DDE payload", ("",), _set_note("=cmd|' /C calc'!A0"))
    D("nota-lunga.xlsx", "note of 32,767 characters", ("",), _set_note("x" * 32767))
    D("nota-emoji.xlsx", "note with astral characters", ("",), _set_note("fatto \U0001F600 \U00010348"))
    D("nota-c1.xlsx", "note with C1 controls and a bidi override", ("",),
      _set_note("a\u009b2Jb \u202egnp.exe"))
    D("nota-a-capo.xlsx", "note with line breaks and tabs", ("",), _set_note("riga 1\nriga 2\r\n\tfine"))
    D("actual-inf.xlsx", "actual stored as INF", ("R027",), _set_actual_raw("INF"))
    D("actual-meno-inf.xlsx", "actual stored as -Infinity", ("R027",), _set_actual_raw("-Infinity"))
    D("actual-1e999.xlsx", "actual stored as 1e999", ("R027",), _set_actual_raw("1e999"))
    D("actual-enorme.xlsx", "actual 1e308", (), _set_actual_raw("1e308"))
    D("actual-meno-zero.xlsx", "actual -0 (cached values stale)", (), _set_actual_raw("-0"))
    D("macro-aggiunta.xlsm", "macros added", ("S113",), lambda wb: wb.add_vba())
    more_names = [
        ("nome-a\ncapo.xlsx", "file name with a newline"),
        ('=HYPERLINK("http:__x.invalid","y").xlsx', "file name shaped like a formula"),
        ("-rf.xlsx", "file name starting with a dash"),
        ("n" * 200 + ".xlsx", "file name of 205 characters"),
        ("perche\u0301.xlsx", "file name in NFD (macOS)"),
        ("spazi  e tab\t.xlsx", "file name with spaces and a tab"),
        ("settore.XLSX", "upper-case extension"),
        ("nome-\u202egnp.xlsx", "file name with a bidi override"),
    ]
    for fname, kind in more_names:
        try:
            shutil.copy(w.clean, w.path(fname))
        except OSError:
            continue
        w.add(fname, "altered", kind, ("",))
    parts, order = parts_of(w.clean)
    write_zip(w.path("non-compresso.xlsx"), parts, order, method=zipfile.ZIP_STORED)
    w.add("non-compresso.xlsx", "altered", "re-zipped stored (no compression)", ("",))
    write_zip(w.path("ordine-inverso.xlsx"), parts, list(reversed(order)))
    w.add("ordine-inverso.xlsx", "altered", "entries in reverse order", ("",))
    write_zip(w.path("zip64.xlsx"), parts, order, zip64=True)
    w.add("zip64.xlsx", "altered", "zip64 headers (streaming zip writers)", ("",))
    write_zip(w.path("commento-zip.xlsx"), parts, order, comment=b"archiviato da Protocollo 2.1")
    w.add("commento-zip.xlsx", "altered", "zip comment", ("",))
    w.raw("coda-spazzatura.xlsx", "altered", "bytes appended after the zip", w.clean.read_bytes() + os.urandom(4096))
    w.raw("testa-spazzatura.xlsx", "altered", "bytes prepended (self-extractor stub)", os.urandom(4096) + w.clean.read_bytes())
    bom = {n: (codecs.BOM_UTF8 + b if n.endswith((".xml", ".rels")) else b) for n, b in parts.items()}
    write_zip(w.path("bom-utf8.xlsx"), bom, order)
    w.add("bom-utf8.xlsx", "altered", "UTF-8 byte-order mark on every part", ("",))
    for enc, bom_, name in (("utf-16-le", True, "utf16le-bom"), ("utf-16-be", True, "utf16be-bom"),
                            ("utf-16-le", False, "utf16le-nobom")):
        re_parts = dict(parts)
        for n in order:
            if n.endswith((".xml", ".rels")):
                re_parts[n] = recode(parts[n], enc, bom=bom_, declare="UTF-16")
        write_zip(w.path(f"{name}.xlsx"), re_parts, order)
        w.add(f"{name}.xlsx", "altered", f"every part in {enc}{' with BOM' if bom_ else ''}", ("",))
    latin = dict(parts)
    for n in order:
        if n.endswith((".xml", ".rels")):
            try:
                latin[n] = recode(parts[n], "iso-8859-1", bom=False)
            except UnicodeEncodeError:
                pass
    write_zip(w.path("latin1.xlsx"), latin, order)
    w.add("latin1.xlsx", "altered", "parts declared ISO-8859-1", ("",))
    commented = edit_part(w.clean, w.path("commenti-xml.xlsx"), w.line_part,
                          lambda b: b.replace(b"<sheetData>", b"<!-- salvato da script --><?pi x?><sheetData>", 1))
    w.add(commented.name, "altered", "XML comment and processing instruction in a sheet", ("",))
    edit_part(w.clean, w.path("apici-singoli.xlsx"), w.line_part,
              lambda b: re.sub(rb'(\s[\w:]+)="([^"\']*)"', rb"\1='\2'", b))
    w.add("apici-singoli.xlsx", "altered", "single-quoted attributes", ("",))
    edit_part(w.clean, w.path("senza-riferimenti.xlsx"), w.line_part,
              lambda b: re.sub(rb'<c r="[A-Z]+\d+"', b"<c", re.sub(rb'<row r="\d+"', b"<row", b)))
    w.add("senza-riferimenti.xlsx", "altered", "rows and cells without r attributes", ())
    for drop, kind in (("docProps/core.xml", "docProps removed"), ("[Content_Types].xml", "content types removed")):
        p2 = {k: v for k, v in parts.items() if k != drop}
        out = w.path(f"senza-{Path(drop).stem.strip('[]').lower()}.xlsx")
        write_zip(out, p2, [n for n in order if n != drop])
        w.add(out.name, "altered", kind, ())
    dirs = dict(parts)
    write_zip(w.path("con-cartelle.xlsx"), {**{"xl/": b"", "xl/worksheets/": b""}, **dirs},
              ["xl/", "xl/worksheets/", *order])
    w.add("con-cartelle.xlsx", "altered", "directory entries in the zip", ("",))


# ---- hostile


def _hostile(w: _Writer, small: bool) -> None:
    clean = w.clean
    data = clean.read_bytes()
    parts, order = parts_of(clean)
    H = "hostile"
    big = 8 * MB if small else 400 * MB

    # decompression bombs
    with_big_member(clean, w.path("bomba-mimetype.xlsx"), "mimetype", big)
    w.add("bomba-mimetype.xlsx", H, "entry named mimetype expanding to a bomb", ("R024", "R009"))
    bomb = with_big_member(clean, w.path("bomba-dimensioni-false.xlsx"), "xl/media/image1.png", big)
    info = zipfile.ZipFile(bomb).getinfo("xl/media/image1.png")
    lied = patch_headers(bomb.read_bytes(), "xl/media/image1.png", usize=1000) if info.file_size < 0xFFFFFFFF else None
    if lied is not None:
        bomb.write_bytes(lied)
        w.add(bomb.name, H, "sizes in the headers lie (1000 bytes claimed)", ("R009", "R003"))
    else:
        bomb.unlink()
    sheet_bomb = with_big_member(clean, w.path("bomba-foglio.xlsx"), w.line_part, big,
                                 prefix=f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode(),
                                 piece=b" " * MB, suffix=b"</sheetData></worksheet>")
    w.add(sheet_bomb.name, H, "worksheet of blanks beyond the byte budget", ("R024", "R009"))
    # deflate damaged, CRC wrong, encrypted flag, odd methods
    info = zipfile.ZipFile(clean).getinfo(w.line_part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    dmg = bytearray(data)
    for k in range(start + 40, start + 60):
        dmg[k] ^= 0xA5
    w.raw("deflate-danneggiato.xlsx", H, "damaged deflate stream (e-mail attachment)", bytes(dmg), ("R003",))
    w.raw("crc-errato.xlsx", H, "wrong CRC", patch_headers(data, w.line_part, crc=0x12345678), ("R003",))
    w.raw("flag-cifrato.xlsx", H, "entry flagged encrypted", patch_headers(data, w.line_part, flag_or=1), ("R004",))
    for method, label in ((zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "lzma")):
        write_zip(w.path(f"compresso-{label}.xlsx"), parts, order, method=method)
        w.add(f"compresso-{label}.xlsx", H, f"every part compressed with {label}", ("R023",))
    if not small:
        for method, label in ((9, "deflate64"), (6, "implode"), (99, "aes"), (77, "sconosciuto")):
            stored = write_zip(w.path(f"metodo-{label}.xlsx"), parts, order, method=zipfile.ZIP_STORED)
            stored.write_bytes(patch_headers(stored.read_bytes(), w.line_part, method=method))
            w.add(stored.name, H, f"one part with compression method {method} ({label})", ("R023",))
        rows = "".join(f'<row r="{r}"><c r="A{r}" s="{r % 7}"><v>{r * 7919 % 100003}</v></c></row>'
                       for r in range(1, 40_000)).encode()[: MB]
        honest = with_big_member(clean, w.path("bomba-onesta.xlsx"), w.line_part, 96 * MB, piece=rows,
                                 prefix=f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>'.encode(),
                                 suffix=b"</sheetData></worksheet>")
        w.add(honest.name, H, "a genuine-looking 96 MB worksheet (over the per-entry budget)", ("R024",))
        # sizes that lie the other way: claimed huge, actually small
        w.raw("dimensioni-gonfiate.xlsx", H, "sizes claim 4 GB",
              patch_headers(data, w.line_part, usize=0xFFFFFFF0), ("R024", "R003", "R009"))
        w.raw("csize-falso.xlsx", H, "compressed size lies", patch_headers(data, w.line_part, csize=10), ("R003",))
        # many entries, duplicate entries, name mismatch
        many = {f"xl/media/m{i}.bin": b"x" for i in range(6000)}
        write_zip(w.path("troppe-voci.xlsx"), {**parts, **many}, [*order, *many])
        w.add("troppe-voci.xlsx", H, "6,000 entries", ("R024",))
        dup = io.BytesIO()
        with zipfile.ZipFile(dup, "w", zipfile.ZIP_DEFLATED) as zf:
            for n in order:
                zf.writestr(n, parts[n])
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                zf.writestr(w.line_part, _worksheet(['<row r="1"><c r="A1" t="inlineStr"><is><t>altro</t></is></c></row>']))
        w.raw("voci-duplicate.xlsx", H, "two entries with the same name", dup.getvalue(), ("R003",))
        w.raw("nome-diverso.xlsx", H, "local header name differs from the directory",
              patch_headers(data, w.line_part, central=False, rename=w.line_part[:-5] + "X.xml"), ("R003",))
        overlap = bytearray(data)
        w.raw("tronco-cd.xlsx", H, "central directory cut", bytes(overlap[:-30]), ("R003",))
        # OLE, text, empties
        ole_like(w.path("cifrato-finto.xlsx"), "EncryptedPackage".encode("utf-16-le"))
        w.add("cifrato-finto.xlsx", H, "compound file with an EncryptedPackage stream", ("R004",))
        w.raw("vuoto.xlsx", H, "empty file", b"", ("R002", "R003"))
        w.raw("un-byte.xlsx", H, "one byte", b"P", ("R002", "R003"))
        w.raw("solo-pk.xlsx", H, "zip magic only", b"PK\x03\x04", ("R003",))
        w.raw("casuale.xlsx", H, "random bytes", os.urandom(20000), ("R002", "R003"))
        w.raw("poliglotta.xlsx", H, "PDF header glued to a zip", b"%PDF-1.7\n" + data, ("R026", "R002", "R003"))
        w.raw("gzip-bomba.gnumeric", H, "gzip bomb named .gnumeric", gzip.compress(b"\x00" * (64 * MB)), ("R026",))
        lines = "Responsabile\tSettore\tObiettivo\n" + ("=HYPERLINK(\"x\")\t" * 20 + "\n") * 200
        w.raw("report-ostile.txt", H, "text report with formula-like cells", lines.encode(), ())
        w.raw("csv-formula.csv", H, "CSV with =HYPERLINK cells", b'=HYPERLINK("http://x.invalid")\n1;2\n', ("R007",))
        w.raw("testo-lungo.txt", H, "a 20 MB text file with one line", b"a" * (20 * MB), ())

    # XML: DOCTYPE in every encoding and part
    ss_text = _first_shared_string(parts)
    hostile_parts: list[tuple[str, str, bytes, str]] = [
        ("doctype-utf8.xlsx", w.line_part, with_doctype(parts[w.line_part]), "DOCTYPE in a worksheet"),
        ("doctype-utf16.xlsx", "xl/sharedStrings.xml",
         recode(with_doctype(parts["xl/sharedStrings.xml"], "sst", ss_text), "utf-16-le", bom=True, declare="UTF-16"),
         "entity in UTF-16 shared strings"),
    ]
    if not small:
        ss = with_doctype(parts["xl/sharedStrings.xml"], "sst", ss_text)
        for enc, bom_, declare, label in (("utf-16-be", True, "UTF-16", "utf16be"),
                                          ("utf-16-le", False, "UTF-16", "utf16-nobom"),
                                          ("utf-32-le", True, "UTF-32", "utf32"),
                                          ("utf-8", True, None, "utf8-bom"),
                                          ("iso-8859-1", False, None, "latin1"),
                                          ("utf-7", False, None, "utf7"),
                                          ("cp1252", False, "windows-1252", "cp1252")):
            try:
                raw = recode(ss, enc, bom=bom_, declare=declare)
            except (UnicodeEncodeError, LookupError):
                continue
            hostile_parts.append((f"doctype-{label}.xlsx", "xl/sharedStrings.xml", raw, f"entity in {label} shared strings"))
        for part, root in (("xl/workbook.xml", "workbook"), ("xl/_rels/workbook.xml.rels", "Relationships"),
                           ("xl/styles.xml", "styleSheet"), ("docProps/core.xml", "cp:coreProperties"),
                           ("xl/comments3.xml", "comments"), ("[Content_Types].xml", "Types")):
            if part in parts:
                hostile_parts.append((f"doctype-{Path(part).name.strip('[]').replace('.', '-')}.xlsx", part,
                                      with_doctype(parts[part], root), f"DOCTYPE in {part}"))
        hostile_parts.append(("entita-esterna.xlsx", w.line_part,
                              parts[w.line_part].replace(b"?>", b'?><!DOCTYPE w SYSTEM "file:///etc/passwd">', 1),
                              "external DTD (file:///etc/passwd)"))
        laughs = ('<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                  + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
                  + f']><sst xmlns="{NS}"><si><t>&i;</t></si></sst>')
        hostile_parts.append(("miliardo-di-risate.xlsx", "xl/sharedStrings.xml", laughs.encode(), "billion laughs"))
        deep = f'<?xml version="1.0"?><worksheet xmlns="{NS}"><sheetData>' + "<x>" * 200_000 + "</x>" * 200_000 + \
            "</sheetData></worksheet>"
    for name, part, raw, kind in hostile_parts:
        replace_part(clean, w.path(name), part, raw)
        w.add(name, H, kind, ("R010", "R011"))
    if not small:
        replace_part(clean, w.path("annidamento.xlsx"), w.line_part, deep.encode())
        w.add("annidamento.xlsx", H, "200,000 nested elements in a sheet", ())
    # DOCTYPE after a 70 KB comment in a part large enough to be streamed
    if not small:
        pad = b"<!--" + b"-" * 0 + b"x" * (70 * 1024) + b"-->"
        rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(6, 400_000))
        body = (f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>').encode()
        streamed = b'<?xml version="1.0"?>' + pad + b'<!DOCTYPE worksheet [<!ENTITY e "x">]>' + body
        replace_part(clean, w.path("doctype-dopo-commento.xlsx"), w.line_part, streamed)
        w.add("doctype-dopo-commento.xlsx", H, "DOCTYPE after a 70 KB comment in a streamed sheet", ("R010", "R011"))

    # cells: indices and references out of range
    def sheet_cells(cells: str) -> bytes:
        src = parts[w.line_part].decode()
        return src.replace("</sheetData>", f'<row r="40">{cells}</row></sheetData>', 1).encode()

    cell_cases = [
        ("sst-negativo.xlsx", '<c r="E40" t="s"><v>-1</v></c>', "negative shared-string index"),
        ("sst-fuori.xlsx", '<c r="E40" t="s"><v>99999999999999999999</v></c>', "shared-string index out of range"),
    ]
    if not small:
        cell_cases += [
            ("sst-cifre-arabe.xlsx", '<c r="E40" t="s"><v>\u0661</v></c>', "shared-string index in Arabic digits"),
            ("sst-apice.xlsx", '<c r="E40" t="s"><v>\u00b2</v></c>', "shared-string index as a superscript"),
            ("rif-oltre-griglia.xlsx", '<c r="XFE1048577"><v>1</v></c>', "cell beyond XFD1048576"),
            ("rif-colonne-strane.xlsx", '<c r="\u00e8\u00e840"><v>1</v></c>', "reference with non-ASCII letters"),
            ("formula-lunga.xlsx", f'<c r="E40"><f>{"1+" * 20000}1</f><v>1</v></c>', "a 40,000-character formula"),
            ("formula-condivisa-orfana.xlsx", '<c r="E40"><f t="shared" si="77"/><v>1</v></c>',
             "shared formula without its master"),
            ("formula-condivisa-enorme.xlsx",
             '<c r="E40"><f t="shared" ref="E40:XFD1048576" si="0">A1</f><v>1</v></c>', "shared formula over the grid"),
            ("testo-40k.xlsx", f'<c r="E40" t="inlineStr"><is><t>{"y" * 40000}</t></is></c>',
             "inline text longer than Excel allows"),
            ("bool-strano.xlsx", '<c r="E40" t="b"><v>forse</v></c><c r="F40" t="d"><v>ieri</v></c>'
             '<c r="G40" t="e"><v>#BOH!</v></c><c r="H40" t="zz"><v>1</v></c>', "odd typed values"),
        ]
    for name, cells, kind in cell_cases:
        replace_part(clean, w.path(name), w.line_part, sheet_cells(cells))
        w.add(name, H, kind, ())
    if not small:
        row_cases = [
            ("riga-zero.xlsx", '<row r="0"><c r="A0"><v>1</v></c></row>', "row 0"),
            ("riga-enorme.xlsx", '<row r="99999999999"><c r="A99999999999"><v>1</v></c></row>', "row 99,999,999,999"),
            ("riga-ultima.xlsx", '<row r="1048576"><c r="E1048576"><v>1</v></c></row>', "a cell in the last row"),
        ]
        for name, row, kind in row_cases:
            replace_part(clean, w.path(name), w.line_part,
                         parts[w.line_part].replace(b"</sheetData>", row.encode() + b"</sheetData>", 1))
            w.add(name, H, kind, ())
        _budget_cases(w, parts, order)
        _metadata_cases(w)


def _first_shared_string(parts: dict[str, bytes]) -> str:
    m = re.search(rb"<t[^>]*>([^<]{4,})</t>", parts["xl/sharedStrings.xml"])
    assert m
    return m.group(1).decode()


def _sheets_workbook(n: int, out: Path) -> Path:
    """A valid workbook with `n` tiny sheets (XlsxWriter)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out))
    for i in range(n):
        wb.add_worksheet(f"F{i}").write_number(0, 0, i)
    wb.close()
    return out


def _budget_cases(w: _Writer, parts: dict[str, bytes], order: list[str]) -> None:
    from barometro.validators.reader import DEFAULT_LIMITS as L

    H = "hostile"
    _sheets_workbook(L.max_sheets + 1, w.path("troppi-fogli.xlsx"))
    w.add("troppi-fogli.xlsx", H, f"{L.max_sheets + 1} sheets", ("R024",))
    _sheets_workbook(300, w.path("trecento-fogli.xlsx"))
    w.add("trecento-fogli.xlsx", H, "300 sheets (under the budget)", ("R012",))
    per_row = 100
    rows = (L.max_cells + 1) // per_row + 1
    cells_xml = "".join(
        f'<row r="{r}">' + "".join(f'<c r="{_col_letters(c)}{r}"><v>1</v></c>' for c in range(1, per_row + 1)) + "</row>"
        for r in range(1, rows + 1))
    replace_part(w.clean, w.path("troppe-celle.xlsx"), w.line_part, _worksheet([cells_xml]))
    w.add("troppe-celle.xlsx", H, f"{L.max_cells + 1} cells and more", ("R024",))
    n = L.max_strings + 1
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}" count="{n}" uniqueCount="{n}">'
           + "<si><t>s</t></si>" * n + "</sst>").encode()
    replace_part(w.clean, w.path("troppe-stringhe.xlsx"), "xl/sharedStrings.xml", sst)
    w.add("troppe-stringhe.xlsx", H, f"{n} shared strings", ("R024",))
    rng = random.Random(3)
    letters = bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz ") for _ in range(MB))
    one = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}"><si><t>'.encode() + letters * 40
           + b"</t></si></sst>")
    replace_part(w.clean, w.path("stringa-enorme.xlsx"), "xl/sharedStrings.xml", one)
    w.add("stringa-enorme.xlsx", H, "one 40 MB shared string", ("R024",))
    name = "N" * (1 * MB)
    edit_part(w.clean, w.path("nome-foglio-enorme.xlsx"), "xl/workbook.xml",
              lambda b: b.replace(b'name="Ambiente"', f'name="{name}"'.encode(), 1))
    w.add("nome-foglio-enorme.xlsx", H, "a sheet name of 1 MB", ("R024",))
    edit_part(w.clean, w.path("fogli-omonimi.xlsx"), "xl/workbook.xml",
              lambda b: b.replace(b'name="Smart City"', b'name="Ambiente"', 1))
    w.add("fogli-omonimi.xlsx", H, "two sheets with the same name", ())
    edit_part(w.clean, w.path("rel-fuori.xlsx"), "xl/_rels/workbook.xml.rels",
              lambda b: re.sub(rb'Target="worksheets/sheet3.xml"', b'Target="../../../../etc/passwd"', b))
    w.add("rel-fuori.xlsx", H, "relationship pointing outside the package", ())
    edit_part(w.clean, w.path("rel-stringhe.xlsx"), "xl/_rels/workbook.xml.rels",
              lambda b: re.sub(rb'Target="worksheets/sheet3.xml"', b'Target="sharedStrings.xml"', b))
    w.add("rel-stringhe.xlsx", H, "a sheet whose part is the shared strings", ())
    dv = "".join(f'<dataValidation type="decimal" sqref="A{i} B{i}:C{i + 5}"><formula1>0</formula1></dataValidation>'
                 for i in range(1, 60_001))
    edit_part(w.clean, w.path("convalide.xlsx"), w.line_part,
              lambda b: re.sub(rb"<dataValidations[^>]*>.*?</dataValidations>", b"", b, flags=re.S).replace(
                  b"</sheetData>", f"</sheetData><dataValidations>{dv}</dataValidations>".encode(), 1)
              if b"<dataValidations" in b else b)
    w.add("convalide.xlsx", H, "60,000 data validations", ())
    merges = "".join(f'<mergeCell ref="P{i}:Q{i}"/>' for i in range(10, 200_010))
    edit_part(w.clean, w.path("unioni.xlsx"), w.line_part,
              lambda b: b.replace(b"</sheetData>", f"</sheetData><mergeCells>{merges}</mergeCells>".encode(), 1))
    w.add("unioni.xlsx", H, "200,000 merged ranges", ())
    names = "".join(f'<definedName name="n{i}">Ambiente!$A$1</definedName>' for i in range(100_000))
    edit_part(w.clean, w.path("nomi-definiti.xlsx"), "xl/workbook.xml",
              lambda b: re.sub(rb"<definedNames>", f"<definedNames>{names}".encode(), b, count=1))
    w.add("nomi-definiti.xlsx", H, "100,000 defined names", ())
    attr = (letters * 20).decode()
    replace_part(w.clean, w.path("attributo-enorme.xlsx"), w.line_part,
                 _worksheet([f'<row r="1" x="{attr}"><c r="A1"><v>1</v></c></row>']))
    w.add("attributo-enorme.xlsx", H, "a 20 MB attribute", ())


def _metadata_cases(w: _Writer) -> None:
    H = "hostile"

    def meta_edit(fn: Callable[[Workbook], None]) -> Callable[[Workbook], None]:
        return fn

    def far_place(wb: Workbook) -> None:
        from barometro.workbook_templates import spec

        ref = _meta_ref(wb, spec.META_INDICATOR_PREFIX + "AMB-02-01")
        assert ref, "metadata row of AMB-02-01"
        wb.set_value("_barometro", ref, "Ambiente!2000000000")

    w.damage("meta-riga-lontana.xlsx", "metadata place at row 2,000,000,000", (), far_place, group=H)

    def deep_json(wb: Workbook) -> None:
        ref = _meta_ref(wb, "settings_json")
        if ref:
            wb.set_value("_barometro", ref, "[" * 30000 + "]" * 30000)

    w.damage("meta-json-profondo.xlsx", "settings JSON nested 30,000 deep", (), deep_json, group=H)

    def nan_tolerance(wb: Workbook) -> None:
        ref = _meta_ref(wb, "settings_json")
        if ref:
            wb.set_value("_barometro", ref, '{"scoring": {"tolerance": NaN, "gauge_green": Infinity}}')

    w.damage("meta-json-nan.xlsx", "settings with NaN and Infinity", (), nan_tolerance, group=H)

    def many_indicators(wb: Workbook) -> None:
        for i in range(20_000):
            wb.set_value("_barometro", f"A{1000 + i}", f"ind.FAKE-{i:05d}")
            wb.set_value("_barometro", f"B{1000 + i}", f"Ambiente!{6 + i}")

    w.damage("meta-ventimila.xlsx", "metadata with 20,000 invented indicators", (), many_indicators, group=H)


def _meta_ref(wb: Workbook, key: str) -> str | None:
    root = wb.sheet_xml("_barometro")
    q = f"{{{NS}}}"
    sst = None
    for c in root.iter(f"{q}c"):
        ref = c.get("r", "")
        if not ref.startswith("A"):
            continue
        t = c.find(f"{q}is/{q}t")
        v = c.find(f"{q}v")
        text = t.text if t is not None else None
        if text is None and v is not None and c.get("t") == "s":
            if sst is None:
                from xml.etree import ElementTree as ET

                sst = ["".join(x.text or "" for x in si.iter(f"{q}t")) for si in ET.fromstring(wb.parts["xl/sharedStrings.xml"])]
            text = sst[int(v.text)]
        if text == key:
            return "B" + ref[1:]
    return None


def special_entries(folder: Path) -> list[Case]:
    """Folder entries that are not plain files: a FIFO, links, a folder, an unreadable file."""
    cases: list[Case] = []
    H = "hostile"
    fifo = folder / "fifo.xlsx"
    try:
        os.mkfifo(fifo)
        cases.append(Case(fifo.name, H, "a FIFO named .xlsx", ("R001",)))
    except (OSError, AttributeError):
        pass
    (folder / "cartella.xlsx").mkdir(exist_ok=True)
    cases.append(Case("cartella.xlsx", H, "a folder named .xlsx", ()))
    for name, target, kind in (("zero.xlsx", "/dev/zero", "link to /dev/zero"),
                               ("rotto.xlsx", str(folder / "non-esiste"), "broken link"),
                               ("anello.xlsx", str(folder / "anello.xlsx"), "link to itself")):
        try:
            os.symlink(target, folder / name)
            cases.append(Case(name, H, kind, ("R001",)))
        except OSError:
            pass
    return cases


def file_digest(path: Path) -> tuple[int, int, str] | None:
    """(size, mtime_ns, crc32) of a regular file; None for anything else (links, FIFOs)."""
    try:
        st = path.lstat()
    except OSError:
        return None
    import stat as _stat

    if not _stat.S_ISREG(st.st_mode):
        return None
    crc = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(MB), b""):
            crc = zlib.crc32(chunk, crc)
    return st.st_size, st.st_mtime_ns, f"{crc:08x}"

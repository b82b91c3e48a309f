"""One hardened pass over an .xlsx/.xlsm zip: formulas and cached values together.

`read_book(path)` returns a `Book` (see `book.py`) or raises `ReadProblem`
carrying the finding code that says why the file cannot be read. Whatever the
file claims, one path handles every part:

* the zip is opened and each entry read as a stream, every decompressed byte
  counted against the budgets (`Limits`): per entry, in total, entries,
  sheets, cells, strings, formula length and wall-clock time. Zip headers that
  lie change nothing; compression methods other than stored/deflate, entries
  flagged encrypted, bad CRCs and damaged deflate streams are findings;
* every XML part is brought to UTF-8 from whatever encoding it declares (BOM,
  declaration), then refused if it holds a DOCTYPE or an ENTITY, whatever the
  encoding was;
* XML is parsed by ElementTree (expat, C) and one decoder per element kind
  turns `<c>`, `<si>`, `<sheet>` ... into plain values. Small parts are parsed
  as trees, and of a worksheet only the elements the checks read (sheetData,
  protection, merges, validations, panes) are parsed; parts larger than
  `STREAM_ABOVE` are fed chunk by chunk to a pull parser whose elements go to
  the same decoders.
"""

from __future__ import annotations

import codecs
import errno
import os
import posixpath
import re
import stat
import struct
import time
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .book import Book, Cell, DataValidation, Sheet, SheetState, ValueKind, column_index

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
CHUNK = 64 * 1024
STREAM_ABOVE = 8 * 1024 * 1024  # worksheets and shared strings larger than this are pulled in chunks
TREE_PART_MAX = 16 * 1024 * 1024  # other XML parts (workbook, rels, styles) are at most this
ALLOWED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


@dataclass(frozen=True)
class Limits:
    """Budgets that hold whatever a file claims. A sector return is < 1 MB, a few thousand
    cells; the defaults keep one file under ~500 MB of memory and ~10 s on a 2-core machine
    (validation and annotation each get `seconds`). Every field can be set
    (`Limits.parse(["cells=100000", "seconds=3"])`, `--limit` on the command line)."""

    max_file_bytes: int = 50 * 1024 * 1024
    max_total_uncompressed: int = 160 * 1024 * 1024  # every byte decompressed, all entries
    max_member_uncompressed: int = 64 * 1024 * 1024  # one entry
    # A zip bomb: an entry larger than `bomb_floor` whose claimed size is over `max_ratio` times
    # its compressed size. Deflate tops at ~1032:1, reached only by data repeating with a
    # period of a few bytes (zeros, blanks); the most repetitive genuine sheet XML stays
    # under ~400:1. Other entries over the budget are R024, never "do not open it".
    max_ratio: float = 1000.0
    bomb_floor: int = 8 * 1024 * 1024
    max_entries: int = 5_000
    max_sheets: int = 500
    max_cells: int = 300_000
    max_strings: int = 1_000_000
    max_formula_chars: int = 8_192  # Excel's own limit
    max_text_chars: int = 32_767  # Excel's limit for the text of one cell
    max_sheet_name_chars: int = 255
    seconds: float = 4.0  # wall-clock time to validate one file (and again to annotate it)

    ALIASES = {"file_mb": "max_file_bytes", "total_mb": "max_total_uncompressed",
               "entry_mb": "max_member_uncompressed", "entries": "max_entries", "sheets": "max_sheets",
               "cells": "max_cells", "strings": "max_strings", "formula": "max_formula_chars",
               "text": "max_text_chars", "seconds": "seconds"}

    @classmethod
    def parse(cls, pairs: list[str] | tuple[str, ...], base: Limits | None = None) -> Limits:
        """`["cells=100000", "entry_mb=10", "seconds=2.5"]` -> Limits (ValueError when a pair is bad).
        Sizes named `*_mb` are in megabytes; any field name is accepted too."""
        import dataclasses

        values: dict[str, object] = {}
        fields = {f.name: f for f in dataclasses.fields(cls)}
        for pair in pairs:
            key, sep, raw = pair.partition("=")
            key = key.strip()
            name = cls.ALIASES.get(key, key)
            if not sep or name not in fields:
                raise ValueError(f"{pair!r}: use one of {', '.join(cls.ALIASES)}")
            try:
                number = float(raw)
            except ValueError:
                raise ValueError(f"{pair!r}: not a number") from None
            if not number > 0 or number == float("inf"):
                raise ValueError(f"{pair!r}: must be a positive number")
            if key.endswith("_mb"):
                number *= 1024 * 1024
            values[name] = number if fields[name].type in ("float", float) else int(number)
        return dataclasses.replace(base or cls(), **values)


DEFAULT_LIMITS = Limits()


class FileKind(StrEnum):
    XLSX = "xlsx"
    OLE = "ole"  # .xls, or an encrypted (password-protected) xlsx
    ODS = "ods"
    TEXT = "text"  # .txt / .csv / anything that is not binary
    UNSUPPORTED = "unsupported"  # another spreadsheet (or document) format: `unsupported_format` names it
    UNKNOWN = "unknown"


class ReadProblem(Exception):
    """The file cannot be read as a workbook; `code` is a finding code, `values` its parameters."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, values)
        self.code = code
        self.values = values


# --------------------------------------------------------------------------- sniffing


def _head(path: Path, n: int = 8) -> bytes:
    """The first `n` bytes of a regular file (a FIFO put in its place meanwhile never blocks)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise ReadProblem("R001", reason="special")
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
    except OSError as exc:  # a link loop, a name too long, an I/O error
        raise ReadProblem("R001", reason="link" if exc.errno == errno.ELOOP else "oserror") from None
    if stat.S_ISDIR(st.st_mode):
        raise ReadProblem("R001", reason="directory")
    if not stat.S_ISREG(st.st_mode):
        raise ReadProblem("R001", reason="special")
    if st.st_size > limits.max_file_bytes:
        raise ReadProblem("R008", size_mb=round(st.st_size / 1048576), limit_mb=round(limits.max_file_bytes / 1048576))
    return st


# Formats people save spreadsheets in that Barometro does not read: named in the finding (R026).
UNSUPPORTED_SUFFIXES = {
    ".xlsb": "Excel Binary (.xlsb)", ".numbers": "Apple Numbers", ".fods": "OpenDocument flat XML (.fods)",
    ".et": "WPS Spreadsheets (.et)", ".ett": "WPS Spreadsheets (.ett)", ".htm": "HTML", ".html": "HTML",
    ".mht": "MHTML", ".mhtml": "MHTML", ".gnumeric": "Gnumeric", ".slk": "SYLK", ".sylk": "SYLK",
    ".dif": "DIF", ".dbf": "dBase (.dbf)", ".qpw": "Quattro Pro", ".wb1": "Quattro Pro", ".wb2": "Quattro Pro",
    ".wb3": "Quattro Pro", ".wk1": "Lotus 1-2-3", ".wk3": "Lotus 1-2-3", ".wk4": "Lotus 1-2-3",
    ".123": "Lotus 1-2-3", ".sxc": "OpenOffice.org 1 (.sxc)", ".stc": "OpenOffice.org 1 (.stc)",
    ".uos": "Uniform Office Format (.uos)", ".xml": "XML", ".pdf": "PDF", ".xlam": "Excel add-in (.xlam)",
    ".xla": "Excel add-in (.xla)", ".xlt": "Excel 97-2003 template (.xlt)", ".wps": "Works/WPS",
    ".docx": "Word (.docx)", ".doc": "Word (.doc)", ".odt": "OpenDocument text (.odt)", ".rtf": "RTF",
    ".zip": "ZIP archive",
}
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".ods", ".ots", ".csv", ".tsv", ".txt",
                        *UNSUPPORTED_SUFFIXES)


def _text_format(head: bytes) -> str | None:
    """The format of a text file from its first bytes, when it is a known one."""
    probe = head.lstrip(codecs.BOM_UTF8).lstrip()[:4096]
    low = probe.lower()
    if probe.startswith(b"ID;P"):
        return "SYLK"
    if probe.startswith((b"TABLE\r\n0,1", b"TABLE\n0,1")):
        return "DIF"
    if probe.startswith(b"{\\rtf"):
        return "RTF"
    if b"urn:schemas-microsoft-com:office:spreadsheet" in low or b"progid=\"excel.sheet\"" in low:
        return "SpreadsheetML 2003 (XML)"
    if b"urn:oasis:names:tc:opendocument" in low and b"office:document" in low:
        return "OpenDocument flat XML (.fods)"
    if low.startswith((b"<!doctype html", b"<html")) or b"<html" in low[:1024] or low.startswith(b"<table"):
        return "HTML"
    if probe.startswith(b"<?xml") or probe.startswith(b"<"):
        return "XML"
    return None


def unsupported_format(path: Path, head: bytes | None = None) -> str | None:
    """The name of the format when `path` is a spreadsheet or document Barometro does not read."""
    if head is None:
        head = _head(path, 4096)
    suffix = path.suffix.lower()
    if head.startswith(b"%PDF"):
        return "PDF"
    if head.startswith(b"\x1f\x8b"):
        return "Gnumeric" if suffix == ".gnumeric" else "gzip"
    if head.startswith(OLE_MAGIC):
        return UNSUPPORTED_SUFFIXES.get(suffix) if suffix in (".et", ".ett", ".qpw", ".wb3", ".wps", ".doc",
                                                               ".xlt", ".xla") else None
    if head[:4] in ZIP_MAGICS:
        return None  # the package's own parts say (see _read_zip)
    if b"\x00" in head[:512] and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return UNSUPPORTED_SUFFIXES.get(suffix)
    found = _text_format(head)
    if found is not None:
        return found
    if suffix in (".txt", ".csv", ".tsv"):
        return None
    return UNSUPPORTED_SUFFIXES.get(suffix)


def sniff(path: Path, limits: Limits = DEFAULT_LIMITS) -> FileKind:
    """What the file really is, by its first bytes first, then its extension."""
    check_access(path, limits)
    try:
        head = _head(path, 4096)
    except PermissionError:
        raise ReadProblem("R001", reason="permission") from None
    except OSError:
        raise ReadProblem("R001", reason="oserror") from None
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC):
        return FileKind.UNSUPPORTED if unsupported_format(path, head) else FileKind.OLE
    if head[:4] in ZIP_MAGICS:
        if suffix in (".ods", ".ots"):
            return FileKind.ODS
        return FileKind.XLSX
    if unsupported_format(path, head) is not None:
        return FileKind.UNSUPPORTED
    if suffix in (".ods", ".ots"):
        return FileKind.ODS
    if suffix in (".txt", ".csv", ".tsv"):
        return FileKind.TEXT
    if suffix in (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls"):
        return FileKind.UNKNOWN
    return FileKind.TEXT if b"\x00" not in head[:8] else FileKind.UNKNOWN


def is_encrypted_ole(path: Path) -> bool:
    """An OLE file holding an `EncryptedPackage` stream is a password-protected xlsx."""
    with open(path, "rb") as fh:
        data = fh.read(4 * 1024 * 1024)
    return ENCRYPTED_STREAM in data


# --------------------------------------------------------------------------- the package


def check_central_directory(fh, limits: Limits) -> None:  # noqa: ANN001 - a binary file object
    """Refuse a zip whose central directory is too large before `zipfile` parses it (each of
    its entries becomes a Python object): the end record gives the count and the size."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(max(0, size - 65_536 - 22))
    tail = fh.read()
    fh.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        return  # zipfile says what is wrong (R003)
    count, cd_size = struct.unpack_from("<HI", tail, at + 10)
    z64 = tail.rfind(b"PK\x06\x06", 0, at)
    if z64 >= 0 and len(tail) - z64 >= 56:
        count, cd_size = struct.unpack_from("<QQ", tail, z64 + 32)
    if count > limits.max_entries or cd_size > limits.max_entries * 512:
        raise ReadProblem("R024", what="entries", count=max(count, cd_size // 46), limit=limits.max_entries)


class _Package:
    """The zip, read entry by entry as budgeted streams.

    Every byte any entry decompresses to is counted (`chunks`), whatever its header says;
    `drain` reads the entries no decoder needed, so that once a book is read every entry
    has been decompressed within the budgets, its CRC checked and, for XML, its DOCTYPE
    refused: what opens the file next (openpyxl for an annotated copy) meets no surprise."""

    def __init__(self, zf: zipfile.ZipFile, limits: Limits, deadline: float | None = None) -> None:
        self.zf = zf
        self.limits = limits
        self.left = limits.max_total_uncompressed
        self.deadline = deadline if deadline is not None else time.monotonic() + limits.seconds
        infos = zf.infolist()
        if len(infos) > limits.max_entries:
            raise ReadProblem("R024", what="entries", count=len(infos), limit=limits.max_entries)
        self.names: dict[str, zipfile.ZipInfo] = {}
        folded: set[str] = set()
        for info in infos:
            key = info.filename.lower()  # OPC part names are case-insensitive
            if key in folded:
                raise ReadProblem("R003", detail="duplicate entry")
            folded.add(key)
            self.names[info.filename] = info
        self.read_parts: set[str] = set()
        for info in infos:
            if info.compress_type not in ALLOWED_COMPRESSION:
                raise ReadProblem("R023", member=info.filename, method=info.compress_type)
            if info.flag_bits & 0x1:
                raise ReadProblem("R004")
            if info.file_size > limits.bomb_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
                raise ReadProblem("R009", member=info.filename, size_mb=round(info.file_size / 1048576))
            if info.file_size > limits.max_member_uncompressed:
                raise ReadProblem("R024", what="bytes", count=info.file_size, limit=limits.max_member_uncompressed)

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ReadProblem("R025", seconds=self.limits.seconds)

    def chunks(self, name: str, cap: int | None = None, *, counted: bool = True) -> Iterator[bytes]:
        """The entry's decompressed bytes in chunks, stopping at the budgets (headers ignored).
        `counted=False`: a second read of the same entry (not counted twice in the total)."""
        cap = self.limits.max_member_uncompressed if cap is None else cap
        taken = 0
        self.read_parts.add(name)
        with self.zf.open(self.names[name]) as stream:
            while True:
                self.tick()
                chunk = stream.read(CHUNK)
                if not chunk:
                    return
                taken += len(chunk)
                if counted:
                    self.left -= len(chunk)
                if self.left < 0:
                    raise ReadProblem("R024", what="bytes", count=self.limits.max_total_uncompressed - self.left,
                                      limit=self.limits.max_total_uncompressed)
                if taken > cap:
                    raise ReadProblem("R024", what="bytes", count=taken, limit=cap)
                yield chunk

    def read(self, name: str, cap: int | None = None) -> bytes:
        return b"".join(self.chunks(name, cap))

    def head(self, name: str, n: int) -> bytes:
        with self.zf.open(self.names[name]) as stream:
            data = stream.read(n)
        self.left -= len(data)
        return data

    def xml_chunks(self, name: str) -> Iterator[bytes]:
        """The XML entry as UTF-8 chunks, whatever its encoding, refused (R010) if it has a
        DOCTYPE or an ENTITY anywhere, across chunk boundaries too."""
        decoder = None
        tail = b""
        first = True
        for chunk in self.chunks(name):
            if first:
                first = False
                encoding = _encoding_of(chunk)
                if encoding is not None:
                    decoder = codecs.getincrementaldecoder(encoding)()
                    chunk = _DECL_ANY.sub(b"", _decode(decoder, chunk, name).lstrip("\ufeff").encode("utf-8"), count=1)
                elif chunk.startswith(codecs.BOM_UTF8):
                    chunk = chunk[3:]
            elif decoder is not None:
                chunk = _decode(decoder, chunk, name).encode("utf-8")
            probe = tail + chunk
            if any(word in probe for word in _HOSTILE):
                raise ReadProblem("R010", part=name)
            tail = probe[-16:]
            yield chunk
        if decoder is not None:
            rest = _decode(decoder, b"", name, final=True).encode("utf-8")
            if any(word in tail + rest for word in _HOSTILE):
                raise ReadProblem("R010", part=name)
            if rest:
                yield rest

    def drain(self) -> None:
        """Read every entry no decoder read: counted, CRC-checked, XML scanned for DOCTYPEs."""
        for name, info in self.names.items():
            if name in self.read_parts or info.is_dir():
                continue
            xml = name.lower().endswith((".xml", ".rels", ".vml"))
            if info.file_size <= CHUNK:  # the common small part: one read, one scan
                self.tick()
                self.read_parts.add(name)
                with self.zf.open(info) as stream:
                    data = stream.read(CHUNK + 1)
                    if len(data) > CHUNK:
                        data += stream.read(self.limits.max_member_uncompressed)
                self.left -= len(data)
                if self.left < 0 or len(data) > self.limits.max_member_uncompressed:
                    raise ReadProblem("R024", what="bytes", count=len(data), limit=self.limits.max_member_uncompressed)
                if xml:
                    to_utf8(data, name)
            elif xml:
                for _chunk in self.xml_chunks(name):
                    pass
            else:
                for _chunk in self.chunks(name):
                    pass


# --------------------------------------------------------------------------- XML: one way in

_DECL = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)[\"'][^>]*\?>")
_DECL_ANY = re.compile(rb"^<\?xml[^>]*\?>")
_UTF8 = {"utf-8", "utf8", "ascii", "us-ascii"}
_HOSTILE = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
_DECLARATION = re.compile(rb"<!(?!--|\[CDATA\[)")


def _encoding_of(data: bytes) -> str | None:
    """The encoding to decode the part from, or None when it is UTF-8 already (BOM aside)."""
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if data[:2] == b"<\x00":
        return "utf-16-le"
    if data[:2] == b"\x00<":
        return "utf-16-be"
    if data.startswith(codecs.BOM_UTF8):
        return None
    m = _DECL.match(data)
    if m and m.group(1).decode("ascii").lower() not in _UTF8:
        return m.group(1).decode("ascii")
    return None


def _decode(decoder: codecs.IncrementalDecoder, data: bytes, part: str, *, final: bool = False) -> str:
    try:
        text = decoder.decode(data, final)
        text.encode("utf-8")  # lone surrogates (UTF-16 garbage) are not text
        return text
    except (LookupError, UnicodeError):
        raise ReadProblem("R011", part=part, detail="encoding") from None


def to_utf8(data: bytes, part: str) -> bytes:
    """The part as UTF-8 bytes, whatever it declares; refused when it holds a DOCTYPE or ENTITY
    (the refusal runs on the UTF-8 form, so no encoding hides one)."""
    encoding = _encoding_of(data)
    if encoding is not None:
        data = _recode(data, encoding, part)
    elif data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    if _DECLARATION.search(data):  # one pass: any <!X but a comment or CDATA (DOCTYPE, ENTITY, ...)
        raise ReadProblem("R010", part=part)
    return data


def _recode(data: bytes, encoding: str, part: str) -> bytes:
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise ReadProblem("R011", part=part, detail=f"encoding {encoding}") from None
    raw = _decode(decoder, data, part, final=True).lstrip("\ufeff").encode("utf-8")
    return _DECL_ANY.sub(b"", raw, count=1)  # the declaration named the old encoding


def _parse(data: bytes, part: str) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ReadProblem("R011", part=part, detail=str(exc)) from None


_ROOT_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)\b([^>]*)>")
_NS_DECL = re.compile(rb"\sxmlns(?::[\w.\-]+)?\s*=\s*(\"[^\"]*\"|'[^']*')")


class _Fragments:
    """Elements of one worksheet, parsed on their own (the root's namespaces carried over).

    Used when the part has no comment, CDATA or processing instruction that could
    hide a look-alike element; otherwise the whole part is parsed as one tree."""

    def __init__(self, data: bytes, part: str) -> None:
        self.data, self.part = data, part
        decl = _DECL_ANY.match(data)
        body = data[decl.end():] if decl else data
        m = _ROOT_TAG.search(body)
        decls = b" ".join(d.group(0).strip() for d in _NS_DECL.finditer(m.group(3))) if m else b""
        self.prefix = (m.group(1) or b"") if m else b""
        self.open = b"<_w " + decls + b">"

    def _span(self, local: str) -> tuple[int, int] | None:
        """Byte span of the first element `local` (with the root's prefix), or None."""
        tag = self.prefix + local.encode()
        start = self.data.find(b"<" + tag)
        while start >= 0:
            after = self.data[start + len(tag) + 1:start + len(tag) + 2]
            if after in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
                break
            start = self.data.find(b"<" + tag, start + 1)
        if start < 0:
            return None
        gt = self.data.find(b">", start)
        if gt > 0 and self.data[gt - 1:gt] == b"/":
            return start, gt + 1
        close = b"</" + tag + b">"
        end = self.data.find(close, start)
        if end < 0:
            raise ReadProblem("R011", part=self.part, detail=f"<{local}> not closed")
        return start, end + len(close)

    def elements(self, *locals_: str) -> list[ET.Element]:
        """The first element of each name that the part has, parsed together in one call."""
        spans = sorted(span for span in (self._span(local) for local in locals_) if span is not None)
        if not spans:
            return []
        body = b"".join(self.data[a:b] for a, b in spans)
        return list(_parse(self.open + body + b"</_w>", self.part))


def _needs_whole_tree(data: bytes) -> bool:
    return b"<!--" in data or b"<![CDATA[" in data or data.count(b"<?") > (1 if data.startswith(b"<?xml") else 0)


# --------------------------------------------------------------------------- decoders


def _lt(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


def _ns(root_tag: str) -> str:
    return root_tag[: root_tag.find("}") + 1] if root_tag.startswith("{") else ""


def rich_text(el: ET.Element) -> str:
    """Text of an <si>/<is>: its <t> and the <t> of its runs, phonetic runs (<rPh>) left out."""
    if len(el) == 1:
        only = el[0]
        if only.tag == "t" or only.tag.endswith("}t"):
            return only.text or ""  # the common string: one <t>
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


_EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                           "#GETTING_DATA", "#SPILL!", "#CALC!", "Err:502", "Err:504", "Err:508", "Err:509",
                           "Err:510", "Err:511", "Err:512", "Err:513", "Err:514", "Err:519", "Err:520",
                           "Err:522", "Err:523", "Err:524"})


@dataclass
class _SheetDecoder:
    """Turns the <c> elements of one worksheet into `Cell`s (the one cell decoder)."""

    sheet: Sheet
    strings: list[str]
    limits: Limits
    budget: list[int]  # cells left for the whole book (shared, mutable)
    ns: str = ""
    shared: dict[str, tuple[str, str]] = field(default_factory=dict)  # si -> (formula, origin A1)
    row: int = 0
    col: int = 0
    tick: Callable[[], None] = lambda: None  # the package's deadline check
    translated: int = 0

    def __post_init__(self) -> None:
        ns = self.ns
        self.t_c, self.t_v, self.t_f, self.t_is, self.t_row = ns + "c", ns + "v", ns + "f", ns + "is", ns + "row"

    def rows(self, sheet_data: ET.Element) -> None:
        t_row = self.t_row
        for row in sheet_data:
            if row.tag == t_row:
                self.row_cells(row)

    def row_cells(self, row: ET.Element) -> None:
        """Every <c> of one <row>: both feeds (a parsed part, a pulled one) come through here."""
        r = row.get("r")
        self.row = row_n = int(r) if r and r.isdecimal() else self.row + 1
        if row_n > MAX_ROW:
            raise ReadProblem("R011", part=self.sheet.name, detail=f"row {row_n} beyond {MAX_ROW}")
        col = 0
        t_c, t_v = self.t_c, self.t_v
        cells, strings, n_strings = self.sheet.cells, self.strings, len(self.strings)
        refs = _REFS
        max_row = self.sheet.max_row
        for c in row:
            if c.tag != t_c:
                continue
            ref = c.get("r")
            if ref:
                pos = refs.get(ref)
                if pos is None:
                    try:
                        pos = _ref_position(ref, row_n)
                    except ReadProblem as exc:
                        raise ReadProblem(exc.code, **{**exc.values, "part": self.sheet.name}) from None
                row_n, col = pos
                self.row = row_n
            else:
                col += 1
            size = len(c)
            if not size:
                continue  # a styled empty cell: nothing to record
            s = c.get("s")
            style = int(s) if s and s.isdecimal() else 0
            first = c[0]
            t = c.get("t")
            if size == 1 and first.tag == t_v and (t is None or t == "n" or t == "s"):
                # The common cell, a plain number or a shared string, built here directly.
                raw = first.text or ""
                if t == "s":
                    i = int(raw) if raw.isdecimal() else -1
                    value, kind = (strings[i], ValueKind.TEXT) if 0 <= i < n_strings else (raw, ValueKind.TEXT)
                elif raw:
                    try:
                        value, kind = float(raw), ValueKind.NUMBER
                        if value - value:  # NaN or an infinity: no spreadsheet stores one
                            self.sheet.non_finite.append((row_n, col))
                    except ValueError:
                        value, kind = self._text(raw), ValueKind.TEXT
                else:
                    continue
                cell = _new_cell(Cell, (row_n, col, value, kind, None, False, style))
            else:
                self.col = col
                cell = self._general(c, t or "n", style)
                if cell is None:
                    continue
            self.budget[0] -= 1
            if self.budget[0] < 0:
                raise ReadProblem("R024", what="cells", count=self.limits.max_cells + 1, limit=self.limits.max_cells)
            cells[(row_n, col)] = cell
            if row_n > max_row:
                max_row = row_n
        self.sheet.max_row = max_row
        self.col = col

    def _general(self, c: ET.Element, t: str, style: int) -> Cell | None:
        """Any other cell: formulas, inline strings, booleans, errors, dates."""
        formula: str | None = None
        array = False
        raw: str | None = None
        inline: str | None = None
        for child in c:
            tag = child.tag
            if tag == self.t_v:
                raw = child.text or ""
            elif tag == self.t_f:
                formula = self._formula(child)
                array = child.get("t") == "array"
            elif tag == self.t_is:
                inline = rich_text(child)
        value, kind = self._value(t, raw, inline)
        if formula is None and kind is ValueKind.EMPTY:
            return None
        if kind is ValueKind.TEXT:
            self._text(value)
        elif kind is ValueKind.NUMBER and value - value:
            self.sheet.non_finite.append((self.row, self.col))
        return Cell(self.row, self.col, value, kind, formula, array, style)

    def _text(self, value: str) -> str:
        if len(value) > self.limits.max_text_chars:
            raise ReadProblem("R024", what="text", count=len(value), limit=self.limits.max_text_chars)
        return value

    def _value(self, t: str, raw: str | None, inline: str | None) -> tuple[object, ValueKind]:
        if t == "inlineStr":
            return (inline, ValueKind.TEXT) if inline is not None else (None, ValueKind.EMPTY)
        if raw is None:
            return None, ValueKind.EMPTY
        if t == "n":
            if raw == "":
                return None, ValueKind.EMPTY
            try:
                return float(raw), ValueKind.NUMBER  # "NaN"/"INF" stay floats: the checks see them
            except ValueError:
                return raw, ValueKind.TEXT
        if t == "s":
            i = int(raw) if raw.strip().isdecimal() else -1
            if 0 <= i < len(self.strings):
                return self.strings[i], ValueKind.TEXT
            return raw, ValueKind.TEXT  # an index out of range reads as what it is, never another cell
        if t == "str":
            return raw, ValueKind.TEXT
        if t == "b":
            return raw.strip() in ("1", "true"), ValueKind.BOOL
        if t == "e":
            return raw, ValueKind.ERROR
        if t == "d":
            return raw, ValueKind.DATE
        return raw, ValueKind.TEXT

    def _formula(self, f: ET.Element) -> str | None:
        text = f.text or ""
        if len(text) > self.limits.max_formula_chars:
            raise ReadProblem("R024", what="formula", count=len(text), limit=self.limits.max_formula_chars)
        if f.get("t") == "shared":
            si = f.get("si", "")
            if text:
                from .book import a1

                self.shared[si] = (text, a1(self.row, self.col))
            elif si in self.shared:
                text = _translate(self.shared[si], self.row, self.col)
                self.translated += 1
                if not self.translated % 256:
                    self.tick()  # translating is the slow part of a sheet of shared formulas
        return "=" + text if text else None

    def other(self, el: ET.Element) -> None:
        """Worksheet elements besides the cells: protection, merges, validations, the pane."""
        lt = _lt(el.tag)
        sheet = self.sheet
        if lt == "sheetProtection":
            sheet.protected = el.get("sheet", "0") in ("1", "true")
        elif lt == "mergeCells":
            sheet.merged.extend(m.get("ref") for m in el if m.get("ref"))
        elif lt == "dataValidations":
            for dv in el:
                if _lt(dv.tag) == "dataValidation":
                    sheet.validations.append(_validation(dv))
        elif lt == "sheetViews":
            for view in el:
                for sub in view:
                    if _lt(sub.tag) == "pane" and sub.get("state", "split") in ("frozen", "frozenSplit"):
                        sheet.frozen = sub.get("topLeftCell", "")


def _validation(dv: ET.Element) -> DataValidation:
    formulas = {_lt(child.tag): (child.text or "") for child in dv}
    return DataValidation(
        sqref=dv.get("sqref", ""), type=dv.get("type", "none"), operator=dv.get("operator", "between"),
        formula1=formulas.get("formula1", ""), formula2=formulas.get("formula2", ""),
        allow_blank=dv.get("allowBlank", "0") in ("1", "true"),
        error_style=dv.get("errorStyle", "stop"), show_error=dv.get("showErrorMessage", "0") in ("1", "true"),
    )


_new_cell = tuple.__new__  # Cell(...) without the NamedTuple constructor's Python frame
_REFS: dict[str, tuple[int, int]] = {}  # "M7" -> (7, 13): returns of one template repeat the same refs


MAX_ROW, MAX_COL = 1_048_576, 16_384  # the grid of Excel and LibreOffice (XFD1048576)


def _ref_position(ref: str, row: int) -> tuple[int, int]:
    letters = ref.rstrip("0123456789")
    digits = ref[len(letters):]
    bare = letters.replace("$", "")
    col = column_index(bare) if bare.isascii() and bare.isalpha() else 0
    if col > MAX_COL or (digits and int(digits) > MAX_ROW):
        raise ReadProblem("R011", part="", detail=f"cell {ref[:20]} beyond XFD{MAX_ROW}")
    if not digits:
        return row, col  # a reference without a row: this row
    pos = (int(digits), col)
    if len(_REFS) > 500_000:
        _REFS.clear()
    _REFS[ref] = pos
    return pos


def _translate(master: tuple[str, str], row: int, col: int) -> str:
    from openpyxl.formula.translate import Translator

    from .book import a1

    formula, origin = master
    try:
        return Translator("=" + formula, origin=origin).translate_formula(a1(row, col))[1:]
    except Exception:  # noqa: BLE001 - an untranslatable formula stays as written
        return formula


_WORKSHEET_PARTS = ("sheetProtection", "mergeCells", "dataValidations", "sheetViews")


_CELL_TAGS = (b"<c ", b"<c>", b":c ", b":c>")
_STRING_TAGS = (b"<si>", b"<si ", b":si>", b":si ")


def _count_cells(data: bytes) -> int:
    """How many <c> elements the bytes hold (styled empty ones too: each costs parsing)."""
    return data.count(b"<c ") + data.count(b"<c>") + data.count(b":c ") + data.count(b":c>")


def _counted(chunks: Iterator[bytes], tags: tuple[bytes, ...], check: Callable[[int], None]) -> None:
    """Count `tags` over a stream of chunks (also those cut by a chunk boundary), calling
    `check(count)` after each chunk."""
    count = 0
    tail = b""
    keep = max(map(len, tags)) - 1
    for chunk in chunks:
        probe = tail + chunk
        count += sum(probe.count(tag) for tag in tags)
        tail = probe[-keep:]
        check(count)


def _cells_budget(dec: _SheetDecoder, count: int) -> None:
    """Refuse before parsing a part with more <c> elements than twice the cells left (empty
    styled cells are parsed but not kept: a formatted range is not refused for them; the
    cells kept are counted exactly by the decoder)."""
    if count > 2 * dec.budget[0]:
        limit = dec.limits.max_cells
        raise ReadProblem("R024", what="cells", count=limit - dec.budget[0] + count, limit=limit)


def _read_worksheet(pkg: _Package, part: str, dec: _SheetDecoder, *, light: bool) -> None:
    info = pkg.names[part]
    dec.tick = pkg.tick
    if info.file_size > STREAM_ABOVE:
        _pull_worksheet(pkg, part, dec)
        return
    data = to_utf8(pkg.read(part, cap=max(STREAM_ABOVE, 0)), part)
    if light and b"<f" not in data and b":f" not in data:
        m = re.search(rb"<(?:\w+:)?sheetProtection\b[^>]*\bsheet=\"(1|true)\"", data)
        dec.sheet.protected = m is not None
        return
    if len(data) > 8 * dec.budget[0]:  # a <c> takes 4 bytes at least: only then can there be too many
        _cells_budget(dec, _count_cells(data))
    if _needs_whole_tree(data):
        root = _parse(data, part)
        dec.ns = _ns(root.tag)
        dec.__post_init__()
        for el in root:
            if _lt(el.tag) == "sheetData":
                dec.rows(el)
            elif _lt(el.tag) in _WORKSHEET_PARTS:
                dec.other(el)
        return
    for el in _Fragments(data, part).elements("sheetData", *_WORKSHEET_PARTS):
        if _lt(el.tag) == "sheetData":
            dec.ns = _ns(el.tag)
            dec.__post_init__()
            dec.rows(el)
        else:
            dec.other(el)


def _pull(pkg: _Package, name: str, on_start: Callable[[ET.Element], None],
          on_end: Callable[[ET.Element], None], each_chunk: Callable[[], None]) -> None:
    """Feed a large part to the pull parser chunk by chunk (UTF-8, DOCTYPE refused)."""
    parser = ET.XMLPullParser(events=("start", "end"))
    for chunk in pkg.xml_chunks(name):
        try:
            parser.feed(chunk)
            events = list(parser.read_events())
        except ET.ParseError as exc:
            raise ReadProblem("R011", part=name, detail=str(exc)) from None
        for event, el in events:
            if event == "start":
                on_start(el)
            else:
                on_end(el)
        each_chunk()
    try:
        parser.close()
    except ET.ParseError as exc:
        raise ReadProblem("R011", part=name, detail=str(exc)) from None


def _pull_worksheet(pkg: _Package, part: str, dec: _SheetDecoder) -> None:
    """A large worksheet, pulled through the parser chunk by chunk; same decoder, rows dropped
    once decoded. A first pass only counts its cells (refused before parsing when too many)."""
    _counted(pkg.chunks(part, counted=False), _CELL_TAGS, lambda count: _cells_budget(dec, count))
    holder: list[ET.Element] = []

    def on_start(el: ET.Element) -> None:
        lt = _lt(el.tag)
        if lt == "worksheet":
            dec.ns = _ns(el.tag)
            dec.__post_init__()
        elif lt == "sheetData":
            holder.append(el)

    def on_end(el: ET.Element) -> None:
        lt = _lt(el.tag)
        if lt == "row":
            dec.row_cells(el)
            el.clear()
        elif lt in _WORKSHEET_PARTS:
            dec.other(el)
            el.clear()

    def each_chunk() -> None:
        if holder:
            del holder[0][:]  # decoded rows go (the open one is still the parser's)

    _pull(pkg, part, on_start, on_end, each_chunk)


# --------------------------------------------------------------------------- workbook parts


_STATE = {"hidden": SheetState.HIDDEN, "veryHidden": SheetState.VERY_HIDDEN}


def _resolve(base_dir: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(base_dir, target))


def _tree(pkg: _Package, name: str) -> ET.Element | None:
    if name not in pkg.names:
        return None
    return _parse(to_utf8(pkg.read(name, cap=TREE_PART_MAX), name), name)


def _rels(pkg: _Package, name: str) -> dict[str, tuple[str, str, str]]:
    """{rId: (type suffix, target, mode)} of a .rels part (empty when absent)."""
    root = _tree(pkg, name)
    out: dict[str, tuple[str, str, str]] = {}
    if root is None:
        return out
    for el in root:
        if _lt(el.tag) == "Relationship":
            out[el.get("Id", "")] = (el.get("Type", "").rsplit("/", 1)[-1], el.get("Target", ""),
                                     el.get("TargetMode", ""))
    return out


def _attr(el: ET.Element, local: str) -> str | None:
    """Attribute by local name, with or without namespace."""
    if local in el.attrib:
        return el.attrib[local]
    for k, v in el.attrib.items():
        if _lt(k) == local:
            return v
    return None


def _shared_strings(pkg: _Package, name: str, limits: Limits) -> list[str]:
    info = pkg.names[name]

    def too_many(count: int) -> None:
        if count > limits.max_strings:
            raise ReadProblem("R024", what="strings", count=count, limit=limits.max_strings)

    if info.file_size <= STREAM_ABOVE:
        data = to_utf8(pkg.read(name, cap=TREE_PART_MAX), name)
        too_many(sum(data.count(tag) for tag in _STRING_TAGS))
        root = _parse(data, name)
        items = [rich_text(si) for si in root if _lt(si.tag) == "si"]
    else:
        _counted(pkg.chunks(name, counted=False), _STRING_TAGS, too_many)
        items = []
        holder: list[ET.Element] = []

        def on_start(el: ET.Element) -> None:
            if not holder:
                holder.append(el)  # the <sst> root

        def on_end(el: ET.Element) -> None:
            if _lt(el.tag) == "si":
                items.append(rich_text(el))
                el.clear()

        def each_chunk() -> None:
            too_many(len(items))
            if holder:
                del holder[0][:]

        _pull(pkg, name, on_start, on_end, each_chunk)
    too_many(len(items))
    longest = max(map(len, items), default=0)
    if longest > limits.max_text_chars:
        raise ReadProblem("R024", what="text", count=longest, limit=limits.max_text_chars)
    return items


def _number_formats(pkg: _Package, name: str) -> list[str]:
    """The number format code of each cell style (cellXfs), in style-index order."""
    if name not in pkg.names:
        return []
    data = to_utf8(pkg.read(name, cap=TREE_PART_MAX), name)
    if _needs_whole_tree(data):
        root = _parse(data, name)
        num_fmts = next((el for el in root if _lt(el.tag) == "numFmts"), None)
        cell_xfs = next((el for el in root if _lt(el.tag) == "cellXfs"), None)
    else:
        found = {_lt(el.tag): el for el in _Fragments(data, name).elements("numFmts", "cellXfs")}
        num_fmts, cell_xfs = found.get("numFmts"), found.get("cellXfs")
    codes = dict(BUILTIN_FORMATS)
    if num_fmts is not None:
        for nf in num_fmts:
            fid = nf.get("numFmtId", "")
            if fid.isdecimal():
                codes[int(fid)] = nf.get("formatCode", "")
    out: list[str] = []
    if cell_xfs is not None:
        for xf in cell_xfs:
            fid = xf.get("numFmtId", "0")
            out.append(codes.get(int(fid), "General") if fid.isdecimal() else "General")
    return out


# Excel's built-in number formats that matter to the checks (ids 9 and 10 are percentages).
BUILTIN_FORMATS = {0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
                   11: "0.00E+00", 14: "mm-dd-yy", 49: "@"}


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
    if kind is FileKind.UNSUPPORTED:
        raise ReadProblem("R026", format=unsupported_format(path) or path.suffix)
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the ZipFile, or below
    except PermissionError:
        raise ReadProblem("R001", reason="permission") from None
    except OSError:
        raise ReadProblem("R001", reason="oserror") from None
    try:
        check_central_directory(fh, limits)
        zf = zipfile.ZipFile(fh)
    except ReadProblem:
        fh.close()
        raise
    except zipfile.BadZipFile:
        fh.close()
        raise ReadProblem("R003") from None
    except (OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
        fh.close()
        raise ReadProblem("R003", detail=type(exc).__name__) from None
    try:
        with fh, zf:
            return _read_zip(zf, path, limits, only_sheets, light_sheets)
    except ReadProblem:
        raise
    except RuntimeError as exc:  # zipfile: "File is encrypted, password required"
        raise (ReadProblem("R004") if "encrypt" in str(exc).lower()
               else ReadProblem("R003", detail=type(exc).__name__)) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            KeyError, IndexError, UnicodeError, OverflowError) as exc:
        raise ReadProblem("R003", detail=type(exc).__name__) from None
    except RecursionError:
        raise ReadProblem("R011", part="?", detail="recursion") from None
    except MemoryError:
        raise ReadProblem("R009", member="?", size_mb="?") from None


def _read_zip(zf: zipfile.ZipFile, path: Path, limits: Limits, only_sheets: set[str] | None,
              light_sheets: frozenset[str]) -> Book:
    pkg = _Package(zf, limits)
    names = pkg.names
    if "mimetype" in names:
        mime = pkg.head("mimetype", 80)
        if mime.startswith(ODS_MIME):
            raise ReadProblem("R006")
        if mime.startswith(b"application/vnd.sun.xml.calc"):
            raise ReadProblem("R026", format="OpenOffice.org 1 (.sxc)")
    rels = _rels(pkg, "_rels/.rels")
    wb_name = next((_resolve("", t) for ty, t, _ in rels.values() if ty == "officeDocument"), "xl/workbook.xml")
    if wb_name.lower().endswith(".bin"):
        raise ReadProblem("R026", format="Excel Binary (.xlsb)")
    if wb_name not in names:
        lower = {n.lower() for n in names}
        if wb_name.endswith(".bin") or "xl/workbook.bin" in lower:
            raise ReadProblem("R026", format="Excel Binary (.xlsb)")
        if any(n.startswith("index/") or n == "index.zip" for n in lower):
            raise ReadProblem("R026", format="Apple Numbers")
        if "content.xml" in lower:
            raise ReadProblem("R006")
        if "word/document.xml" in lower:
            raise ReadProblem("R026", format="Word (.docx)")
        raise ReadProblem("R002")
    wb_dir = posixpath.dirname(wb_name)
    book = Book(path=str(path), size=path.stat().st_size)
    book.has_vba = any(n.lower().endswith("vbaproject.bin") for n in names)

    wb_root = _tree(pkg, wb_name)
    wb_rels = _rels(pkg, posixpath.join(wb_dir, "_rels", posixpath.basename(wb_name) + ".rels"))
    sheet_entries: list[tuple[str, SheetState, str]] = []
    for el in wb_root.iter():
        lt = _lt(el.tag)
        if lt == "sheet":
            target = wb_rels.get(_attr(el, "id") or "", ("", "", ""))
            sheet_entries.append((el.get("name", ""), _STATE.get(el.get("state", ""), SheetState.VISIBLE),
                                  _resolve(wb_dir, target[1]) if target[1] else ""))
        elif lt == "definedName":
            book.defined_names[el.get("name", "")] = el.text or ""
        elif lt == "calcPr":
            book.full_calc_on_load = el.get("fullCalcOnLoad", "0") in ("1", "true")
            book.calc_mode = el.get("calcMode", "")
        elif lt == "workbookProtection":
            book.workbook_protected = any(_lt(k).lower() == "lockstructure" and v in ("1", "true")
                                          for k, v in el.attrib.items())
        elif lt == "workbookPr":
            book.date1904 = el.get("date1904", "0") in ("1", "true")
    if len(sheet_entries) > limits.max_sheets:
        raise ReadProblem("R024", what="sheets", count=len(sheet_entries), limit=limits.max_sheets)
    longest = max((len(name) for name, _, _ in sheet_entries), default=0)
    if longest > limits.max_sheet_name_chars:
        raise ReadProblem("R024", what="sheet_name", count=longest, limit=limits.max_sheet_name_chars)
    for ty, target, _mode in wb_rels.values():
        if ty == "externalLink":
            book.external_links.append(_resolve(wb_dir, target))
    for n in names:
        if n.startswith(f"{wb_dir}/externalLinks/") and n.endswith(".xml") and n not in book.external_links:
            book.external_links.append(n)

    ss_name = next((_resolve(wb_dir, t) for ty, t, _ in wb_rels.values() if ty == "sharedStrings"), None)
    strings = _shared_strings(pkg, ss_name, limits) if ss_name and ss_name in names else []
    styles = next((_resolve(wb_dir, t) for ty, t, _ in wb_rels.values() if ty == "styles"), None)
    book.number_formats = _number_formats(pkg, styles) if styles else []

    budget = [limits.max_cells]
    for name, state, part in sheet_entries:
        sheet = Sheet(name=name, state=state)
        book.sheets.append(sheet)
        if not part or part not in names:
            continue  # chartsheet or missing part: a sheet with no cells
        if only_sheets is not None and name not in only_sheets:
            continue
        pkg.tick()
        _read_worksheet(pkg, part, _SheetDecoder(sheet, strings, limits, budget), light=name in light_sheets)
    if only_sheets is None:
        pkg.drain()
    book.uncompressed = limits.max_total_uncompressed - pkg.left
    return book

"""Small surgery on the parts of an .xlsx our own tools wrote (never on returned files):
which part holds which sheet, and rewriting a package part by part."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: zip member of its XML}."""
    book = ET.fromstring(zf.read("xl/workbook.xml"))
    rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    target_of = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out: dict[str, str] = {}
    for sheet in book.findall("m:sheets/m:sheet", _NS):
        target = target_of.get(sheet.get(f"{{{_NS['r']}}}id"), "")
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        out[sheet.get("name", "")] = member
    return out


def rewrite(path: Path, transform: Callable[[str, bytes], bytes], *,
            date_time: tuple[int, int, int, int, int, int] | None = None) -> None:
    """Rewrite `path` in place (a file our own code just wrote), each part through `transform`."""
    rewritten = path.with_name(path.name + ".zip")
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = transform(info.filename, src.read(info.filename))
                out = zipfile.ZipInfo(info.filename, date_time=date_time or info.date_time)
                out.compress_type = zipfile.ZIP_DEFLATED
                out.external_attr = 0o644 << 16
                dst.writestr(out, data)
        os.replace(rewritten, path)
    finally:
        rewritten.unlink(missing_ok=True)

"""Fault injection by editing the XML inside an .xlsx, keeping every cached value.

Used by the tests and the benchmark to make returns damaged the way users
damage them (openpyxl cannot: saving drops cached values). Each function takes
the bytes of an .xlsx and returns new bytes; `Workbook` batches several edits.

    wb = Workbook.load(path)
    wb.set_value("Ambiente", "M7", 100)          # formula replaced by a typed number
    wb.save(out)
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PNS = "http://schemas.openxmlformats.org/package/2006/relationships"
CTNS = "http://schemas.openxmlformats.org/package/2006/content-types"
_Q = f"{{{NS}}}"
_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _register(data: bytes) -> None:
    for prefix, uri in re.findall(rb'xmlns:?([A-Za-z0-9_]*)="([^"]+)"', data[:4000]):
        try:
            ET.register_namespace(prefix.decode(), uri.decode())
        except ValueError:
            pass


def _split(ref: str) -> tuple[str, int]:
    m = _REF.match(ref)
    if not m:
        raise ValueError(ref)
    return m.group(1), int(m.group(2))


class Workbook:
    """An .xlsx held in memory as {part name: bytes}, with sheet-level XML edits."""

    def __init__(self, parts: dict[str, bytes], order: list[str]) -> None:
        self.parts = parts
        self.order = order
        self._trees: dict[str, ET.Element] = {}

    @classmethod
    def load(cls, path: str | Path) -> Workbook:
        with zipfile.ZipFile(path) as zf:
            order = zf.namelist()
            return cls({n: zf.read(n) for n in order}, order)

    def save(self, path: str | Path) -> None:
        Path(path).write_bytes(self.to_bytes())

    def to_bytes(self) -> bytes:
        for name, root in self._trees.items():
            self.parts[name] = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for n in self.order:
                zf.writestr(n, self.parts[n])
        return buf.getvalue()

    # ---- parts
    def _tree(self, name: str) -> ET.Element:
        if name not in self._trees:
            _register(self.parts[name])
            self._trees[name] = ET.fromstring(self.parts[name])
        return self._trees[name]

    def _workbook(self) -> ET.Element:
        return self._tree("xl/workbook.xml")

    def _sheet_part(self, sheet: str) -> str:
        rels = self._tree("xl/_rels/workbook.xml.rels")
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        for s in self._workbook().iter(f"{_Q}sheet"):
            if s.get("name") == sheet:
                target = targets[s.get(f"{{{RNS}}}id")]
                return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        raise KeyError(sheet)

    def sheet_xml(self, sheet: str) -> ET.Element:
        return self._tree(self._sheet_part(sheet))

    # ---- cells
    def _row(self, root: ET.Element, row: int, create: bool = True) -> ET.Element | None:
        data = root.find(f"{_Q}sheetData")
        assert data is not None
        rows = list(data)
        for i, r in enumerate(rows):
            n = int(r.get("r", "0"))
            if n == row:
                return r
            if n > row:
                if not create:
                    return None
                new = ET.Element(f"{_Q}row", {"r": str(row)})
                data.insert(i, new)
                return new
        if not create:
            return None
        new = ET.SubElement(data, f"{_Q}row", {"r": str(row)})
        return new

    def _cell(self, sheet: str, ref: str, create: bool = True) -> ET.Element | None:
        root = self.sheet_xml(sheet)
        col, row = _split(ref)
        r = self._row(root, row, create)
        if r is None:
            return None
        for i, c in enumerate(list(r)):
            ccol, _ = _split(c.get("r", ""))
            if ccol == col:
                return c
            if (len(ccol), ccol) > (len(col), col):
                if not create:
                    return None
                new = ET.Element(f"{_Q}c", {"r": ref})
                r.insert(i, new)
                return new
        if not create:
            return None
        return ET.SubElement(r, f"{_Q}c", {"r": ref})

    def set_value(self, sheet: str, ref: str, value: object, *, keep_formula: bool = False) -> None:
        """Type a value in the cell (a number, text, or None to clear). The formula
        goes unless `keep_formula` (then only the cached value changes: a stale cache)."""
        c = self._cell(sheet, ref)
        assert c is not None
        f = c.find(f"{_Q}f")
        style = c.get("s")
        for child in list(c):
            if child is not f or not keep_formula:
                c.remove(child)
        c.attrib.clear()
        c.set("r", ref)
        if style:
            c.set("s", style)
        if value is None:
            return
        if isinstance(value, bool):
            c.set("t", "b")
            ET.SubElement(c, f"{_Q}v").text = "1" if value else "0"
        elif isinstance(value, int | float):
            ET.SubElement(c, f"{_Q}v").text = repr(float(value)) if not float(value).is_integer() else str(int(value))
        else:
            if keep_formula:
                c.set("t", "str")
                ET.SubElement(c, f"{_Q}v").text = str(value)
            else:
                c.set("t", "inlineStr")
                is_ = ET.SubElement(c, f"{_Q}is")
                ET.SubElement(is_, f"{_Q}t").text = str(value)

    def set_cached(self, sheet: str, ref: str, value: object) -> None:
        self.set_value(sheet, ref, value, keep_formula=True)

    def set_formula(self, sheet: str, ref: str, formula: str) -> None:
        """Change the formula text, keeping the cached value."""
        c = self._cell(sheet, ref)
        assert c is not None
        f = c.find(f"{_Q}f")
        if f is None:
            f = ET.Element(f"{_Q}f")
            c.insert(0, f)
        f.attrib.clear()
        f.text = formula.lstrip("=")

    def drop_cached_values(self, sheet: str) -> None:
        for c in self.sheet_xml(sheet).iter(f"{_Q}c"):
            if c.find(f"{_Q}f") is not None:
                v = c.find(f"{_Q}v")
                if v is not None:
                    c.remove(v)
                c.attrib.pop("t", None)

    # ---- rows (formulas on moved rows are shifted as Excel does)
    def _shift_row(self, r: ET.Element, new_row: int) -> None:
        from openpyxl.formula.translate import Translator

        old_row = int(r.get("r", "0"))
        r.set("r", str(new_row))
        for c in r:
            col, _ = _split(c.get("r", ""))
            c.set("r", f"{col}{new_row}")
            f = c.find(f"{_Q}f")
            if f is not None and f.text and new_row != old_row:
                f.text = Translator("=" + f.text, origin=f"{col}{old_row}").translate_formula(f"{col}{new_row}")[1:]

    def _rows(self, sheet: str) -> tuple[ET.Element, list[ET.Element]]:
        data = self.sheet_xml(sheet).find(f"{_Q}sheetData")
        assert data is not None
        return data, list(data)

    def insert_row(self, sheet: str, at: int, values: dict[str, object] | None = None) -> None:
        """Insert a row at `at`, shifting the rows below down by one."""
        data, rows = self._rows(sheet)
        for r in reversed(rows):
            n = int(r.get("r", "0"))
            if n >= at:
                self._shift_row(r, n + 1)
        for col, value in (values or {}).items():
            self.set_value(sheet, f"{col}{at}", value)

    def delete_row(self, sheet: str, row: int) -> None:
        data, rows = self._rows(sheet)
        for r in rows:
            n = int(r.get("r", "0"))
            if n == row:
                data.remove(r)
            elif n > row:
                self._shift_row(r, n - 1)

    def duplicate_row(self, sheet: str, row: int) -> None:
        """Paste a copy of `row` just below it (the rows below move down)."""
        import copy

        data, rows = self._rows(sheet)
        src = next(r for r in rows if int(r.get("r", "0")) == row)
        self.insert_row(sheet, row + 1)
        clone = copy.deepcopy(src)
        self._shift_row(clone, row + 1)
        data.insert(list(data).index(src) + 1, clone)

    def swap_rows(self, sheet: str, a: int, b: int) -> None:
        """Move row `a` to `b` and `b` to `a` (a cut-and-paste of two rows)."""
        data, rows = self._rows(sheet)
        ra = next(r for r in rows if int(r.get("r", "0")) == a)
        rb = next(r for r in rows if int(r.get("r", "0")) == b)
        self._shift_row(ra, b)
        self._shift_row(rb, a)
        ia, ib = rows.index(ra), rows.index(rb)
        data.remove(ra)
        data.remove(rb)
        first, second = (rb, ra) if ia < ib else (ra, rb)
        low = min(ia, ib)
        data.insert(low, first)
        data.insert(max(ia, ib), second)

    # ---- sheets
    def set_sheet_state(self, sheet: str, state: str) -> None:
        for s in self._workbook().iter(f"{_Q}sheet"):
            if s.get("name") == sheet:
                if state == "visible":
                    s.attrib.pop("state", None)
                else:
                    s.set("state", state)

    def rename_sheet(self, sheet: str, new: str) -> None:
        for s in self._workbook().iter(f"{_Q}sheet"):
            if s.get("name") == sheet:
                s.set("name", new)

    def unprotect(self, sheet: str) -> None:
        root = self.sheet_xml(sheet)
        for p in root.findall(f"{_Q}sheetProtection"):
            root.remove(p)

    def add_sheet(self, name: str, copy_of: str) -> None:
        """Add a worksheet named `name`, a copy of `copy_of`'s XML."""
        src = self._sheet_part(copy_of)
        self.to_bytes()  # flush edits of the source
        n = 1
        while f"xl/worksheets/added{n}.xml" in self.parts:
            n += 1
        part = f"xl/worksheets/added{n}.xml"
        self.parts[part] = self.parts[src]
        self.order.append(part)
        rels = self._tree("xl/_rels/workbook.xml.rels")
        rid = f"rIdAdded{n}"
        ET.SubElement(rels, f"{{{PNS}}}Relationship", {
            "Id": rid, "Target": f"worksheets/added{n}.xml",
            "Type": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet",
        })
        sheets = self._workbook().find(f"{_Q}sheets")
        assert sheets is not None
        ids = [int(s.get("sheetId", "0")) for s in sheets]
        ET.SubElement(sheets, f"{_Q}sheet", {"name": name, "sheetId": str(max(ids) + 1), f"{{{RNS}}}id": rid})
        ct = self._tree("[Content_Types].xml")
        ET.SubElement(ct, f"{{{CTNS}}}Override", {
            "PartName": f"/{part}",
            "ContentType": "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml",
        })

    def add_vba(self) -> None:
        """Drop a (dummy) vbaProject.bin into the package, as a macro-enabled save does."""
        self.parts["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
        self.order.append("xl/vbaProject.bin")

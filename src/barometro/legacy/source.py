"""Raw rows of a report file: tab-separated text or an .xlsx workbook.

Both give the same thing, a list of `SourceRow` (row number, sheet, cells), so
the parser does not care where the table came from. Anything that is not a
readable table raises `LegacyFormatError` with an Italian message.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from barometro.messages import text

from .report import LegacyFormatError

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an encrypted .xlsx
_MAX_TEXT_BYTES = 50 * 1024 * 1024
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")


@dataclass(frozen=True)
class SourceRow:
    number: int  # 1-based line of the text file or row of the sheet
    cells: tuple[object, ...]  # str for text files; str/float/int/None for workbooks
    sheet: str | None = None
    percent_cells: frozenset[int] = frozenset()  # cells formatted as % in a workbook


def read_rows(path: Path) -> tuple[list[SourceRow], str]:
    """Rows of the file and its format ("txt" or "xlsx")."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except FileNotFoundError:
        raise LegacyFormatError(text("legacy.error.not_found", path=str(path))) from None
    except IsADirectoryError:
        raise LegacyFormatError(text("legacy.error.is_directory", path=str(path))) from None
    except OSError as exc:
        raise LegacyFormatError(text("legacy.error.unreadable", path=str(path), reason=exc.strerror or str(exc))) from None
    if head.startswith(_ZIP_MAGIC):
        return _read_workbook(path), "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise LegacyFormatError(text("legacy.error.ole", path=path.name))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise LegacyFormatError(text("legacy.error.corrupt_xlsx", path=path.name, reason="not a zip file"))
    return _read_text(path), "txt"


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise LegacyFormatError(text("legacy.error.empty", path=name))
    if b"\x00" in data[:65536]:
        raise LegacyFormatError(text("legacy.error.binary", path=name))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            decoded = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = len(_CONTROLS.findall(decoded, 0, 65536))
        if controls > max(8, len(decoded[:65536]) // 200):
            raise LegacyFormatError(text("legacy.error.binary", path=name))
        return decoded
    raise LegacyFormatError(text("legacy.error.binary", path=name))


def _read_text(path: Path) -> list[SourceRow]:
    size = path.stat().st_size
    if size > _MAX_TEXT_BYTES:
        raise LegacyFormatError(text("legacy.error.too_big", path=path.name, size=size // 1_000_000))
    content = _decode(path.read_bytes(), path.name)
    lines = content.splitlines()
    if any("\t" in ln for ln in lines):
        return [SourceRow(n, tuple(ln.split("\t"))) for n, ln in enumerate(lines, start=1)]
    # No tabs: a CSV saved by a spreadsheet (";" in Italian locales, "," otherwise).
    sample = "\n".join(lines[:200])
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    rows: list[SourceRow] = []
    reader = csv.reader(io.StringIO(content), delimiter=delimiter)
    for cells in reader:
        rows.append(SourceRow(reader.line_num, tuple(cells)))
    return rows


def _read_workbook(path: Path) -> list[SourceRow]:
    import openpyxl  # heavy: only when a workbook is read

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise LegacyFormatError(text("legacy.error.corrupt_xlsx", path=path.name, reason=str(exc) or type(exc).__name__)) from None
    except Exception as exc:  # openpyxl raises many kinds on damaged parts
        raise LegacyFormatError(text("legacy.error.corrupt_xlsx", path=path.name, reason=str(exc) or type(exc).__name__)) from None
    rows: list[SourceRow] = []
    try:
        for sheet in book.worksheets:
            if getattr(sheet, "sheet_state", "visible") != "visible":
                continue
            for cells in sheet.iter_rows():
                values: list[object] = []
                percent: set[int] = set()
                number = None
                for idx, cell in enumerate(cells):
                    value = getattr(cell, "value", None)
                    if number is None and getattr(cell, "row", None):
                        number = cell.row
                    if isinstance(value, int | float) and not isinstance(value, bool):
                        fmt = getattr(cell, "number_format", "") or ""
                        if "%" in fmt:
                            percent.add(idx)
                    elif value is not None and not isinstance(value, str):
                        value = str(value)  # dates, times: shown as text
                    values.append(value)
                while values and (values[-1] is None or (isinstance(values[-1], str) and not values[-1].strip())):
                    values.pop()
                if number is None:
                    continue
                rows.append(SourceRow(number, tuple(values), sheet.title, frozenset(percent)))
    except Exception as exc:  # a damaged sheet part
        raise LegacyFormatError(text("legacy.error.corrupt_xlsx", path=path.name, reason=str(exc) or type(exc).__name__)) from None
    finally:
        book.close()
    return rows

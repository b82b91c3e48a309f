"""The indicator table as open data for Amministrazione trasparente (D.Lgs. 33/2013):
CSV (UTF-8, comma-separated, RFC 4180) and ODS, one row per indicator, documented columns.

Numbers are machine-readable (a point for decimals, no thousands separator) in the CSV and
real numbers in the ODS. Text that a spreadsheet would take for a formula (starting with
`=`, `+`, `-`, `@`) is written with a leading apostrophe in the CSV and as text in the ODS.
The columns are described in `COLUMNS` (and in the ODS's second sheet, `Colonne`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from barometro.messages import text
from barometro.period import report_title
from barometro.scoring import score_row
from barometro.workbook_templates.literal import FORMULA_STARTS, literal

from .types import ConsolidationResult

# (column name, catalogue key of its description)
COLUMNS: tuple[str, ...] = (
    "anno", "periodo", "ente", "id_linea", "linea", "id_obiettivo", "obiettivo", "responsabile", "settore",
    "id_indicatore", "indicatore", "formula", "tipo", "polarita", "neutralizzato", "target", "consuntivo",
    "scostamento", "peso", "raggiungimento", "note", "stato",
)


def rows(result: ConsolidationResult) -> list[list[object]]:
    """One row per plan indicator, in plan order, with the values of `COLUMNS`."""
    plan, settings = result.plan, result.settings
    lines = {ln.id: ln for ln in plan.lines}
    merged = {r.indicator.id: r for r in result.merge.rows}
    period = report_title(plan.period, plan.year).render()
    out: list[list[object]] = []
    for ind in plan.indicators:
        state = merged[ind.id].state
        score = score_row(ind.actual, ind.target, ind.weight, ind.kind, ind.polarity, neutralised=ind.neutralised,
                          settings=settings)
        out.append([
            plan.year, period, plan.ente, ind.line_id, lines[ind.line_id].title, ind.objective_id, ind.objective,
            ind.owner, ind.sector, ind.id, ind.indicator, ind.formula_text, ind.kind.value, ind.polarity.value,
            "SI" if ind.neutralised else "NO", ind.target, ind.actual, score.deviation, ind.weight,
            score.achievement, ind.note, text(f"consolidation.row_state.{state.value}"),
        ])
    return out


def _csv_cell(value: object) -> object:
    value = literal(value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return "" if value is None else value


def write_csv(result: ConsolidationResult, target: Path) -> None:
    """The table as CSV to `target` (a temporary path the caller moves into place)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(result):
        writer.writerow([_csv_cell(v) for v in row])
    target.write_bytes(buf.getvalue().encode("utf-8"))


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="meta.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
       'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
       'xmlns:dc="http://purl.org/dc/elements/1.1/" office:version="1.2"')


def _ods_cell(value: object) -> str:
    value = literal(value)
    if value is None or value == "":
        return "<table:table-cell/>"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'
    return (f'<table:table-cell office:value-type="float" office:value="{value!r}">'
            f"<text:p>{escape(repr(value))}</text:p></table:table-cell>")


def _ods_table(name: str, table: list[list[object]]) -> str:
    body = "".join("<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>" for row in table)
    return f'<table:table table:name="{escape(name)}">{body}</table:table>'


def write_ods(result: ConsolidationResult, target: Path) -> None:
    """The table as an OpenDocument spreadsheet to `target` (a temporary path), with a
    second sheet describing the columns."""
    data = [list(COLUMNS), *rows(result)]
    described = [[text("consolidation.opendata.col_name"), text("consolidation.opendata.col_meaning")]]
    described += [[c, text(f"consolidation.opendata.column.{c}")] for c in COLUMNS]
    title = text("consolidation.opendata.title", report=report_title(result.plan.period, result.plan.year),
                 ente=result.plan.ente)
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {_NS}><office:body>'
               f"<office:spreadsheet>{_ods_table(text('consolidation.opendata.sheet'), data)}"
               f"{_ods_table(text('consolidation.opendata.columns_sheet'), described)}"
               "</office:spreadsheet></office:body></office:document-content>")
    meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {_NS}><office:meta>'
            f"<dc:title>{escape(title)}</dc:title><dc:language>it</dc:language>"
            "</office:meta></office:document-meta>")
    stamp = result.run.timestamp
    date_time = (max(stamp.year, 1980), stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    with zipfile.ZipFile(target, "w") as zf:
        # the mimetype first and stored, as ODF requires
        zf.writestr(zipfile.ZipInfo("mimetype", date_time), "application/vnd.oasis.opendocument.spreadsheet",
                    compress_type=zipfile.ZIP_STORED)
        for name, body in (("META-INF/manifest.xml", _MANIFEST), ("content.xml", content), ("meta.xml", meta)):
            zf.writestr(zipfile.ZipInfo(name, date_time), body, compress_type=zipfile.ZIP_DEFLATED)

"""Sector links (issued, revoked, listed for a mail merge) and the zip of sector files.

A link is `/s/<token>`; only SHA-256(token) is stored, so the plain links exist
only in the answer that issues them: the list for the mail merge is made at
that moment (CSV or XLSX) and re-issuing it revokes the previous links.
Every value in these files is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from barometro.messages import text

from .auth import new_token, token_hash
from .storage import SectorRow, Storage


@dataclass(frozen=True)
class IssuedLink:
    sector: SectorRow
    token: str

    @property
    def page_path(self) -> str:
        return f"/s/{self.token}"

    @property
    def template_path(self) -> str:
        return f"/s/{self.token}/modello"

    @property
    def upload_api_path(self) -> str:
        return f"/api/v1/s/{self.token}/upload"

    @property
    def template_api_path(self) -> str:
        return f"/api/v1/s/{self.token}/template"


def issue(store: Storage, campaign_id: int, sectors: list[SectorRow], actor: str) -> list[IssuedLink]:
    """New links for the given sectors, revoking their previous ones, in one transaction."""
    out = []
    with store.write() as conn:
        for s in sectors:
            token = new_token()
            store.issue_link(conn, s.id, token_hash(token), actor, revoke_old=True)
            out.append(IssuedLink(s, token))
        store.log(conn, actor, "links_issued", campaign_id=campaign_id,
                  sector_id=sectors[0].id if len(sectors) == 1 else None, detail=str(len(sectors)))
    return out


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_safe(value: str) -> str:
    """Spreadsheet programs run a CSV cell starting with = + - @ as a formula: quote it."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _rows(links: list[IssuedLink], base_url: str, campaign: dict, lang: str) -> tuple[list[str], list[list[str]]]:
    header = text("portal.links.columns", lang).split("|")
    rows = []
    for link in links:
        rows.append([link.sector.name, link.sector.owners, base_url + link.page_path, base_url + link.template_path,
                     campaign.get("deadline") or "", f"{campaign['ente']} {campaign['year']}"])
    return header, rows


def links_csv(links: list[IssuedLink], base_url: str, campaign: dict, lang: str) -> bytes:
    header, rows = _rows(links, base_url, campaign, lang)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";" if lang == "it" else ",", lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([_csv_safe(c) for c in r])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 correctly


def links_xlsx(links: list[IssuedLink], base_url: str, campaign: dict, lang: str) -> bytes:
    import xlsxwriter

    header, rows = _rows(links, base_url, campaign, lang)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                   "strings_to_numbers": False})
    ws = wb.add_worksheet(text("portal.links.sheet", lang)[:31])
    bold = wb.add_format({"bold": True})
    for c, h in enumerate(header):
        ws.write_string(0, c, h, bold)
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row):
            ws.write_string(r, c, value)
    ws.set_column(0, 1, 40)
    ws.set_column(2, 3, 70)
    ws.set_column(4, 5, 18)
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def templates_zip(store: Storage, campaign: dict, sectors: list[SectorRow]) -> bytes:
    """master.xlsx and settori/<slug>.xlsx, as `barometro template` writes them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(store.blobs.path(campaign["master_sha"]), "master.xlsx")
        for s in sectors:
            zf.write(store.blobs.path(s.template_sha), f"settori/{s.slug}.xlsx")
    return buf.getvalue()

"""A sector's page, reached only through its private link `/s/<token>`.

The link shows that sector and nothing else: every lookup below is scoped to
the sector the token belongs to, and an unknown or revoked token is the same
404 as a page that does not exist.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from . import auth, csrf, uploads
from .office_pages import annotated_download, report_of
from .storage import SectorRow
from .web import (
    STATE_OF_STATUS,
    XLSX,
    NotFound,
    Refused,
    deadline_info,
    download,
    lang,
    portal,
    render,
)

router = APIRouter(include_in_schema=False)


def sector_of(request: Request, token: str) -> SectorRow:
    if len(token) > 100:
        raise NotFound()
    s = portal(request).store.sector_by_link(auth.token_hash(token))
    if s is None:
        raise NotFound()
    request.state.sector = s
    return s


SectorDep = Annotated[SectorRow, Depends(sector_of)]


def _page(request: Request, token: str, s: SectorRow, *, error: str | None = None, status: int = 200) -> Response:
    p = portal(request)
    c = p.store.campaign(s.campaign_id)
    versions = p.store.versions(s.id)
    latest = versions[0] if versions else None
    valid = next((v for v in versions if v["status"] in ("ok", "avvisi")), None)
    return render(request, "sector.html", {
        "c": c, "s": s, "token": token, "versions": versions, "latest": latest, "valid": valid,
        "state": STATE_OF_STATUS.get(latest["status"] if latest else None, "con_errori"),
        "deadline": deadline_info(c["deadline"], lang(request)), "error": error,
        "max_mb": lang(request).mb(p.config.max_upload_bytes)}, status)


@router.get("/s/{token}")
def sector_home(request: Request, token: str, s: SectorDep) -> Response:
    return _page(request, token, s)


@router.get("/s/{token}/modello")
def sector_template(request: Request, token: str, s: SectorDep) -> Response:
    p = portal(request)
    p.store.log_event(f"settore:{s.name}", "template_downloaded", campaign_id=s.campaign_id, sector_id=s.id)
    return download(None, f"{s.slug}.xlsx", XLSX, path=str(p.store.blobs.path(s.template_sha)))


@router.post("/s/{token}/carica")
async def sector_upload(request: Request, token: str) -> Response:
    p = portal(request)
    s = await run_in_threadpool(sector_of, request, token)
    lg = lang(request)
    try:
        up = await uploads.receive(request, p.store.blobs, file_fields={"file"}, limit=p.config.max_upload_bytes,
                                   csrf_check=lambda f: csrf.valid(request, f.get("csrf_token")))
    except uploads.CsrfFailed:
        raise Refused(403, "portal.error.csrf") from None
    except uploads.UploadTooLarge:
        msg = lg.t("portal.upload.too_large", mb=lg.mb(p.config.max_upload_bytes))
        return await run_in_threadpool(lambda: _page(request, token, s, error=msg, status=413))
    except uploads.UploadError as exc:
        msg = lg.t(exc.key)
        return await run_in_threadpool(lambda: _page(request, token, s, error=msg, status=400))
    file = up.files.get("file")
    if file is None or file.blob.size == 0:
        return await run_in_threadpool(lambda: _page(request, token, s, error=lg.t("portal.upload.empty"),
                                                     status=400))
    checked = await p.accept_upload(s, file, f"settore:{s.name}", lg.code)
    return RedirectResponse(f"/s/{token}/versioni/{checked.number}", status_code=303)


@router.get("/s/{token}/versioni/{n}")
def sector_version(request: Request, token: str, n: int, s: SectorDep) -> Response:
    p = portal(request)
    v = p.store.version(s.id, n)
    if v is None:
        raise NotFound()
    c = p.store.campaign(s.campaign_id)
    return render(request, "version.html", {"c": c, "s": s, "v": v, "report": report_of(v, lang(request).code),
                                            "base": f"/s/{token}", "audience": "sector",
                                            "versions": p.store.versions(s.id)})


@router.get("/s/{token}/versioni/{n}/annotato")
async def sector_annotated(request: Request, token: str, n: int) -> Response:
    s = await run_in_threadpool(sector_of, request, token)
    return await annotated_download(request, s, n)

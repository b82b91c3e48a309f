"""The JSON API under /api/v1 (OpenAPI at /api/v1/openapi.json, readable at /api/docs).

Office calls authenticate with `Authorization: Bearer <token>` from
`POST /api/v1/login`, or with the session cookie plus the session's CSRF token
in `X-CSRF-Token` for calls that change something. A sector's two URLs
(`upload_url`, `template_url`) authorise by themselves.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from barometro.settings import profile_names

from . import auth, csrf, links, uploads
from .auth import Office
from .sector_pages import sector_of
from .web import STATE_OF_STATUS, XLSX, client_address, download, lang, office_or_none, portal

router = APIRouter(prefix="/api/v1", tags=["v1"])


class ApiError(Exception):
    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values


def api_office(request: Request) -> Office:
    office = office_or_none(request)
    if office is None:
        raise ApiError(401, "portal.api.unauthorised")
    if request.method not in ("GET", "HEAD") and office.kind == "session":
        if not csrf.valid(request, request.headers.get(csrf.HEADER)):
            raise ApiError(403, "portal.error.csrf")
    return office


OfficeApi = Annotated[Office, Depends(api_office)]


class LoginIn(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)


class TokenOut(BaseModel):
    token: str


class SectorLinks(BaseModel):
    sector: str
    upload_url: str
    template_url: str


class CampaignCreated(BaseModel):
    id: int
    sectors: list[SectorLinks]


class SectorState(BaseModel):
    sector: str
    status: str = Field(description="non_pervenuto | con_errori | con_avvisi | valido | in_verifica")
    versions: int
    errors: int
    warnings: int
    valid_version: int | None = None
    last_upload: str | None = None


class CampaignOut(BaseModel):
    id: int
    ente: str
    year: int
    deadline: str | None
    sectors: list[SectorState]


class ConsolidationOut(BaseModel):
    workbook_url: str
    html_url: str
    pdf_url: str
    id: int
    summary: dict[str, Any] | None = None


@router.post("/login", response_model=TokenOut, summary="Office login: a bearer token",
             responses={401: {"description": "wrong credentials"}, 429: {"description": "throttled"}})
def api_login(request: Request, body: LoginIn) -> TokenOut:
    p = portal(request)
    try:
        got = auth.login(p.store, body.username.strip(), body.password, client_address(request), "api")
    except auth.Throttled:
        raise ApiError(429, "portal.login.throttled") from None
    if got is None:
        raise ApiError(401, "portal.login.failed")
    return TokenOut(token=got[0])


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


@router.post("/campaigns", status_code=201, response_model=CampaignCreated,
             summary="Create a campaign from a plan workbook or last year's report",
             description="multipart/form-data: `plan` (file), `year`, `settings` (profile name), optional "
                         "`deadline` (YYYY-MM-DD), optional `ente`. Issues one private link per sector.",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["plan", "year", "settings"],
                 "properties": {"plan": {"type": "string", "format": "binary"}, "year": {"type": "integer"},
                                "settings": {"type": "string"}, "deadline": {"type": "string", "format": "date"},
                                "ente": {"type": "string"}}}}}}})
async def api_campaign_create(request: Request, office: OfficeApi) -> JSONResponse:
    p = portal(request)
    lg = lang(request)
    try:
        up = await uploads.receive(request, p.store.blobs, file_fields={"plan"}, limit=p.config.max_upload_bytes)
    except uploads.UploadTooLarge:
        raise ApiError(413, "portal.upload.too_large", mb=lg.mb(p.config.max_upload_bytes)) from None
    except uploads.UploadError as exc:
        raise ApiError(400, exc.key) from None
    f = up.fields
    source = up.files.get("plan")
    if source is None or source.blob.size == 0:
        raise ApiError(400, "portal.campaign.need_plan")
    try:
        year = int(f.get("year", ""))
    except ValueError:
        raise ApiError(400, "portal.campaign.bad_year") from None
    settings_name = f.get("settings", "")
    if settings_name not in profile_names():
        raise ApiError(400, "portal.campaign.bad_settings")
    deadline = f.get("deadline") or None
    if deadline:
        try:
            date.fromisoformat(deadline)
        except ValueError:
            raise ApiError(400, "portal.campaign.bad_deadline") from None
    cid, problems = await p.create_campaign(source=source, ente=f.get("ente", ""), year=year, deadline=deadline,
                                            settings_name=settings_name, actor=office.username)
    if cid is None:
        return JSONResponse({"detail": (problems.get(lg.code) or problems.get("it"))}, status_code=422)
    sectors = await run_in_threadpool(p.store.sectors, cid)
    issued = await run_in_threadpool(links.issue, p.store, cid, sectors, office.username)
    out = CampaignCreated(id=cid, sectors=[SectorLinks(sector=i.sector.name,
                                                       upload_url=_absolute(request, i.upload_api_path),
                                                       template_url=_absolute(request, i.template_api_path))
                                           for i in issued])
    return JSONResponse(out.model_dump(), status_code=201)


@router.get("/campaigns/{cid}", response_model=CampaignOut, summary="A campaign's state, one entry per sector")
def api_campaign(request: Request, cid: int, office: OfficeApi) -> CampaignOut:
    p = portal(request)
    c = p.store.campaign(cid)
    if c is None:
        raise ApiError(404, "portal.error.not_found")
    rows = p.store.dashboard(cid)
    return CampaignOut(id=cid, ente=c["ente"], year=c["year"], deadline=c["deadline"], sectors=[
        SectorState(sector=r["name"], status=STATE_OF_STATUS.get(r["status"], "con_errori"),
                    versions=r["n_versions"] or 0, errors=r["errors"] or 0, warnings=r["warnings"] or 0,
                    valid_version=r["valid_version"], last_upload=r["uploaded_at"]) for r in rows])


@router.post("/campaigns/{cid}/consolidate", response_model=ConsolidationOut,
             summary="Consolidate the newest valid return of every sector (waits for the result)",
             responses={409: {"description": "nothing to consolidate, or the merge was blocked"}})
async def api_consolidate(request: Request, cid: int, office: OfficeApi) -> ConsolidationOut:
    import json

    p = portal(request)
    if await run_in_threadpool(p.store.campaign, cid) is None:
        raise ApiError(404, "portal.error.not_found")
    running = p.running_consolidation(cid)
    if running is not None:
        await running
    kid, task = await p.start_consolidation(cid, office.username)
    state = await task
    k = await run_in_threadpool(p.store.consolidation, cid, kid)
    if state != "completato":
        raise ApiError(409, k["error"] if (k["error"] or "").startswith("portal.") else "portal.consolidate.failed")
    base = f"/api/v1/campaigns/{cid}/consolidations/{kid}"
    return ConsolidationOut(id=kid, workbook_url=_absolute(request, f"{base}/relazione.xlsx"),
                            html_url=_absolute(request, f"{base}/relazione.html"),
                            pdf_url=_absolute(request, f"{base}/relazione.pdf"),
                            summary=json.loads(k["summary_json"]) if k["summary_json"] else None)


@router.get("/campaigns/{cid}/consolidations/{kid}/{name}", summary="Download a consolidated output",
            response_class=Response)
def api_consolidation_file(request: Request, cid: int, kid: int, name: str, office: OfficeApi) -> Response:
    from .office_pages import OUTPUTS

    p = portal(request)
    k = p.store.consolidation(cid, kid)
    if k is None or name not in OUTPUTS or not k[OUTPUTS[name][0]]:
        raise ApiError(404, "portal.error.not_found")
    col, media = OUTPUTS[name]
    return download(None, name, media, path=str(p.store.blobs.path(k[col])))


@router.post("/s/{token}/upload", summary="A sector uploads its return (the link authorises)",
             description="multipart/form-data with `file`. Answers one file of `barometro validate "
                         "--format json`, plus `version`.",
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                 "type": "object", "required": ["file"],
                 "properties": {"file": {"type": "string", "format": "binary"}}}}}}},
             responses={404: {"description": "unknown or revoked link"}, 413: {"description": "too large"}})
async def api_sector_upload(request: Request, token: str) -> JSONResponse:
    p = portal(request)
    lg = lang(request)
    try:
        s = await run_in_threadpool(sector_of, request, token)
    except Exception:  # noqa: BLE001 - NotFound: same answer for unknown and revoked links
        raise ApiError(404, "portal.error.not_found") from None
    try:
        up = await uploads.receive(request, p.store.blobs, file_fields={"file"}, limit=p.config.max_upload_bytes)
    except uploads.UploadTooLarge:
        raise ApiError(413, "portal.upload.too_large", mb=lg.mb(p.config.max_upload_bytes)) from None
    except uploads.UploadError as exc:
        raise ApiError(400, exc.key) from None
    file = up.files.get("file")
    if file is None or file.blob.size == 0:
        raise ApiError(400, "portal.upload.empty")
    checked = await p.accept_upload(s, file, f"settore:{s.name}", lg.code)
    return JSONResponse({**checked.report, "version": checked.number})


@router.get("/s/{token}/template", summary="A sector's blank workbook (the link authorises)",
            response_class=Response)
def api_sector_template(request: Request, token: str) -> Response:
    try:
        s = sector_of(request, token)
    except Exception:  # noqa: BLE001
        raise ApiError(404, "portal.error.not_found") from None
    return download(None, f"{s.slug}.xlsx", XLSX, path=str(portal(request).store.blobs.path(s.template_sha)))

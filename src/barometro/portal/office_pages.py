"""The office's pages (Italian by default): login, campaigns, dashboard, versions, links, outputs, audit."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from barometro.settings import profile_names

from . import auth, csrf, links, uploads
from .auth import Office
from .campaigns import problems_of
from .web import (
    XLSX,
    NotFound,
    Refused,
    check_csrf,
    client_address,
    deadline_info,
    download,
    finish,
    lang,
    office_or_none,
    office_page,
    portal,
    render,
)

router = APIRouter(include_in_schema=False)
OfficeDep = Annotated[Office, Depends(office_page)]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# ---------------------------------------------------------------------- login / logout
@router.get("/")
def home(request: Request) -> Response:
    return _see_other("/ufficio" if office_or_none(request) else "/accesso")


@router.get("/accesso")
def login_form(request: Request) -> Response:
    if office_or_none(request):
        return _see_other("/ufficio")
    return render(request, "login.html", {"username": "", "error": None})


@router.post("/accesso")
def login_submit(request: Request, username: Annotated[str, Form(max_length=100)] = "",
                 password: Annotated[str, Form(max_length=1000)] = "",
                 csrf_token: Annotated[str, Form()] = "") -> Response:
    office_or_none(request)  # a page shown to a logged-in user carries the session's token
    check_csrf(request, csrf_token)
    p = portal(request)
    try:
        got = auth.login(p.store, username.strip(), password, client_address(request), "session")
    except auth.Throttled:
        return render(request, "login.html", {"username": username, "error": "portal.login.throttled"}, 429)
    if got is None:
        return render(request, "login.html", {"username": username, "error": "portal.login.failed"}, 401)
    token, _csrf = got
    response = _see_other("/ufficio")
    response.set_cookie(auth.SESSION_COOKIE, token, httponly=True, samesite="strict",
                        secure=p.config.secure_cookies, path="/", max_age=int(p.config.session_hours * 3600))
    finish(request, response)
    return response


@router.post("/esci")
def logout(request: Request, office: OfficeDep, csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    portal(request).store.drop_token(office.token_hash, office.username)
    response = _see_other("/accesso")
    response.delete_cookie(auth.SESSION_COOKIE, path="/")
    return response


# ---------------------------------------------------------------------- campaigns
@router.get("/ufficio")
def office_home(request: Request, office: OfficeDep) -> Response:
    p = portal(request)
    return render(request, "office_home.html", {"campaigns": p.store.campaigns(), "profiles": profile_names(),
                                                "errors": None, "form": {}})


@router.post("/ufficio/campagne")
async def campaign_create(request: Request, office: OfficeDep) -> Response:
    p = portal(request)
    lg = lang(request)
    try:
        up = await uploads.receive(request, p.store.blobs, file_fields={"plan"}, limit=p.config.max_upload_bytes,
                                   csrf_check=lambda f: csrf.valid(request, f.get("csrf_token")))
    except uploads.CsrfFailed:
        raise Refused(403, "portal.error.csrf") from None
    except uploads.UploadTooLarge:
        return _home_error(request, [lg.t("portal.upload.too_large", mb=lg.mb(p.config.max_upload_bytes))],
                           {}, 413)
    except uploads.UploadError as exc:
        return _home_error(request, [lg.t(exc.key)], {}, 400)
    form = up.fields
    errors = []
    source = up.files.get("plan")
    if source is None or source.blob.size == 0:
        errors.append(lg.t("portal.campaign.need_plan"))
    try:
        year = int(form.get("year", "").strip())
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        errors.append(lg.t("portal.campaign.bad_year"))
        year = 0
    deadline = form.get("deadline", "").strip() or None
    if deadline:
        try:
            date.fromisoformat(deadline)
        except ValueError:
            errors.append(lg.t("portal.campaign.bad_deadline"))
    settings_name = form.get("settings", "default")
    if settings_name not in profile_names():
        errors.append(lg.t("portal.campaign.bad_settings"))
    if errors:
        return _home_error(request, errors, form, 400)
    cid, problems = await p.create_campaign(source=source, ente=form.get("ente", ""), year=year, deadline=deadline,
                                            settings_name=settings_name, actor=office.username)
    if cid is None:
        return _home_error(request, problems.get(lg.code) or problems.get("it", []), form, 400)
    return _see_other(f"/ufficio/campagne/{cid}?nuova=1")


def _home_error(request: Request, errors: list[str], form: dict, status: int) -> Response:
    p = portal(request)
    return render(request, "office_home.html", {"campaigns": p.store.campaigns(), "profiles": profile_names(),
                                                "errors": errors, "form": form}, status)


def _campaign(request: Request, cid: int) -> dict:
    c = portal(request).store.campaign(cid)
    if c is None:
        raise NotFound()
    return c


def _sector(request: Request, cid: int, sid: int):  # noqa: ANN202
    s = portal(request).store.sector(cid, sid)
    if s is None:
        raise NotFound()
    return s


@router.get("/ufficio/campagne/{cid}")
def dashboard(request: Request, cid: int, office: OfficeDep) -> Response:
    p = portal(request)
    c = _campaign(request, cid)
    lg = lang(request)
    rows = p.store.dashboard(cid)
    counts: dict[str, int] = {}
    from .web import STATE_OF_STATUS

    for r in rows:
        r["state"] = STATE_OF_STATUS.get(r["status"], "con_errori")
        counts[r["state"]] = counts.get(r["state"], 0) + 1
    return render(request, "dashboard.html", {
        "c": c, "rows": rows, "counts": counts, "deadline": deadline_info(c["deadline"], lg),
        "problems": problems_of(c, lg.code), "new": request.query_params.get("nuova") == "1",
        "consolidations": p.store.consolidations(cid)[:5],
        "running": p.running_consolidation(cid) is not None})


@router.get("/ufficio/campagne/{cid}/modelli.zip")
def templates_zip(request: Request, cid: int, office: OfficeDep) -> Response:
    p = portal(request)
    c = _campaign(request, cid)
    data = links.templates_zip(p.store, c, p.store.sectors(cid))
    p.store.log_event(office.username, "templates_downloaded", campaign_id=cid)
    return download(data, f"modelli_{c['year']}.zip", "application/zip")


@router.get("/ufficio/campagne/{cid}/master.xlsx")
def master_download(request: Request, cid: int, office: OfficeDep) -> Response:
    c = _campaign(request, cid)
    return download(None, "master.xlsx", XLSX, path=str(portal(request).store.blobs.path(c["master_sha"])))


@router.post("/ufficio/campagne/{cid}/link.{fmt}")
def links_list(request: Request, cid: int, fmt: str, office: OfficeDep,
               csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    if fmt not in ("csv", "xlsx"):
        raise NotFound()
    p = portal(request)
    c = _campaign(request, cid)
    issued = links.issue(p.store, cid, p.store.sectors(cid), office.username)
    base = str(request.base_url).rstrip("/")
    lg = lang(request)
    if fmt == "csv":
        return download(links.links_csv(issued, base, c, lg.code), f"link_settori_{c['year']}.csv",
                        "text/csv; charset=utf-8")
    return download(links.links_xlsx(issued, base, c, lg.code), f"link_settori_{c['year']}.xlsx", XLSX)


# ---------------------------------------------------------------------- one sector
@router.get("/ufficio/campagne/{cid}/settori/{sid}")
def sector_detail(request: Request, cid: int, sid: int, office: OfficeDep) -> Response:
    p = portal(request)
    c = _campaign(request, cid)
    s = _sector(request, cid, sid)
    row = next((r for r in p.store.dashboard(cid) if r["id"] == sid), None)
    return render(request, "office_sector.html", {"c": c, "s": s, "row": row, "versions": p.store.versions(sid),
                                                  "issued": None})


@router.post("/ufficio/campagne/{cid}/settori/{sid}/revoca")
def sector_revoke(request: Request, cid: int, sid: int, office: OfficeDep,
                  csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    _campaign(request, cid)
    _sector(request, cid, sid)
    portal(request).store.revoke_links(cid, sid, office.username)
    return _see_other(f"/ufficio/campagne/{cid}/settori/{sid}")


@router.post("/ufficio/campagne/{cid}/settori/{sid}/nuovo-link")
def sector_new_link(request: Request, cid: int, sid: int, office: OfficeDep,
                    csrf_token: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf_token)
    p = portal(request)
    c = _campaign(request, cid)
    s = _sector(request, cid, sid)
    issued = links.issue(p.store, cid, [s], office.username)[0]
    row = next((r for r in p.store.dashboard(cid) if r["id"] == sid), None)
    base = str(request.base_url).rstrip("/")
    return render(request, "office_sector.html", {"c": c, "s": s, "row": row, "versions": p.store.versions(sid),
                                                  "issued": base + issued.page_path})


@router.get("/ufficio/campagne/{cid}/settori/{sid}/modello")
def sector_template_office(request: Request, cid: int, sid: int, office: OfficeDep) -> Response:
    _campaign(request, cid)
    s = _sector(request, cid, sid)
    return download(None, f"{s.slug}.xlsx", XLSX, path=str(portal(request).store.blobs.path(s.template_sha)))


def _version(request: Request, sid: int, n: int) -> dict:
    v = portal(request).store.version(sid, n)
    if v is None:
        raise NotFound()
    return v


def report_of(version: dict, code: str) -> dict | None:
    raw = version.get("report_en" if code == "en" else "report_it") or version.get("report_it")
    return json.loads(raw) if raw else None


@router.get("/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}")
def version_page(request: Request, cid: int, sid: int, n: int, office: OfficeDep) -> Response:
    c = _campaign(request, cid)
    s = _sector(request, cid, sid)
    v = _version(request, sid, n)
    base = f"/ufficio/campagne/{cid}/settori/{sid}"
    return render(request, "version.html", {"c": c, "s": s, "v": v, "report": report_of(v, lang(request).code),
                                            "base": base, "audience": "office"})


@router.get("/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}/file")
def version_file(request: Request, cid: int, sid: int, n: int, office: OfficeDep) -> Response:
    _campaign(request, cid)
    _sector(request, cid, sid)
    v = _version(request, sid, n)
    return download(None, v["original_name"], "application/octet-stream",
                    path=str(portal(request).store.blobs.path(v["sha256"])))


@router.get("/ufficio/campagne/{cid}/settori/{sid}/versioni/{n}/annotato")
async def version_annotated(request: Request, cid: int, sid: int, n: int, office: OfficeDep) -> Response:
    await run_in_threadpool(_campaign, request, cid)
    s = await run_in_threadpool(_sector, request, cid, sid)
    return await annotated_download(request, s, n)


async def annotated_download(request: Request, s, n: int) -> Response:  # noqa: ANN001
    p = portal(request)
    v = await run_in_threadpool(_version, request, s.id, n)
    sha = await p.annotated(s, n)
    if sha is None:
        raise Refused(404, "portal.annotated.none")
    stem = v["original_name"].rsplit(".", 1)[0] or "ritorno"
    return download(None, f"{stem}_annotato.xlsx", XLSX, path=str(p.store.blobs.path(sha)))


@router.get("/ufficio/campagne/{cid}/settori/{sid}/confronto")
def version_diff(request: Request, cid: int, sid: int, office: OfficeDep) -> Response:
    from .diff import diff_versions

    p = portal(request)
    c = _campaign(request, cid)
    s = _sector(request, cid, sid)
    versions = p.store.versions(sid)
    numbers = [v["version"] for v in versions]
    try:
        a = int(request.query_params.get("da", min(numbers) if numbers else 0))
        b = int(request.query_params.get("a", max(numbers) if numbers else 0))
    except ValueError:
        raise Refused(400, "portal.diff.bad") from None
    va, vb = p.store.version(sid, a), p.store.version(sid, b)
    if va is None or vb is None:
        raise NotFound()
    changes = diff_versions(p, c, report_of(va, "it"), report_of(vb, "it"))
    return render(request, "diff.html", {"c": c, "s": s, "a": va, "b": vb, "changes": changes,
                                         "versions": versions})


# ---------------------------------------------------------------------- consolidation
@router.post("/ufficio/campagne/{cid}/consolida")
async def consolidate_start(request: Request, cid: int, office: OfficeDep) -> Response:
    form = await request.form(max_files=0, max_fields=5)
    check_csrf(request, str(form.get("csrf_token", "")))
    p = portal(request)
    await run_in_threadpool(_campaign, request, cid)
    if p.running_consolidation(cid) is None:
        await p.start_consolidation(cid, office.username)
    kid = (await run_in_threadpool(p.store.consolidations, cid))[0]["id"]
    return _see_other(f"/ufficio/campagne/{cid}/consolidamenti/{kid}")


@router.get("/ufficio/campagne/{cid}/consolidamenti/{kid}")
def consolidation_page(request: Request, cid: int, kid: int, office: OfficeDep) -> Response:
    p = portal(request)
    c = _campaign(request, cid)
    k = p.store.consolidation(cid, kid)
    if k is None:
        raise NotFound()
    summary = json.loads(k["summary_json"]) if k["summary_json"] else None
    missing = [s for s in (summary or {}).get("sectors", []) if s["state"] != "pervenuto"]
    return render(request, "consolidation.html", {"c": c, "k": k, "summary": summary, "missing": missing})


OUTPUTS = {"relazione.xlsx": ("workbook_sha", XLSX), "relazione.html": ("html_sha", "text/html; charset=utf-8"),
           "relazione.pdf": ("pdf_sha", "application/pdf")}


@router.get("/ufficio/campagne/{cid}/consolidamenti/{kid}/{name}")
def consolidation_file(request: Request, cid: int, kid: int, name: str, office: OfficeDep) -> Response:
    p = portal(request)
    c = _campaign(request, cid)
    k = p.store.consolidation(cid, kid)
    if k is None or name not in OUTPUTS or not k[OUTPUTS[name][0]]:
        raise NotFound()
    col, media = OUTPUTS[name]
    stem, ext = name.split(".")
    return download(None, f"{stem}_{c['year']}_{kid}.{ext}", media, path=str(p.store.blobs.path(k[col])))


# ---------------------------------------------------------------------- audit
@router.get("/ufficio/registro")
def audit(request: Request, office: OfficeDep) -> Response:
    p = portal(request)
    cid_raw = request.query_params.get("campagna")
    cid = int(cid_raw) if cid_raw and cid_raw.isdigit() else None
    before_raw = request.query_params.get("prima")
    before = int(before_raw) if before_raw and before_raw.isdigit() else None
    events = p.store.events(campaign_id=cid, before=before, limit=200)
    return render(request, "audit.html", {"events": events, "campaign_id": cid, "campaigns": p.store.campaigns(),
                                          "next_before": events[-1]["id"] if len(events) == 200 else None})

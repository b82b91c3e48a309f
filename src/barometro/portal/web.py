"""What the page and API modules share: templates, the request's language, who is asking."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import auth, csrf
from .i18n import LANG_COOKIE, LOCAL_TZ, Lang, negotiate

_env: Environment | None = None


def env() -> Environment:
    global _env
    if _env is None:
        folder = resources.files("barometro.portal") / "templates"
        _env = Environment(loader=FileSystemLoader(str(folder)), autoescape=select_autoescape(["html"]),
                           trim_blocks=True, lstrip_blocks=True)
        from barometro.messages import has

        _env.tests["known"] = has
    return _env


class NeedLogin(Exception):
    """An office page asked for without a session: redirect to the login form."""


class NotFound(Exception):
    """Shown as the same 404 page whether the thing is missing or not the asker's."""


class Refused(Exception):
    """A request refused with a status and a message key (400, 403, 413, 429...)."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.values = values


def portal(request: Request):  # noqa: ANN201 - the Portal (service.py)
    return request.app.state.portal


def lang(request: Request) -> Lang:
    cached = getattr(request.state, "lang", None)
    if cached is None:
        cached = request.state.lang = Lang(negotiate(request))
    return cached


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


def office_or_none(request: Request) -> auth.Office | None:
    if hasattr(request.state, "office"):
        return request.state.office
    p = portal(request)
    header = request.headers.get("authorization", "")
    office = None
    if header.lower().startswith("bearer "):
        office = auth.office_from_token(p.store, header[7:].strip())
    else:
        office = auth.office_from_token(p.store, request.cookies.get(auth.SESSION_COOKIE))
        if office is not None and office.kind != "session":
            office = None
    request.state.office = office
    return office


def office_page(request: Request) -> auth.Office:
    """Dependency of every office page: a session or a redirect to the login form."""
    office = office_or_none(request)
    if office is None or office.kind != "session":  # pages take the session cookie, not API tokens
        raise NeedLogin()
    return office


def check_csrf(request: Request, submitted: str | None) -> None:
    if not csrf.valid(request, submitted):
        raise Refused(403, "portal.error.csrf")


def deadline_info(deadline: str | None, lg: Lang) -> str:
    if not deadline:
        return lg.t("portal.deadline.none")
    days = (date.fromisoformat(deadline) - datetime.now(LOCAL_TZ).date()).days
    if days > 1:
        return lg.t("portal.deadline.days_left", day=lg.day(deadline), days=lg.num(days))
    if days == 1:
        return lg.t("portal.deadline.tomorrow", day=lg.day(deadline))
    if days == 0:
        return lg.t("portal.deadline.today", day=lg.day(deadline))
    return lg.t("portal.deadline.passed", day=lg.day(deadline), days=lg.num(-days))


STATE_OF_STATUS = {None: "non_pervenuto", "ok": "valido", "avvisi": "con_avvisi", "errori": "con_errori",
                   "illeggibile": "con_errori", "in_corso": "in_verifica"}
BADGE = {"non_pervenuto": "secondary", "valido": "success", "con_avvisi": "warning", "con_errori": "danger",
         "in_verifica": "primary"}


def render(request: Request, name: str, ctx: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
    lg = lang(request)
    office = getattr(request.state, "office", None)
    values = {
        "request": request, "L": lg, "t": lg.t, "office": office, "csrf_token": csrf.form_token(request),
        "lang_code": lg.code, "path": request.url.path, "STATE_OF_STATUS": STATE_OF_STATUS, "BADGE": BADGE,
        **(ctx or {}),
    }
    html = env().get_template(name).render(**values)
    response = HTMLResponse(html, status_code=status)
    finish(request, response)
    return response


def finish(request: Request, response: Response) -> None:
    """Cookies every answer may need: the CSRF token of a new visitor, the chosen language."""
    secure = portal(request).config.secure_cookies
    csrf.ensure_cookie(request, response, secure)
    q = request.query_params.get("lang")
    if q in ("it", "en") and request.cookies.get(LANG_COOKIE) != q:
        response.set_cookie(LANG_COOKIE, q, max_age=365 * 86400, samesite="lax", secure=secure, httponly=True)


def download(data: bytes | None, filename: str, media_type: str, *, path: str | None = None) -> Response:
    from fastapi.responses import FileResponse

    ascii_name = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in filename) or "file"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
    headers = {"content-disposition": disposition, "cache-control": "no-store"}
    if path is not None:
        return FileResponse(path, media_type=media_type, headers=headers)
    return Response(data, media_type=media_type, headers=headers)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

"""The ASGI application: `create_app(config)`."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from barometro import __version__

from . import api, office_pages, sector_pages
from .auth import Office
from .config import PortalConfig
from .security import SecurityHeaders
from .service import Portal
from .web import NeedLogin, NotFound, Refused, lang, office_page, render

log = logging.getLogger("barometro.portal")


def create_app(config: PortalConfig) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        portal = Portal(config)
        app.state.portal = portal
        await portal.start()
        try:
            yield
        finally:
            await portal.stop()

    app = FastAPI(title="Barometro", version=__version__, lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None, description="Portale di raccolta della Relazione sulla Performance.")
    app.include_router(office_pages.router)
    app.include_router(sector_pages.router)
    app.include_router(api.router)

    @app.get("/api/v1/openapi.json", include_in_schema=False)
    def openapi_json(request: Request, office: Annotated[Office, Depends(api.api_office)]) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request, office: Annotated[Office, Depends(office_page)]) -> Response:
        return render(request, "api_docs.html", {"schema": app.openapi()})

    static = resources.files("barometro.portal") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.exception_handler(NeedLogin)
    async def _need_login(request: Request, exc: NeedLogin) -> Response:
        return RedirectResponse("/accesso", status_code=303)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return _error_page(request, 404, "portal.error.not_found")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused) -> Response:
        return _error_page(request, exc.status, exc.key, **exc.values)

    @app.exception_handler(api.ApiError)
    async def _api_error(request: Request, exc: api.ApiError) -> Response:
        headers = {"www-authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": lang(request).t(exc.key, **exc.values), "code": exc.key},
                            status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": lang(request).t("portal.error.bad_request"),
                                 "errors": [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")}
                                            for e in exc.errors()]}, status_code=422)
        return _error_page(request, 400, "portal.error.bad_request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "portal.error.not_found", 405: "portal.error.method"}.get(exc.status_code, "portal.error.bad_request")
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": lang(request).t(key)}, status_code=exc.status_code)
        return _error_page(request, exc.status_code, key)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": lang(request).t("portal.error.internal")}, status_code=500)
        return _error_page(request, 500, "portal.error.internal")

    return SecurityHeaders(app, hsts=config.secure_cookies)  # type: ignore[return-value]


def _error_page(request: Request, status: int, key: str, **values: object) -> Response:
    try:
        return render(request, "error.html", {"status": status, "message_key": key, "values": values}, status)
    except Exception:  # noqa: BLE001 - never a traceback on a page
        return Response(lang(request).t(key, **values), status_code=status, media_type="text/plain; charset=utf-8")

"""CSRF tokens on every form.

An office session has its own token (stored with the session). Pages without a
session (the login form, a sector's page) use the double-submit pattern: a
random token in an HttpOnly, SameSite=Strict cookie, repeated in a hidden field;
the server compares the two in constant time. API calls with a bearer token
carry no ambient credential and need no CSRF token; API calls that rely on the
session cookie must send the session's token in the `X-CSRF-Token` header.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.requests import Request
from starlette.responses import Response

CSRF_COOKIE = "barometro_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"


def cookie_token(request: Request) -> str:
    """The visitor's double-submit token (made on first sight, set by `ensure_cookie`)."""
    token = request.cookies.get(CSRF_COOKIE, "")
    if not (20 <= len(token) <= 100):
        token = getattr(request.state, "new_csrf", "") or secrets.token_urlsafe(32)
        request.state.new_csrf = token
    return token


def form_token(request: Request) -> str:
    office = getattr(request.state, "office", None)
    return office.csrf if office is not None and office.kind == "session" else cookie_token(request)


def ensure_cookie(request: Request, response: Response, secure: bool) -> None:
    new = getattr(request.state, "new_csrf", "")
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="strict", secure=secure, path="/")


def valid(request: Request, submitted: str | None) -> bool:
    expected = form_token(request)
    if not submitted or not expected or getattr(request.state, "new_csrf", "") == expected:
        return False  # a token we just made cannot have been submitted
    return hmac.compare_digest(submitted.encode(), expected.encode())

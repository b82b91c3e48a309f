"""Security headers on every answer (pure ASGI middleware, so uploads still stream)."""

from __future__ import annotations

CSP = ("default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self'; "
       "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),  # sector links are secrets: never sent onwards
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


class SecurityHeaders:
    def __init__(self, app, *, hsts: bool = False) -> None:  # noqa: ANN001
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in dict(HEADERS)]
                headers += HEADERS
                names = {k.lower() for k, _ in headers}
                if not is_static and b"cache-control" not in names:
                    headers.append((b"cache-control", b"no-store"))
                if self.hsts or scope.get("scheme") == "https":
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""Language of a request and the formatting of numbers and dates for it.

The language is chosen, in order, by `?lang=it|en` (remembered in a cookie),
the `barometro_lingua` cookie, the browser's Accept-Language, else Italian.
Every string comes from the message catalogue (`locale/portal.toml`).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from starlette.requests import Request

from barometro.messages import LANGUAGES, format_number, format_percent, text

LANG_COOKIE = "barometro_lingua"
LOCAL_TZ = ZoneInfo("Europe/Rome")


def negotiate(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in LANGUAGES:
        return q
    c = request.cookies.get(LANG_COOKIE)
    if c in LANGUAGES:
        return c
    header = request.headers.get("accept-language", "")
    best, best_q = "it", -1.0
    for part in header.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()[:2]
        weight = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    weight = float(b.strip()[2:])
                except ValueError:
                    weight = 0.0
        if tag in LANGUAGES and weight > best_q:
            best, best_q = tag, weight
    return best


class Lang:
    """What templates call: `t(key, **values)`, `num(x)`, `day(iso)`, `when(iso)`."""

    def __init__(self, code: str) -> None:
        self.code = code

    def t(self, key: str, /, **values: object) -> str:
        return text(key, self.code, **values)

    def num(self, value: float | int | None, decimals: int = 0) -> str:
        return format_number(value, self.code, decimals=decimals)

    def mb(self, size: int) -> str:
        """A size in MB as people read it: 25, 2,5, 0,3."""
        value = size / (1024 * 1024)
        return self.num(value, 0 if value >= 10 or value.is_integer() else 1)

    def pct(self, value: float | None, decimals: int = 2) -> str:
        return format_percent(value, self.code, decimals=decimals)

    def day(self, iso: str | None) -> str:
        if not iso:
            return ""
        d = date.fromisoformat(iso[:10])
        return d.strftime("%d/%m/%Y") if self.code == "it" else d.isoformat()

    def when(self, iso: str | None) -> str:
        if not iso:
            return ""
        dt = datetime.fromisoformat(iso).astimezone(LOCAL_TZ)
        return dt.strftime("%d/%m/%Y %H:%M:%S") if self.code == "it" else dt.strftime("%Y-%m-%d %H:%M:%S")

"""The catalogue of every string staff see, Italian by default, English on request.

Strings live in `locale/<area>.toml` files (one per area so that modules do not
fight over one file), each with an `[it]` and an `[en]` table of flat keys.
Keys are unique across files; `tests/core/test_messages.py` checks that every
key exists in both languages, that placeholders match and that every key is
used somewhere in the code.

Rendering is strict: a template whose placeholders are not all supplied raises
`MessageError` (a bug, never a half-formatted sentence for staff). Numbers
passed as values are written the way the language writes them
(`format_number`): `45,5` and `1.194.987` in Italian, `45.5` and `1,194,987`
in English. Integers are identifiers, years and row numbers: written as they
are (`2021`, `row 1234`).

Choose the language with `set_language("en")` or the environment variable
`BAROMETRO_LANG`; every rendering function also takes an explicit `lang`.
"""

from __future__ import annotations

import math
import os
import string
import tomllib
from functools import lru_cache
from importlib import resources

LANGUAGES = ("it", "en")
_language: str | None = None


class MessageError(KeyError):
    """A message key missing from the catalogue, or a placeholder left unfilled."""


def set_language(lang: str | None) -> None:
    global _language
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}; choose one of {LANGUAGES}")
    _language = lang


def language() -> str:
    lang = _language or os.environ.get("BAROMETRO_LANG", "it")
    return lang if lang in LANGUAGES else "it"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """{lang: {key: template}} merged from every locale file."""
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    origin: dict[str, str] = {}
    folder = resources.files("barometro") / "locale"
    for res in sorted(folder.iterdir(), key=lambda r: r.name):
        if not res.name.endswith(".toml"):
            continue
        data = tomllib.loads(res.read_text(encoding="utf-8"))
        for lang in LANGUAGES:
            for key, value in data.get(lang, {}).items():
                if key in merged[lang] and origin.get(f"{lang}:{key}") != res.name:
                    raise MessageError(f"message key {key!r} defined twice ({res.name})")
                merged[lang][key] = value
                origin[f"{lang}:{key}"] = res.name
    return merged


def has(key: str) -> bool:
    return key in catalogue()["it"]


# --------------------------------------------------------------------------- numbers


_SEPARATORS = {"it": (",", "."), "en": (".", ",")}  # (decimal, thousands)


def format_number(value: float | int | None, lang: str | None = None, *, decimals: int | None = None,
                  grouping: bool = True) -> str:
    """A number the way `lang` writes it.

    `decimals=None`: integral values without decimals, others with up to two
    (trailing zeros dropped): 4580.0 -> "4.580", 62.345 -> "62,35", 0.92 -> "0,92".
    Very small or very large magnitudes keep four significant digits. `None`
    and non-finite values give "" (never "nan").
    """
    if value is None or isinstance(value, bool):
        return ""
    f = float(value)
    if not math.isfinite(f):
        return ""
    dec, thou = _SEPARATORS.get(lang or language(), _SEPARATORS["it"])
    if decimals is None:
        if f.is_integer() and abs(f) < 1e15:
            raw = f"{f:,.0f}" if grouping else f"{f:.0f}"
        elif f != 0 and (abs(f) < 1e-3 or abs(f) >= 1e15):
            raw = f"{f:.4g}"
        else:
            raw = f"{f:,.2f}" if grouping else f"{f:.2f}"
            raw = raw.rstrip("0").rstrip(".") if "." in raw else raw
    else:
        raw = f"{f:,.{decimals}f}" if grouping else f"{f:.{decimals}f}"
    if raw in ("-0", "-0.0"):
        raw = raw[1:]
    return raw.replace(",", "\x00").replace(".", dec).replace("\x00", thou)


def format_percent(value: float | None, lang: str | None = None, *, decimals: int = 2) -> str:
    """A 0-100 percentage with its sign: "85,29 %" / "85.29 %"; "" for None."""
    if value is None:
        return ""
    return f"{format_number(value, lang, decimals=decimals)} %"


class Percent(float):
    """A 0-100 percentage placed in a message: rendered "85,29 %" / "85.29 %"."""

    __slots__ = ()


class Typed(float):
    """A number as a person types it into a cell in the language shown: no thousands
    separators ("4580", "45,5"), for hints that say what to type."""

    __slots__ = ()


class Phrase:
    """A catalogue text kept as data (key and values), rendered in the language of the
    message it is placed in: `text("a.b", why=Phrase("legacy.rule.ranking"))`."""

    __slots__ = ("key", "values")

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values

    def render(self, lang: str | None = None) -> str:
        return text(self.key, lang, **self.values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Phrase) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"Phrase({self.key!r}, **{self.values!r})"

    def __str__(self) -> str:
        return self.render()

    def __reduce__(self):  # picklable (findings cross process boundaries)
        return (_phrase, (self.key, self.values))


def _phrase(key: str, values: dict[str, object]) -> Phrase:
    return Phrase(key, **values)


def format_value(value: object, lang: str | None = None) -> str:
    """Any value as staff read it: numbers per language, `None` as "", booleans as words,
    phrases and issues rendered in `lang`."""
    if value is None:
        return ""
    if isinstance(value, Phrase):
        return value.render(lang)
    if isinstance(value, Percent):
        return format_percent(value, lang)
    if isinstance(value, Typed):
        return format_number(value, lang, grouping=False)
    if isinstance(value, list | tuple):
        return " / ".join(format_value(v, lang) for v in value)
    render_message = getattr(value, "render_message", None)
    if callable(render_message):
        return render_message(lang)
    if isinstance(value, bool):
        return text("common.true" if value else "common.false", lang)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_number(value, lang)
    return str(value)


# --------------------------------------------------------------------------- rendering


def _template(key: str, lang: str) -> str:
    cat = catalogue()
    template = cat.get(lang, {}).get(key)
    if template is None:
        template = cat["it"].get(key)
    if template is None:
        raise MessageError(f"no message {key!r} in the catalogue")
    return template


def text(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message `key` in `lang` (default: the current language), placeholders filled.

    Values are rendered with `format_value` (numbers per language). A missing
    placeholder raises `MessageError`."""
    lang = lang or language()
    template = _template(key, lang)
    rendered = {k: format_value(v, lang) for k, v in values.items()}
    try:
        return template.format_map(_Strict(key, rendered))
    except (IndexError, ValueError) as exc:
        raise MessageError(f"message {key!r} cannot be rendered: {exc}") from None


class _Strict(dict):
    def __init__(self, key: str, values: dict[str, str]) -> None:
        super().__init__(values)
        self.key = key

    def __missing__(self, name: str) -> str:
        raise MessageError(f"message {self.key!r} needs a value for {{{name}}}")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}

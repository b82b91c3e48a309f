"""The catalogue of every string staff see, Italian by default, English on request.

Strings live in `locale/<area>.toml` files (one per area so that modules do not
fight over one file), each with an `[it]` and an `[en]` table of flat keys.
Keys are unique across files; `tests/test_messages.py` checks that every key
exists in both languages and that placeholders match.

Choose the language with `set_language("en")` or the environment variable
`BAROMETRO_LANG`.
"""

from __future__ import annotations

import os
import string
import tomllib
from functools import lru_cache
from importlib import resources

LANGUAGES = ("it", "en")
_language: str | None = None


class MessageError(KeyError):
    """A message key missing from the catalogue."""


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


def text(key: str, lang: str | None = None, /, **values: object) -> str:
    """The message `key` in the current language, with `{placeholders}` filled."""
    cat = catalogue()
    lang = lang or language()
    template = cat.get(lang, {}).get(key) or cat["it"].get(key)
    if template is None:
        raise MessageError(f"no message {key!r} in the catalogue")
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return template


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}

"""One shape for everything Barometro reports to people: validator findings,
import issues, plan problems and merge issues.

An issue keeps its data (`code`, `severity`, the catalogue `key` of its
message and the `params` the message needs) and renders its text only when it
is output, in the language asked for (`issue.render(lang)`, or the
`message` property in the current language). So a finding made in a worker
process is rendered by the process that prints it, in that process's language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .messages import Phrase, format_value, has, text


class Severity(StrEnum):
    """How much an issue matters; the values are the Italian words stored in outputs."""

    ERROR = "errore"
    WARNING = "avviso"
    INFO = "informazione"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def label(self, lang: str | None = None) -> str:
        return text(f"severity.{self.value}", lang)


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


def json_safe(value: object) -> object:
    """A parameter as JSON can hold it: non-finite floats become None (strict JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Phrase) or callable(getattr(value, "render_message", None)):
        return format_value(value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return str(value)


@dataclass(frozen=True, kw_only=True)
class Issue:
    """A coded, parameterised message for people.

    `key` is the catalogue key of the message; the hint, when the catalogue has
    one, is `key` with its last part replaced by `hint` (`validators.C206.message`
    -> `validators.C206.hint`)."""

    code: str
    severity: Severity
    key: str
    params: Mapping[str, object] = field(default_factory=dict, hash=False)

    # ---- rendering
    def values(self) -> dict[str, object]:
        """What the message templates may use (subclasses add their location fields)."""
        return dict(self.params)

    def render_message(self, lang: str | None = None) -> str:
        return text(self.key, lang, **self.values())

    def render_hint(self, lang: str | None = None) -> str:
        key = self.hint_key
        return text(key, lang, **self.values()) if key else ""

    @property
    def hint_key(self) -> str | None:
        base, _, last = self.key.rpartition(".")
        key = f"{base}.hint" if last == "message" else f"{self.key}.hint"
        return key if has(key) else None

    @property
    def message(self) -> str:
        return self.render_message()

    @property
    def hint(self) -> str:
        return self.render_hint()

    def params_json(self) -> dict[str, object]:
        return {k: json_safe(v) for k, v in self.params.items()}

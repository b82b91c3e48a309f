"""Method settings an ente can choose, loaded from a small TOML file.

The defaults are the sound choices of the domain notes; `profiles/cremona.toml`
reproduces the Comune di Cremona's published practice.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, fields, replace
from enum import Enum
from importlib import resources
from pathlib import Path


class LineMethod(str, Enum):
    OBJECTIVE_MEAN = "objective_mean"  # mean of the line's objective % (default)
    INDICATOR_MEAN = "indicator_mean"  # unweighted mean of indicator % (Cremona)
    INDICATOR_WEIGHTED = "indicator_weighted"  # sum(w x %)/sum(w) over the line's indicators


class EnteMethod(str, Enum):
    LINE_MEAN = "line_mean"  # mean of the lines' % (default)
    OBJECTIVE_MEAN = "objective_mean"
    INDICATOR_MEAN = "indicator_mean"


class NeutralisedPolicy(str, Enum):
    EXCLUDE = "exclude"  # left out of every aggregate (default)
    ZERO = "zero"  # counted as 0 % in line/ente means (Cremona 2021, Ambiente line)


class MissingActual(str, Enum):
    EXCLUDE = "exclude"  # no actual: no score, left out (the validator flags it)
    ZERO = "zero"  # no actual counts as 0 %


class LowerFormula(str, Enum):
    RATIO = "ratio"  # target / actual x 100 (default)
    COMPLEMENT = "complement"  # (2 - actual / target) x 100


class BandLevel(str, Enum):
    NONE = "none"  # no score bands
    OBJECTIVE = "objective"  # each objective's % goes through the bands, then the mean
    MANAGER = "manager"  # the manager's (or sector's) mean goes through the bands


class SettingsError(ValueError):
    """Settings that cannot be used; `str()` is the catalogue message naming the key."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason, values)
        self.reason = reason
        self.values = values

    def render(self, lang: str | None = None) -> str:
        from .messages import text

        return text(f"settings.error.{self.reason}", lang, **self.values)

    def __str__(self) -> str:
        return self.render()


@dataclass(frozen=True)
class Settings:
    name: str = "default"
    line_method: LineMethod = LineMethod.OBJECTIVE_MEAN
    ente_method: EnteMethod = EnteMethod.LINE_MEAN
    neutralised: NeutralisedPolicy = NeutralisedPolicy.EXCLUDE
    missing_actual: MissingActual = MissingActual.EXCLUDE
    lower_formula: LowerFormula = LowerFormula.RATIO
    tolerance: float = 1.0  # points of % allowed between a typed and a recomputed value
    gauge_green: float = 100.0  # % Ragg >= this: green
    gauge_yellow: float = 60.0  # % Ragg >= this: yellow; below: red
    plausibility_factor: float = 5.0  # actual > factor x target on a % indicator: implausible
    # Individual evaluation (the ente's SMVP): a manager's result is the plain mean of the %
    # of their objectives; score bands (fasce) turn a % into the % of the payout.
    band_level: BandLevel = BandLevel.NONE
    band_zero_below: float = 60.0  # below this: 0
    band_full_from: float = 80.0  # from this: 100; in between: the % itself

    def fingerprint(self) -> str:
        data = {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(self).items()}
        raw = json.dumps(data, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:16]

    def to_dict(self) -> dict[str, object]:
        return {k: (v.value if isinstance(v, Enum) else v) for k, v in asdict(self).items()}

    def band(self, value: float | None) -> float | None:
        """The payout % of a score under the bands (None stays None)."""
        if value is None:
            return None
        if value < self.band_zero_below:
            return 0.0
        if value >= self.band_full_from:
            return 100.0
        return value

    def describe_results(self, lang: str | None = None) -> str:
        """How a manager's (or a sector's) result is computed, in words, bands included."""
        from .messages import text

        if self.band_level is BandLevel.NONE:
            return text("method.results.plain", lang)
        return text(f"method.results.bands.{self.band_level.value}", lang,
                    low=self.band_zero_below, high=self.band_full_from)

    def describe_it(self, lang: str | None = None) -> str:
        """One sentence per choice (Italian by default), written into every output."""
        from .messages import text

        return text(
            "method.description", lang,
            line=text(f"method.line.{self.line_method.value}", lang),
            ente=text(f"method.ente.{self.ente_method.value}", lang),
            neutralised=text(f"method.neutralised.{self.neutralised.value}", lang),
            lower=text(f"method.lower.{self.lower_formula.value}", lang),
            tolerance=self.tolerance,
            name=self.name,
        )


DEFAULT_SETTINGS = Settings()

_FIELD_TYPES = {f.name: f.type for f in fields(Settings)}
_ENUMS: dict[str, type[Enum]] = {
    "line_method": LineMethod,
    "ente_method": EnteMethod,
    "neutralised": NeutralisedPolicy,
    "missing_actual": MissingActual,
    "lower_formula": LowerFormula,
    "band_level": BandLevel,
}


def settings_from_dict(data: dict[str, object], *, base: Settings = DEFAULT_SETTINGS) -> Settings:
    """Build settings from a mapping (a parsed TOML `[scoring]` table or the whole file)."""
    table = data.get("scoring", data) if isinstance(data, dict) else data
    if not isinstance(table, dict):
        raise SettingsError("not_a_table")
    values: dict[str, object] = {}
    for key, raw in table.items():
        if key not in _FIELD_TYPES:
            known = ", ".join(sorted(_FIELD_TYPES))
            raise SettingsError("unknown_key", key=key, known=known)
        if key in _ENUMS:
            enum = _ENUMS[key]
            try:
                values[key] = enum(str(raw))
            except ValueError:
                allowed = ", ".join(m.value for m in enum)
                raise SettingsError("bad_choice", key=key, value=str(raw), allowed=allowed) from None
        elif key == "name":
            values[key] = str(raw)
        else:
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise SettingsError("not_a_number", key=key, value=str(raw))
            values[key] = float(raw)
    settings = replace(base, **values)
    if not 0 <= settings.gauge_yellow <= settings.gauge_green:
        raise SettingsError("gauge_order")
    if settings.tolerance < 0:
        raise SettingsError("negative_tolerance")
    if not 0 <= settings.band_zero_below <= settings.band_full_from <= 100:
        raise SettingsError("band_order")
    return settings


def load_settings(source: str | Path | None) -> Settings:
    """Settings from a TOML file path, a shipped profile name ("default", "cremona"), or None."""
    if source is None:
        return DEFAULT_SETTINGS
    path = Path(source)
    if not path.suffix and not path.exists():
        return load_profile(str(source))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError("file_missing", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("bad_toml", path=str(path), detail=str(exc)) from None
    settings = settings_from_dict(data)
    if settings.name == "default" and "name" not in data.get("scoring", data):
        settings = replace(settings, name=path.stem)
    return settings


def profile_names() -> list[str]:
    folder = resources.files("barometro") / "profiles"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def load_profile(name: str) -> Settings:
    folder = resources.files("barometro") / "profiles"
    res = folder / f"{name}.toml"
    if not res.is_file():
        raise SettingsError("unknown_profile", name=name, shipped=", ".join(profile_names()))
    return settings_from_dict(tomllib.loads(res.read_text(encoding="utf-8")))

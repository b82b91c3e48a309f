"""Creating a campaign: the plan (or last year's report) in, templates out, all stored.

`build_campaign_task` runs in a worker process: it reads the source with the
library (`plan_io.read_plan` for a plan workbook, `legacy.import_report` for a
report in the seed layout), runs `check_plan`, and writes the master and the
sector files with `build_templates`. The parent stores every file as a blob and
records the campaign in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from .storage import Storage


class CampaignError(ValueError):
    """The source cannot become a campaign; `messages` are for the office (both languages)."""

    def __init__(self, messages: dict[str, list[str]]) -> None:
        super().__init__(messages.get("it", [""])[0])
        self.messages = messages


def _problems(plan, issues: list) -> list[dict[str, str]]:  # noqa: ANN001
    from barometro.workbook_templates.plan_checks import check_plan

    out = [{"severity": str(i.severity), "where": (f"{i.sheet or ''} {i.source_row or ''}").strip(),
            "message": i.message, "code": i.code} for i in issues]
    out += [{"severity": "errore" if p.code.value in ("weights-sum", "duplicate-indicator", "missing-target")
             else "avviso", "where": p.objective_id or "", "message": p.message, "code": p.code.value}
            for p in check_plan(plan)]
    return out


def _read_source(path: Path) -> tuple[Any, list, str]:
    """(plan, import issues, kind) from a plan workbook or a report; CampaignError otherwise."""
    from barometro.legacy import import_report
    from barometro.legacy.report import LegacyFormatError
    from barometro.messages import language
    from barometro.plan_io import PlanFormatError, read_plan
    from barometro.validators.findings import make
    from barometro.validators.reader import DEFAULT_LIMITS, FileKind, ReadProblem, read_book, sniff

    lang = language()
    try:
        kind = sniff(path, DEFAULT_LIMITS)
        if kind is not FileKind.TEXT:
            read_book(path, DEFAULT_LIMITS)  # the validator's guards: bombs, encryption, corruption
    except ReadProblem as exc:
        f = make(exc.code, path.name, **exc.values)
        raise CampaignError({lang: [f"{f.message} {f.hint}"]}) from None
    plan_errors: list[str] = []
    if kind is not FileKind.TEXT:
        try:
            return read_plan(path), [], "plan"
        except PlanFormatError as exc:
            plan_errors = exc.errors
        except Exception as exc:  # noqa: BLE001 - a broken workbook is a message, not a crash
            plan_errors = [f"{type(exc).__name__}: {exc}"]
    try:
        result = import_report(path)
    except LegacyFormatError as exc:
        raise CampaignError({lang: [*plan_errors, str(exc)]}) from None
    except Exception as exc:  # noqa: BLE001
        raise CampaignError({lang: [*plan_errors, f"{type(exc).__name__}: {exc}"]}) from None
    if not result.plan.indicators:
        raise CampaignError({lang: [*plan_errors, "no indicators"]})
    return result.plan, result.issues, "report"


def build_campaign_task(source: str, ente: str, year: int, settings_name: str, outdir: str) -> dict[str, Any]:
    """Run in a worker: read the source, check it, build the templates into outdir."""
    from barometro.messages import set_language
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_templates

    path = Path(source)
    problems: dict[str, list[dict[str, str]]] = {}
    errors: dict[str, list[str]] = {}
    try:
        for lang in ("en", "it"):  # the messages of the library are rendered in the current language
            set_language(lang)
            try:
                plan, issues, kind = _read_source(path)
                problems[lang] = _problems(plan, issues)
            except CampaignError as exc:
                errors.update(exc.messages)
    finally:
        set_language("it")
    if errors:
        return {"error": errors}
    plan = replace(plan, ente=ente.strip() or plan.ente, year=int(year))
    try:
        built = build_templates(plan, load_profile(settings_name), outdir)
    except Exception as exc:  # noqa: BLE001 - BuildError and friends: a message for the office
        return {"error": {"it": [str(exc)], "en": [str(exc)]}}
    sectors = []
    for name, p in built.sectors.items():
        inds = [i for i in plan.indicators if i.sector == name]
        owners = list(dict.fromkeys(i.owner for i in inds if i.owner))
        sectors.append({"name": name, "path": str(p), "slug": p.stem, "owners": "; ".join(owners),
                        "indicators": len(inds)})
    return {"kind": kind, "ente": plan.ente, "year": plan.year, "master": str(built.master),
            "sectors": sectors, "problems": problems, "indicators": len(plan.indicators),
            "lines": len(plan.lines)}


def record_campaign(store: Storage, built: dict[str, Any], *, source_path: Path, source_name: str,
                    deadline: str | None, settings_name: str, actor: str) -> int:
    source = store.blobs.put_file(source_path)
    master = store.blobs.put_file(built["master"])
    rows, blobs = [], []
    for s in built["sectors"]:
        b = store.blobs.put_file(s["path"])
        blobs.append(b)
        rows.append({"name": s["name"], "slug": s["slug"], "owners": s["owners"], "indicators": s["indicators"],
                     "template_sha": b.sha256})
    problems = {"it": built["problems"].get("it", []), "en": built["problems"].get("en", [])}
    return store.add_campaign(ente=built["ente"], year=built["year"], deadline=deadline, settings_name=settings_name,
                              source=source, source_name=source_name, source_kind=built["kind"], master=master,
                              problems=[problems], sectors=rows, blobs=blobs, actor=actor)


def problems_of(campaign: dict[str, Any], lang: str) -> list[dict[str, str]]:
    data = json.loads(campaign["problems_json"] or "[]")
    if data and isinstance(data[0], dict) and "it" in data[0]:
        return data[0].get(lang) or data[0].get("it", [])
    return data

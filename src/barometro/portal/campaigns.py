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


LANGS = ("it", "en")


def _problems(plan, issues: list, lang: str) -> list[dict[str, str]]:  # noqa: ANN001
    """Import issues and plan problems, rendered in `lang` (they keep their data)."""
    from barometro.workbook_templates.plan_checks import check_plan

    out = [{"severity": i.severity.value, "where": (f"{i.sheet or ''} {i.source_row or ''}").strip(),
            "message": i.render_message(lang), "code": i.code} for i in issues]
    out += [{"severity": p.severity.value, "where": p.objective_id or "", "message": p.render_message(lang),
             "code": p.code} for p in check_plan(plan)]
    return out


def _in_both(render) -> dict[str, list[str]]:  # noqa: ANN001 - lang -> list[str]
    return {lang: render(lang) for lang in LANGS}


def _read_source(path: Path) -> tuple[Any, list, str]:
    """(plan, import issues, kind) from a plan workbook or a report; CampaignError otherwise."""
    from barometro.legacy import import_report
    from barometro.legacy.report import LegacyFormatError
    from barometro.plan_io import PlanFormatError, read_plan
    from barometro.validators.findings import make
    from barometro.validators.reader import DEFAULT_LIMITS, FileKind, ReadProblem, read_book, sniff

    try:
        kind = sniff(path, DEFAULT_LIMITS)
        if kind is not FileKind.TEXT:
            read_book(path, DEFAULT_LIMITS)  # the validator's guards: bombs, encryption, corruption
    except ReadProblem as exc:
        f = make(exc.code, path.name, **exc.values)
        raise CampaignError(_in_both(lambda lang: [f"{f.render_message(lang)} {f.render_hint(lang)}"])) from None
    plan_errors: PlanFormatError | None = None
    if kind is not FileKind.TEXT:
        try:
            return read_plan(path), [], "plan"
        except PlanFormatError as exc:
            plan_errors = exc

    def with_plan_errors(lang: str, *more: str) -> list[str]:
        first = [p.render(lang) for p in plan_errors.problems] if plan_errors is not None else []
        return [*first, *more]

    try:
        result = import_report(path)
    except LegacyFormatError as exc:
        detail = str(exc)
        raise CampaignError(_in_both(lambda lang: with_plan_errors(lang, detail))) from None
    except Exception as exc:  # noqa: BLE001 - a broken file is a message, never a crash
        detail = type(exc).__name__
        raise CampaignError(_in_both(lambda lang: with_plan_errors(lang, detail))) from None
    if not result.plan.indicators:
        from barometro.messages import text

        raise CampaignError(_in_both(lambda lang: with_plan_errors(lang, text("portal.campaign.no_indicators", lang))))
    return result.plan, result.issues, "report"


def build_campaign_task(source: str, ente: str, year: int, settings_name: str, outdir: str) -> dict[str, Any]:
    """Run in a worker: read the source once, check it, build the templates into outdir."""
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_templates

    try:
        plan, issues, kind = _read_source(Path(source))
    except CampaignError as exc:
        return {"error": exc.messages}
    problems = {lang: _problems(plan, issues, lang) for lang in LANGS}
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

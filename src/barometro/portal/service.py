"""The portal's work, behind the pages and the API: uploads, checks, copies, consolidation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool

from barometro.messages import Phrase, text
from barometro.validators.findings import make

from . import workers
from .config import PortalConfig
from .storage import SectorRow, Storage
from .uploads import UploadedFile, safe_suffix

log = logging.getLogger("barometro.portal")


@dataclass
class Checked:
    number: int
    status: str
    report: dict[str, Any]  # one file of `barometro validate --format json`, in the asked language


def _failure_report(name: str, finding) -> dict[str, Any]:  # noqa: ANN001 - a Finding
    """A report with one finding when the check itself could not finish (time limit, crash),
    rendered in each language."""
    from barometro.validators import FileReport, Status

    return workers.as_shown(FileReport(name, Status.UNREADABLE, None, [finding], kind="unreadable"), name)


class Portal:
    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        self.store = Storage(config)
        self.cache_dir = Path(config.data_dir) / "cache"
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.validation = workers.WorkerPool(config.workers, workers.init_validation_worker, (self._masters(),))
        self.jobs = workers.WorkerPool(1, transient=True)
        self._tasks: set[asyncio.Task] = set()
        self._running: dict[int, asyncio.Task] = {}

    # ------------------------------------------------------------------ life cycle
    async def start(self) -> None:
        self.store.blobs.clean_tmp()
        self.store.interrupt_running()
        await asyncio.gather(*(self.validation.call(workers.warm, i, timeout=120)
                               for i in range(self.validation.workers)))
        pending = self.store.pending_versions()
        for row in pending:  # uploads kept by a server killed before their check finished
            sector = next(s for s in self.store.sectors(row["campaign_id"]) if s.id == row["sector_id"])
            self.spawn(self.check_version(sector, row["version"]))

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.validation.shutdown()
        self.jobs.shutdown()
        self.store.close()

    def spawn(self, coro) -> asyncio.Task:  # noqa: ANN001
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------------ files on disk
    def _masters(self) -> dict[str, str]:
        return {c["master_sha"]: str(self.master_path(c["master_sha"])) for c in self.store.campaigns()}

    def master_path(self, sha: str) -> Path:
        """The master under a name ending in .xlsx (openpyxl and the validator look at it)."""
        link = self.cache_dir / f"master-{sha}.xlsx"
        if not link.exists():
            tmp = self.cache_dir / f".{secrets.token_hex(6)}"
            os.symlink(self.store.blobs.path(sha).resolve(), tmp)
            os.replace(tmp, link)
        return link

    @contextlib.contextmanager
    def staged(self, sha: str, display_name: str):  # noqa: ANN201
        """A stored file under its uploaded name's extension, in a private temporary folder."""
        folder = self.config.tmp_dir / f"v-{secrets.token_hex(8)}"
        folder.mkdir(parents=True)
        suffix = safe_suffix(display_name)
        name = display_name if (len(display_name.encode()) <= 180 and "/" not in display_name
                                and suffix and not display_name.startswith(".")) else f"ritorno{suffix}"
        link = folder / name
        os.symlink(self.store.blobs.path(sha).resolve(), link)
        try:
            yield link
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # ------------------------------------------------------------------ uploads
    async def accept_upload(self, sector: SectorRow, up: UploadedFile, actor: str, lang: str) -> Checked:
        """Record the upload as a new version first, then check it; the newest valid one counts."""
        number = await run_in_threadpool(self.store.add_version, sector, up.blob, up.filename, actor)
        return await self.check_version(sector, number, lang)

    async def check_version(self, sector: SectorRow, number: int, lang: str = "it") -> Checked:
        row = await run_in_threadpool(self.store.version, sector.id, number)
        campaign = await run_in_threadpool(self.store.campaign, sector.campaign_id)
        name = row["original_name"]
        master = str(self.master_path(campaign["master_sha"]))
        try:
            with self.staged(row["sha256"], name) as path:
                result = await self.validation.call(workers.validate_task, campaign["master_sha"], master,
                                                    str(path), name, timeout=self.config.validation_timeout)
        except workers.WorkerTimeout:
            result = self._failed(name, make("R025", name, seconds=float(self.config.validation_timeout)))
        except Exception as exc:  # noqa: BLE001 - the upload stays on record with a finding
            log.exception("validation of %s v%s failed", sector.name, number)
            result = self._failed(name, make("R099", name, check=Phrase("portal.timeout.check"),
                                             detail=type(exc).__name__))
        await run_in_threadpool(self.store.finish_version, sector, number, status=result["status"],
                                counts=result["counts"], report_it=result["it"], report_en=result["en"],
                                seconds=result["seconds"])
        return Checked(number, result["status"], json.loads(result["en" if lang == "en" else "it"]))

    @staticmethod
    def _failed(name: str, finding) -> dict[str, Any]:  # noqa: ANN001 - a Finding
        reports = _failure_report(name, finding)
        it = json.loads(reports["it"])
        return {"status": it["status"], "counts": it["counts"], "seconds": 0.0, **reports}

    async def annotated(self, sector: SectorRow, number: int) -> str | None:
        """The sha256 of the version's annotated copy, made on first request and kept."""
        row = await run_in_threadpool(self.store.version, sector.id, number)
        if row is None or row["status"] == "in_corso":
            return None
        if row["annotated_sha"]:
            return row["annotated_sha"]
        campaign = await run_in_threadpool(self.store.campaign, sector.campaign_id)
        outdir = self.config.tmp_dir / f"a-{secrets.token_hex(8)}"
        outdir.mkdir(parents=True)
        try:
            with self.staged(row["sha256"], row["original_name"]) as path:
                out = await self.validation.call(
                    workers.annotate_task, campaign["master_sha"], str(self.master_path(campaign["master_sha"])),
                    str(path), str(outdir), timeout=max(self.config.validation_timeout, 120))
            if out is None:
                return None
            blob = await run_in_threadpool(self.store.blobs.put_file, out)
            await run_in_threadpool(self.store.set_annotated, sector, number, blob)
            return blob.sha256
        except workers.WorkerTimeout:
            return None
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

    # ------------------------------------------------------------------ campaigns
    async def create_campaign(self, *, source: UploadedFile, ente: str, year: int, deadline: str | None,
                              settings_name: str, actor: str) -> tuple[int | None, dict[str, list[str]] | None]:
        from .campaigns import build_campaign_task, record_campaign

        outdir = self.config.tmp_dir / f"c-{secrets.token_hex(8)}"
        outdir.mkdir(parents=True)
        try:
            with self.staged(source.blob.sha256, source.filename) as path:
                built = await self.jobs.call(build_campaign_task, str(path), ente, year, settings_name,
                                             str(outdir / "modelli"), timeout=600)
                if "error" in built:
                    self.store.log_event(actor, "campaign_refused", sha256=source.blob.sha256,
                                         detail=source.filename)
                    return None, built["error"]
                cid = await run_in_threadpool(record_campaign, self.store, built, source_path=path,
                                              source_name=source.filename, deadline=deadline,
                                              settings_name=settings_name, actor=actor)
            return cid, None
        except workers.WorkerTimeout:
            return None, {lg: [text("portal.campaign.timeout", lg)] for lg in ("it", "en")}
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

    # ------------------------------------------------------------------ consolidation
    def running_consolidation(self, campaign_id: int) -> asyncio.Task | None:
        task = self._running.get(campaign_id)
        return task if task is not None and not task.done() else None

    async def start_consolidation(self, campaign_id: int, actor: str) -> tuple[int, asyncio.Task]:
        kid = await run_in_threadpool(self.store.start_consolidation, campaign_id, actor)
        task = self.spawn(self._consolidate(campaign_id, kid))
        self._running[campaign_id] = task
        return kid, task

    async def _consolidate(self, campaign_id: int, kid: int) -> str:
        store = self.store
        campaign = await run_in_threadpool(store.campaign, campaign_id)
        chosen = await run_in_threadpool(store.newest_valid, campaign_id)
        if not chosen:
            await run_in_threadpool(lambda: store.finish_consolidation(
                campaign_id, kid, state="fallito", error="portal.consolidate.no_valid"))
            return "fallito"
        inputs = [(str(store.blobs.path(c["sha256"]).resolve()), f"{c['slug']}.xlsx") for c in chosen]
        outdir = self.config.tmp_dir / f"k-{kid}-{secrets.token_hex(6)}"
        outdir.mkdir(parents=True)
        try:
            summary = await self.jobs.call(workers.consolidate_task, str(self.master_path(campaign["master_sha"])),
                                           inputs, str(outdir), campaign["deadline"],
                                           timeout=self.config.consolidation_timeout)
            summary["used"] = [{"sector": c["name"], "version": c["version"]} for c in chosen]
            if summary["blocked"] or not summary["written"]:
                await run_in_threadpool(lambda: store.finish_consolidation(
                    campaign_id, kid, state="fallito", summary=summary, error="portal.consolidate.blocked"))
                return "fallito"
            outputs = {}
            for kind, name in (("workbook", "relazione.xlsx"), ("html", "relazione.html"), ("pdf", "relazione.pdf")):
                outputs[kind] = await run_in_threadpool(store.blobs.put_file, outdir / name)
            await run_in_threadpool(lambda: store.finish_consolidation(
                campaign_id, kid, state="completato", outputs=outputs, summary=summary))
            return "completato"
        except Exception as exc:  # noqa: BLE001 - recorded on the consolidation, shown to the office
            log.exception("consolidation %s failed", kid)
            detail = str(exc) if not isinstance(exc, workers.WorkerTimeout) else "portal.consolidate.timeout"
            await run_in_threadpool(lambda: store.finish_consolidation(
                campaign_id, kid, state="fallito", error=detail[:2000]))
            return "fallito"
        finally:
            shutil.rmtree(outdir, ignore_errors=True)

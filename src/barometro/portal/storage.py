"""The portal's records: SQLite in the data folder (WAL) or PostgreSQL by URL.

All SQL goes through SQLAlchemy Core here; pages and the API call these methods
and never write SQL. Writes on SQLite take the write lock at `BEGIN IMMEDIATE`
so that concurrent uploads wait for each other (busy timeout) instead of failing.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from . import schema as t
from .blobs import Blob, BlobStore
from .config import PortalConfig
from .migrations import migrate


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 60},
                                  pool_size=8, max_overflow=8)

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record) -> None:  # noqa: ANN001
            dbapi_conn.isolation_level = None  # transactions are begun below
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=True)


@dataclass(frozen=True)
class SectorRow:
    id: int
    campaign_id: int
    name: str
    slug: str
    owners: str
    indicators: int
    template_sha: str
    position: int


class Storage:
    def __init__(self, config: PortalConfig) -> None:
        self.config = config
        Path(config.data_dir).mkdir(parents=True, exist_ok=True)
        self.engine = make_engine(config.db_url)
        self.migrated = migrate(self.engine)
        self.blobs = BlobStore(config.blob_dir, config.tmp_dir)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ plumbing
    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(write=True) as conn, conn.begin():
            yield conn

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    def _one(self, stmt: Any) -> dict[str, Any] | None:
        with self.read() as conn:
            row = conn.execute(stmt).mappings().first()
        return dict(row) if row is not None else None

    def _all(self, stmt: Any) -> list[dict[str, Any]]:
        with self.read() as conn:
            return [dict(r) for r in conn.execute(stmt).mappings()]

    # ------------------------------------------------------------------ blobs
    def register_blob(self, conn: Connection, blob: Blob) -> None:
        exists = conn.execute(sa.select(t.blobs.c.sha256).where(t.blobs.c.sha256 == blob.sha256)).first()
        if exists is None:
            conn.execute(t.blobs.insert().values(sha256=blob.sha256, size=blob.size, created_at=now_iso()))

    def store_file(self, path: str | Path) -> Blob:
        blob = self.blobs.put_file(path)
        with self.write() as conn:
            self.register_blob(conn, blob)
        return blob

    def store_bytes(self, data: bytes) -> Blob:
        blob = self.blobs.put_bytes(data)
        with self.write() as conn:
            self.register_blob(conn, blob)
        return blob

    def blob_rows(self) -> list[dict[str, Any]]:
        return self._all(sa.select(t.blobs))

    def referenced_hashes(self) -> set[str]:
        """Every hash a record points to (campaign sources, templates, versions, outputs)."""
        out: set[str] = set()
        with self.read() as conn:
            for col in (t.campaigns.c.source_sha, t.campaigns.c.master_sha, t.sectors.c.template_sha,
                        t.versions.c.sha256, t.versions.c.annotated_sha, t.consolidations.c.workbook_sha,
                        t.consolidations.c.html_sha, t.consolidations.c.pdf_sha):
                out.update(r[0] for r in conn.execute(sa.select(col).where(col.is_not(None))))
        return out

    # ------------------------------------------------------------------ audit
    def log(self, conn: Connection, actor: str, action: str, *, campaign_id: int | None = None,
            sector_id: int | None = None, sha256: str | None = None, detail: str = "") -> None:
        conn.execute(t.events.insert().values(at=now_iso(), actor=actor, action=action, campaign_id=campaign_id,
                                              sector_id=sector_id, sha256=sha256, detail=detail[:2000]))

    def log_event(self, actor: str, action: str, **kw: Any) -> None:
        with self.write() as conn:
            self.log(conn, actor, action, **kw)

    def events(self, *, campaign_id: int | None = None, limit: int = 500, before: int | None = None) -> list[dict[str, Any]]:
        q = sa.select(t.events, t.sectors.c.name.label("sector_name")).select_from(
            t.events.outerjoin(t.sectors, t.sectors.c.id == t.events.c.sector_id))
        if campaign_id is not None:
            q = q.where(t.events.c.campaign_id == campaign_id)
        if before is not None:
            q = q.where(t.events.c.id < before)
        return self._all(q.order_by(t.events.c.id.desc()).limit(limit))

    # ------------------------------------------------------------------ users and tokens
    def add_user(self, username: str, password_hash: str) -> int:
        with self.write() as conn:
            res = conn.execute(t.users.insert().values(username=username, password_hash=password_hash,
                                                       created_at=now_iso(), disabled=False))
            self.log(conn, "cli", "user_added", detail=username)
            return int(res.inserted_primary_key[0])

    def set_password(self, username: str, password_hash: str) -> bool:
        with self.write() as conn:
            res = conn.execute(t.users.update().where(t.users.c.username == username)
                               .values(password_hash=password_hash))
            if res.rowcount:
                self.log(conn, "cli", "password_changed", detail=username)
            return bool(res.rowcount)

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        return self._one(sa.select(t.users).where(t.users.c.username == username))

    def users(self) -> list[dict[str, Any]]:
        return self._all(sa.select(t.users).order_by(t.users.c.username))

    def add_token(self, user_id: int, token_hash: str, kind: str, csrf: str, hours: float) -> None:
        now = datetime.now(UTC)
        with self.write() as conn:
            conn.execute(t.auth_tokens.insert().values(
                token_hash=token_hash, user_id=user_id, kind=kind, csrf=csrf,
                created_at=now.isoformat(), expires_at=(now + timedelta(hours=hours)).isoformat()))
            conn.execute(t.users.update().where(t.users.c.id == user_id).values(last_login_at=now.isoformat()))
            self.log(conn, self.username_of(conn, user_id), "login", detail=kind)

    @staticmethod
    def username_of(conn: Connection, user_id: int) -> str:
        return conn.execute(sa.select(t.users.c.username).where(t.users.c.id == user_id)).scalar_one()

    def token(self, token_hash: str) -> dict[str, Any] | None:
        q = (sa.select(t.auth_tokens, t.users.c.username, t.users.c.disabled)
             .select_from(t.auth_tokens.join(t.users, t.users.c.id == t.auth_tokens.c.user_id))
             .where(t.auth_tokens.c.token_hash == token_hash))
        row = self._one(q)
        if row is None or row["disabled"] or row["expires_at"] < datetime.now(UTC).isoformat():
            return None
        return row

    def drop_token(self, token_hash: str, actor: str) -> None:
        with self.write() as conn:
            conn.execute(t.auth_tokens.delete().where(t.auth_tokens.c.token_hash == token_hash))
            self.log(conn, actor, "logout")

    def record_failure(self, username: str, client: str) -> None:
        with self.write() as conn:
            conn.execute(t.login_failures.insert().values(username=username[:100], client=client[:100], at=time.time()))
            self.log(conn, client, "login_failed", detail=username[:100])

    def failures_since(self, username: str, client: str, since: float) -> tuple[int, int]:
        with self.read() as conn:
            by_user = conn.execute(sa.select(sa.func.count()).select_from(t.login_failures).where(
                t.login_failures.c.username == username[:100], t.login_failures.c.at >= since)).scalar_one()
            by_client = conn.execute(sa.select(sa.func.count()).select_from(t.login_failures).where(
                t.login_failures.c.client == client[:100], t.login_failures.c.at >= since)).scalar_one()
        return int(by_user), int(by_client)

    def clear_failures(self, username: str) -> None:
        with self.write() as conn:
            conn.execute(t.login_failures.delete().where(t.login_failures.c.username == username[:100]))

    # ------------------------------------------------------------------ campaigns and sectors
    def add_campaign(self, *, ente: str, year: int, deadline: str | None, settings_name: str, source: Blob,
                     source_name: str, source_kind: str, master: Blob, problems: list[dict[str, Any]],
                     sectors: Sequence[dict[str, Any]], blobs: Sequence[Blob], actor: str) -> int:
        with self.write() as conn:
            for b in (source, master, *blobs):
                self.register_blob(conn, b)
            cid = int(conn.execute(t.campaigns.insert().values(
                ente=ente, year=year, deadline=deadline, settings_name=settings_name, source_sha=source.sha256,
                source_name=source_name, source_kind=source_kind, master_sha=master.sha256,
                problems_json=json.dumps(problems, ensure_ascii=False), created_at=now_iso(),
                created_by=actor)).inserted_primary_key[0])
            for pos, s in enumerate(sectors):
                conn.execute(t.sectors.insert().values(campaign_id=cid, position=pos, **s))
            self.log(conn, actor, "campaign_created", campaign_id=cid, sha256=source.sha256,
                     detail=f"{ente} {year} ({source_name})")
            return cid

    def campaigns(self) -> list[dict[str, Any]]:
        return self._all(sa.select(t.campaigns).order_by(t.campaigns.c.id.desc()))

    def campaign(self, campaign_id: int) -> dict[str, Any] | None:
        return self._one(sa.select(t.campaigns).where(t.campaigns.c.id == campaign_id))

    def sectors(self, campaign_id: int) -> list[SectorRow]:
        rows = self._all(sa.select(t.sectors).where(t.sectors.c.campaign_id == campaign_id)
                         .order_by(t.sectors.c.position))
        return [SectorRow(**r) for r in rows]

    def sector(self, campaign_id: int, sector_id: int) -> SectorRow | None:
        r = self._one(sa.select(t.sectors).where(t.sectors.c.id == sector_id, t.sectors.c.campaign_id == campaign_id))
        return SectorRow(**r) if r else None

    def dashboard(self, campaign_id: int) -> list[dict[str, Any]]:
        """One row per sector: its latest version, the newest valid one, counts, whether a link is active."""
        v = t.versions
        latest = (sa.select(v.c.sector_id, sa.func.max(v.c.version).label("latest"),
                            sa.func.count().label("n_versions"))
                  .select_from(v.join(t.sectors, t.sectors.c.id == v.c.sector_id))
                  .where(t.sectors.c.campaign_id == campaign_id).group_by(v.c.sector_id).subquery())
        valid = (sa.select(v.c.sector_id, sa.func.max(v.c.version).label("valid_version"))
                 .select_from(v.join(t.sectors, t.sectors.c.id == v.c.sector_id))
                 .where(t.sectors.c.campaign_id == campaign_id, v.c.status.in_(t.VALID_STATES))
                 .group_by(v.c.sector_id).subquery())
        links = (sa.select(t.sector_links.c.sector_id, sa.func.count().label("active_links"),
                           sa.func.max(t.sector_links.c.created_at).label("link_at"))
                 .where(t.sector_links.c.revoked_at.is_(None)).group_by(t.sector_links.c.sector_id).subquery())
        lv = v.alias("lv")
        q = (sa.select(t.sectors.c.id, t.sectors.c.name, t.sectors.c.slug, t.sectors.c.owners,
                       t.sectors.c.indicators, latest.c.latest, latest.c.n_versions, valid.c.valid_version,
                       lv.c.status, lv.c.errors, lv.c.warnings, lv.c.infos, lv.c.uploaded_at,
                       sa.func.coalesce(links.c.active_links, 0).label("active_links"), links.c.link_at)
             .select_from(t.sectors.outerjoin(latest, latest.c.sector_id == t.sectors.c.id)
                          .outerjoin(valid, valid.c.sector_id == t.sectors.c.id)
                          .outerjoin(lv, sa.and_(lv.c.sector_id == t.sectors.c.id, lv.c.version == latest.c.latest))
                          .outerjoin(links, links.c.sector_id == t.sectors.c.id))
             .where(t.sectors.c.campaign_id == campaign_id).order_by(t.sectors.c.position))
        return self._all(q)

    # ------------------------------------------------------------------ sector links
    def issue_link(self, conn: Connection, sector_id: int, token_hash: str, actor: str, *, revoke_old: bool) -> None:
        now = now_iso()
        if revoke_old:
            conn.execute(t.sector_links.update().where(t.sector_links.c.sector_id == sector_id,
                                                       t.sector_links.c.revoked_at.is_(None)).values(revoked_at=now))
        conn.execute(t.sector_links.insert().values(sector_id=sector_id, token_hash=token_hash, created_at=now,
                                                    created_by=actor))

    def revoke_links(self, campaign_id: int, sector_id: int, actor: str) -> int:
        with self.write() as conn:
            res = conn.execute(t.sector_links.update().where(t.sector_links.c.sector_id == sector_id,
                                                             t.sector_links.c.revoked_at.is_(None))
                               .values(revoked_at=now_iso()))
            self.log(conn, actor, "link_revoked", campaign_id=campaign_id, sector_id=sector_id)
            return res.rowcount

    def sector_by_link(self, token_hash: str) -> SectorRow | None:
        q = (sa.select(t.sectors).select_from(t.sector_links.join(t.sectors, t.sectors.c.id == t.sector_links.c.sector_id))
             .where(t.sector_links.c.token_hash == token_hash, t.sector_links.c.revoked_at.is_(None)))
        r = self._one(q)
        return SectorRow(**r) if r else None

    # ------------------------------------------------------------------ versions
    def add_version(self, sector: SectorRow, blob: Blob, original_name: str, actor: str) -> int:
        """A new version in state `in_corso` (validated afterwards): the upload is on record first."""
        with self.write() as conn:
            self.register_blob(conn, blob)
            # lock the sector row (PostgreSQL) so that two uploads of one sector get 1 and 2
            conn.execute(sa.select(t.sectors.c.id).where(t.sectors.c.id == sector.id).with_for_update())
            last = conn.execute(sa.select(sa.func.max(t.versions.c.version))
                                .where(t.versions.c.sector_id == sector.id)).scalar()
            number = int(last or 0) + 1
            conn.execute(t.versions.insert().values(
                sector_id=sector.id, version=number, sha256=blob.sha256, original_name=original_name[:300],
                size=blob.size, uploaded_at=now_iso(), status=t.PENDING, errors=0, warnings=0, infos=0))
            self.log(conn, actor, "upload", campaign_id=sector.campaign_id, sector_id=sector.id,
                     sha256=blob.sha256, detail=f"v{number} {original_name[:200]}")
            return number

    def finish_version(self, sector: SectorRow, number: int, *, status: str, counts: dict[str, int],
                       report_it: str, report_en: str, seconds: float) -> None:
        with self.write() as conn:
            conn.execute(t.versions.update().where(t.versions.c.sector_id == sector.id, t.versions.c.version == number)
                         .values(status=status, errors=counts.get("errore", 0), warnings=counts.get("avviso", 0),
                                 infos=counts.get("informazione", 0), report_it=report_it, report_en=report_en,
                                 seconds=seconds))
            self.log(conn, "portale", "validated", campaign_id=sector.campaign_id, sector_id=sector.id,
                     detail=f"v{number} {status}")

    def set_annotated(self, sector: SectorRow, number: int, blob: Blob) -> None:
        with self.write() as conn:
            self.register_blob(conn, blob)
            conn.execute(t.versions.update().where(t.versions.c.sector_id == sector.id, t.versions.c.version == number)
                         .values(annotated_sha=blob.sha256))

    def versions(self, sector_id: int) -> list[dict[str, Any]]:
        cols = [c for c in t.versions.c if c.name not in ("report_it", "report_en")]
        return self._all(sa.select(*cols).where(t.versions.c.sector_id == sector_id).order_by(t.versions.c.version.desc()))

    def version(self, sector_id: int, number: int) -> dict[str, Any] | None:
        return self._one(sa.select(t.versions).where(t.versions.c.sector_id == sector_id,
                                                     t.versions.c.version == number))

    def pending_versions(self) -> list[dict[str, Any]]:
        return self._all(sa.select(t.versions.c.sector_id, t.versions.c.version, t.sectors.c.campaign_id)
                         .select_from(t.versions.join(t.sectors, t.sectors.c.id == t.versions.c.sector_id))
                         .where(t.versions.c.status == t.PENDING))

    def newest_valid(self, campaign_id: int) -> list[dict[str, Any]]:
        """The version that counts for each sector: its newest valid one."""
        v = t.versions
        best = (sa.select(v.c.sector_id, sa.func.max(v.c.version).label("version"))
                .where(v.c.status.in_(t.VALID_STATES)).group_by(v.c.sector_id).subquery())
        q = (sa.select(t.sectors.c.id.label("sector_id"), t.sectors.c.name, t.sectors.c.slug, v.c.version,
                       v.c.sha256, v.c.original_name)
             .select_from(t.sectors.join(best, best.c.sector_id == t.sectors.c.id)
                          .join(v, sa.and_(v.c.sector_id == best.c.sector_id, v.c.version == best.c.version)))
             .where(t.sectors.c.campaign_id == campaign_id).order_by(t.sectors.c.position))
        return self._all(q)

    # ------------------------------------------------------------------ consolidations
    def start_consolidation(self, campaign_id: int, actor: str) -> int:
        with self.write() as conn:
            kid = int(conn.execute(t.consolidations.insert().values(
                campaign_id=campaign_id, started_at=now_iso(), started_by=actor, state=t.PENDING))
                .inserted_primary_key[0])
            self.log(conn, actor, "consolidation_started", campaign_id=campaign_id, detail=f"#{kid}")
            return kid

    def finish_consolidation(self, campaign_id: int, kid: int, *, state: str, outputs: dict[str, Blob] | None = None,
                             summary: dict[str, Any] | None = None, error: str | None = None) -> None:
        outputs = outputs or {}
        with self.write() as conn:
            for b in outputs.values():
                self.register_blob(conn, b)
            conn.execute(t.consolidations.update().where(t.consolidations.c.id == kid).values(
                finished_at=now_iso(), state=state,
                workbook_sha=outputs["workbook"].sha256 if "workbook" in outputs else None,
                html_sha=outputs["html"].sha256 if "html" in outputs else None,
                pdf_sha=outputs["pdf"].sha256 if "pdf" in outputs else None,
                summary_json=None if summary is None else json.dumps(summary, ensure_ascii=False),
                error=error))
            self.log(conn, "portale", f"consolidation_{state}", campaign_id=campaign_id,
                     sha256=outputs["pdf"].sha256 if "pdf" in outputs else None, detail=f"#{kid} {error or ''}".strip())

    def consolidation(self, campaign_id: int, kid: int) -> dict[str, Any] | None:
        return self._one(sa.select(t.consolidations).where(t.consolidations.c.id == kid,
                                                           t.consolidations.c.campaign_id == campaign_id))

    def consolidations(self, campaign_id: int) -> list[dict[str, Any]]:
        return self._all(sa.select(t.consolidations).where(t.consolidations.c.campaign_id == campaign_id)
                         .order_by(t.consolidations.c.id.desc()))

    def interrupt_running(self) -> int:
        """At start-up: consolidations left running by a killed server are marked interrupted."""
        with self.write() as conn:
            res = conn.execute(t.consolidations.update().where(t.consolidations.c.state == t.PENDING)
                               .values(state="interrotto", finished_at=now_iso()))
            if res.rowcount:
                self.log(conn, "portale", "consolidation_interrupted", detail=str(res.rowcount))
            return res.rowcount

"""Numbered schema migrations: a newer portal opens an older data folder.

Each migration is frozen once released: it declares the tables as they were at
that version (never the current `schema` module), so replaying 1..N on an empty
database and upgrading an old one give the same schema. `schema_migrations`
records what was applied. Works on SQLite and PostgreSQL (SQLAlchemy Core DDL).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _v1(conn: Connection) -> None:
    """The first schema: accounts, campaigns, sectors and links, versions, outputs, audit."""
    md = sa.MetaData()
    sa.Table("users", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("username", sa.String(100), nullable=False, unique=True),
             sa.Column("password_hash", sa.String(300), nullable=False),
             sa.Column("created_at", sa.String(40), nullable=False),
             sa.Column("disabled", sa.Boolean, nullable=False, default=False))
    sa.Table("auth_tokens", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
             sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
             sa.Column("kind", sa.String(10), nullable=False),  # session | api
             sa.Column("csrf", sa.String(64), nullable=False),
             sa.Column("created_at", sa.String(40), nullable=False),
             sa.Column("expires_at", sa.String(40), nullable=False))
    sa.Table("login_failures", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("username", sa.String(100), nullable=False),
             sa.Column("client", sa.String(100), nullable=False),
             sa.Column("at", sa.Float, nullable=False))
    sa.Table("blobs", md,
             sa.Column("sha256", sa.String(64), primary_key=True),
             sa.Column("size", sa.BigInteger, nullable=False),
             sa.Column("created_at", sa.String(40), nullable=False))
    sa.Table("campaigns", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("ente", sa.String(300), nullable=False),
             sa.Column("year", sa.Integer, nullable=False),
             sa.Column("deadline", sa.String(10)),
             sa.Column("settings_name", sa.String(100), nullable=False),
             sa.Column("source_sha", sa.String(64), nullable=False),
             sa.Column("source_name", sa.String(300), nullable=False),
             sa.Column("source_kind", sa.String(10), nullable=False),  # plan | report
             sa.Column("master_sha", sa.String(64), nullable=False),
             sa.Column("problems_json", sa.Text, nullable=False),
             sa.Column("created_at", sa.String(40), nullable=False),
             sa.Column("created_by", sa.String(100), nullable=False))
    sa.Table("sectors", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
             sa.Column("name", sa.String(300), nullable=False),
             sa.Column("slug", sa.String(300), nullable=False),
             sa.Column("owners", sa.Text, nullable=False),
             sa.Column("indicators", sa.Integer, nullable=False),
             sa.Column("template_sha", sa.String(64), nullable=False),
             sa.Column("position", sa.Integer, nullable=False))
    sa.Table("sector_links", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("sector_id", sa.Integer, sa.ForeignKey("sectors.id"), nullable=False),
             sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
             sa.Column("created_at", sa.String(40), nullable=False),
             sa.Column("created_by", sa.String(100), nullable=False),
             sa.Column("revoked_at", sa.String(40)))
    sa.Table("versions", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("sector_id", sa.Integer, sa.ForeignKey("sectors.id"), nullable=False),
             sa.Column("version", sa.Integer, nullable=False),
             sa.Column("sha256", sa.String(64), nullable=False),
             sa.Column("original_name", sa.String(300), nullable=False),
             sa.Column("size", sa.BigInteger, nullable=False),
             sa.Column("uploaded_at", sa.String(40), nullable=False),
             sa.Column("status", sa.String(20), nullable=False),
             sa.Column("errors", sa.Integer, nullable=False, default=0),
             sa.Column("warnings", sa.Integer, nullable=False, default=0),
             sa.Column("infos", sa.Integer, nullable=False, default=0),
             sa.Column("report_it", sa.Text),
             sa.Column("report_en", sa.Text),
             sa.Column("annotated_sha", sa.String(64)),
             sa.Column("seconds", sa.Float),
             sa.UniqueConstraint("sector_id", "version", name="uq_versions_sector_version"))
    sa.Table("consolidations", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
             sa.Column("started_at", sa.String(40), nullable=False),
             sa.Column("started_by", sa.String(100), nullable=False),
             sa.Column("finished_at", sa.String(40)),
             sa.Column("state", sa.String(20), nullable=False),
             sa.Column("workbook_sha", sa.String(64)),
             sa.Column("html_sha", sa.String(64)),
             sa.Column("pdf_sha", sa.String(64)),
             sa.Column("summary_json", sa.Text),
             sa.Column("error", sa.Text))
    sa.Table("events", md,
             sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
             sa.Column("at", sa.String(40), nullable=False),
             sa.Column("actor", sa.String(300), nullable=False),
             sa.Column("action", sa.String(50), nullable=False),
             sa.Column("campaign_id", sa.Integer),
             sa.Column("sector_id", sa.Integer),
             sa.Column("sha256", sa.String(64)),
             sa.Column("detail", sa.Text, nullable=False, default=""))
    md.create_all(conn)


def _v2(conn: Connection) -> None:
    """Indexes for the dashboard and the audit page; the time of each user's last login."""
    md = sa.MetaData()
    versions = sa.Table("versions", md, sa.Column("sector_id", sa.Integer), sa.Column("version", sa.Integer))
    events = sa.Table("events", md, sa.Column("campaign_id", sa.Integer), sa.Column("id", sa.Integer))
    links = sa.Table("sector_links", md, sa.Column("sector_id", sa.Integer))
    failures = sa.Table("login_failures", md, sa.Column("username", sa.String(100)), sa.Column("at", sa.Float))
    sa.Index("ix_versions_sector", versions.c.sector_id, versions.c.version).create(conn)
    sa.Index("ix_events_campaign", events.c.campaign_id, events.c.id).create(conn)
    sa.Index("ix_links_sector", links.c.sector_id).create(conn)
    sa.Index("ix_failures_user", failures.c.username, failures.c.at).create(conn)
    conn.execute(sa.text("ALTER TABLE users ADD COLUMN last_login_at VARCHAR(40)"))


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "initial schema", _v1),
    (2, "dashboard indexes, last login", _v2),
)
LATEST = MIGRATIONS[-1][0]

_tracking = sa.Table(
    "schema_migrations", sa.MetaData(),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("applied_at", sa.String(40), nullable=False),
)


class SchemaTooNew(RuntimeError):
    """The data folder was written by a newer portal than this one."""


def applied(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("schema_migrations"):
            return []
        return [r[0] for r in conn.execute(sa.select(_tracking.c.version).order_by(_tracking.c.version))]


def migrate(engine: Engine, *, target: int = LATEST) -> list[int]:
    """Apply the missing migrations up to `target`, each in its own transaction."""
    with engine.begin() as conn:
        _tracking.create(conn, checkfirst=True)
    done = set(applied(engine))
    if done and max(done) > LATEST:
        raise SchemaTooNew(f"schema version {max(done)} is newer than this portal ({LATEST})")
    ran: list[int] = []
    for version, name, step in MIGRATIONS:
        if version in done or version > target:
            continue
        with engine.begin() as conn:
            step(conn)
            conn.execute(_tracking.insert().values(version=version, name=name, applied_at=_now()))
        ran.append(version)
    return ran

"""The current tables, for queries (the DDL history is in `migrations`)."""

from __future__ import annotations

import sqlalchemy as sa

md = sa.MetaData()

users = sa.Table(
    "users", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(300), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("last_login_at", sa.String(40)),
)
auth_tokens = sa.Table(
    "auth_tokens", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(10), nullable=False),
    sa.Column("csrf", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
)
login_failures = sa.Table(
    "login_failures", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False),
    sa.Column("client", sa.String(100), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
blobs = sa.Table(
    "blobs", md,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)
campaigns = sa.Table(
    "campaigns", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ente", sa.String(300), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("deadline", sa.String(10)),
    sa.Column("settings_name", sa.String(100), nullable=False),
    sa.Column("source_sha", sa.String(64), nullable=False),
    sa.Column("source_name", sa.String(300), nullable=False),
    sa.Column("source_kind", sa.String(10), nullable=False),
    sa.Column("master_sha", sa.String(64), nullable=False),
    sa.Column("problems_json", sa.Text, nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
)
sectors = sa.Table(
    "sectors", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("campaign_id", sa.Integer, sa.ForeignKey("campaigns.id"), nullable=False),
    sa.Column("name", sa.String(300), nullable=False),
    sa.Column("slug", sa.String(300), nullable=False),
    sa.Column("owners", sa.Text, nullable=False),
    sa.Column("indicators", sa.Integer, nullable=False),
    sa.Column("template_sha", sa.String(64), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
)
sector_links = sa.Table(
    "sector_links", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sector_id", sa.Integer, sa.ForeignKey("sectors.id"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("revoked_at", sa.String(40)),
)
versions = sa.Table(
    "versions", md,
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
)
consolidations = sa.Table(
    "consolidations", md,
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
    sa.Column("error", sa.Text),
)
events = sa.Table(
    "events", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(300), nullable=False),
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("campaign_id", sa.Integer),
    sa.Column("sector_id", sa.Integer),
    sa.Column("sha256", sa.String(64)),
    sa.Column("detail", sa.Text, nullable=False, default=""),
)

# version states besides the validator's (ok, avvisi, errori, illeggibile)
PENDING = "in_corso"
VALID_STATES = ("ok", "avvisi")

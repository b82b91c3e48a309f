"""Settings of one portal instance (one data folder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA_DIR = Path("barometro-dati")
DEFAULT_MAX_UPLOAD = 25 * 1024 * 1024
DB_FILE = "portale.sqlite3"


@dataclass(frozen=True)
class PortalConfig:
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str | None = None  # None: SQLite file in the data folder
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    validation_timeout: float = 60.0  # seconds per uploaded file
    consolidation_timeout: float = 900.0
    workers: int = 2  # validation worker processes
    secure_cookies: bool = False  # set behind an HTTPS reverse proxy
    session_hours: float = 12.0
    login_max_failures: int = 5  # per user name and per client address...
    login_window_seconds: int = 900  # ...within this window, then refused until it passes
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(Path(self.data_dir) / DB_FILE).resolve()}"

    @property
    def blob_dir(self) -> Path:
        return Path(self.data_dir) / "file"

    @property
    def tmp_dir(self) -> Path:
        return Path(self.data_dir) / "tmp"

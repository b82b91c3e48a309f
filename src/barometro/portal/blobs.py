"""Content-addressed file store: every uploaded or generated file kept once by its SHA-256.

A file is written to a temporary name in the data folder, flushed to disk, then
renamed to `file/<first two hex digits>/<sha256>`; an existing blob is never
overwritten (same hash, same bytes) and nothing here deletes one.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


class BlobTooLarge(ValueError):
    """The incoming stream went over the size limit (nothing was kept)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class BlobStore:
    def __init__(self, root: Path, tmp: Path) -> None:
        self.root = Path(root)
        self.tmp = Path(tmp)
        self.root.mkdir(parents=True, exist_ok=True)
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def temp_path(self, suffix: str = "") -> Path:
        return self.tmp / f"in-{secrets.token_hex(8)}{suffix}"

    @contextlib.contextmanager
    def writer(self, limit: int | None = None) -> Iterator[BlobWriter]:
        """Stream bytes in with `w.write(chunk)`; on exit the blob is in place (`w.blob`)."""
        w = BlobWriter(self, self.temp_path(), limit)
        try:
            yield w
            w.commit()
        finally:
            w.discard()

    def put_bytes(self, data: bytes) -> Blob:
        with self.writer() as w:
            w.write(data)
        assert w.blob is not None
        return w.blob

    def put_file(self, path: str | os.PathLike[str]) -> Blob:
        with self.writer() as w, open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                w.write(chunk)
        assert w.blob is not None
        return w.blob

    def read_bytes(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """The stored bytes still hash to their name."""
        h = hashlib.sha256()
        try:
            with open(self.path(sha256), "rb") as fh:
                while chunk := fh.read(CHUNK):
                    h.update(chunk)
        except OSError:
            return False
        return h.hexdigest() == sha256

    def all_hashes(self) -> Iterator[str]:
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir():
                for f in sorted(sub.iterdir()):
                    if f.is_file() and not f.name.startswith("."):
                        yield f.name

    def clean_tmp(self) -> int:
        """Remove leftovers of interrupted writes (at start-up, before serving)."""
        n = 0
        for f in self.tmp.iterdir():
            with contextlib.suppress(OSError):
                if f.is_dir():
                    import shutil

                    shutil.rmtree(f)
                else:
                    f.unlink()
                n += 1
        return n


class BlobWriter:
    def __init__(self, store: BlobStore, tmp: Path, limit: int | None) -> None:
        self.store = store
        self.tmp = tmp
        self.limit = limit
        self.size = 0
        self.blob: Blob | None = None
        self._hash = hashlib.sha256()
        self._fh = open(tmp, "xb")  # noqa: SIM115 - closed in commit/discard

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.limit is not None and self.size > self.limit:
            raise BlobTooLarge(self.limit)
        self._hash.update(chunk)
        self._fh.write(chunk)

    def commit(self) -> None:
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        sha = self._hash.hexdigest()
        final = self.store.path(sha)
        if final.is_file():
            self.tmp.unlink()
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp, final)  # never a half-written blob under its name
            _fsync_dir(final.parent)
        self.blob = Blob(sha, self.size)

    def discard(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        with contextlib.suppress(FileNotFoundError):
            self.tmp.unlink()

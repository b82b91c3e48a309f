"""Source files on disk: which files a PATH argument means, and their audit facts."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from .types import SourceFacts

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def _is_candidate(path: Path) -> bool:
    name = path.name
    if name.startswith(("~$", ".~lock", ".")):  # Office/LibreOffice lock files, our temporaries
        return False
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def expand_paths(paths: Iterable[str | Path], *, exclude: Sequence[Path] = ()) -> list[Path]:
    """Files named directly, plus the workbooks inside named folders (recursively), sorted.

    `exclude` (the master, the outputs) is left out; a file named twice counts once.
    Paths that do not exist are returned as they are: the validator reports them.
    """
    skip = {p.resolve() for p in exclude}
    seen: set[Path] = set()
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        found = sorted(p for p in path.rglob("*") if p.is_file() and _is_candidate(p)) if path.is_dir() else [path]
        for p in found:
            key = p.resolve()
            if key in skip or key in seen:
                continue
            seen.add(key)
            out.append(p)
    return out


def file_facts(path: Path) -> SourceFacts | None:
    """SHA-256, size and modification time of a file; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        stat = path.stat()
    except OSError:
        return None
    mtime = datetime.fromtimestamp(int(stat.st_mtime))
    return SourceFacts(path, path.name, digest.hexdigest(), stat.st_size, mtime)


def display_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A unique, short name per path: the file name, or more of the path when names clash."""
    names: dict[Path, str] = {}
    by_name: dict[str, list[Path]] = {}
    for p in paths:
        by_name.setdefault(p.name, []).append(p)
    for name, group in by_name.items():
        if len(group) == 1:
            names[group[0]] = name
            continue
        depth = 2
        while True:
            labels = {p: "/".join(p.parts[-depth:]) for p in group}
            if len(set(labels.values())) == len(group) or depth > 20:
                names.update(labels)
                break
            depth += 1
    return names

"""Source files on disk: which files a PATH argument means, and their audit facts."""

from __future__ import annotations

import hashlib
import os
import stat as stat_module
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

from barometro.names import display_name

from .types import SourceFacts


def expand_inputs(paths: Iterable[str | Path], *, exclude: Sequence[Path] = ()) -> tuple[list[Path], list]:
    """The files to consolidate and the folder entries left out (with the reason): the same
    selection as `barometro validate` (`validators.collect_inputs`), through sub-folders.

    `exclude` (the master, the outputs) is left out; a file named twice counts once.
    Paths that do not exist are returned as they are: the validator reports them."""
    from barometro.validators.validate import collect_inputs

    skip = {real_path(p) for p in exclude}
    files, skipped = collect_inputs(paths, recursive=True)
    out: list[Path] = []
    seen: set[Path] = set()
    for p in files:
        key = real_path(p)
        if key in skip or key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out, skipped


def expand_paths(paths: Iterable[str | Path], *, exclude: Sequence[Path] = ()) -> list[Path]:
    """The files `expand_inputs` selects."""
    return expand_inputs(paths, exclude=exclude)[0]


def real_path(path: str | Path) -> Path:
    """The path with its links followed, never raising (a link loop stays as it is)."""
    return Path(os.path.realpath(path))


def file_facts(path: Path) -> SourceFacts | None:
    """SHA-256, size and modification time of a file; None when it cannot be read."""
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            stat = os.fstat(fh.fileno())
            if not stat_module.S_ISREG(stat.st_mode):
                return None  # a FIFO would block the run, a device never end
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    except OSError:
        return None
    mtime = datetime.fromtimestamp(int(stat.st_mtime))
    return SourceFacts(path, display_name(path.name), digest.hexdigest(), stat.st_size, mtime)


def display_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A unique, short name per path: the file name, or more of the path when names clash;
    written by `display_name` (any bytes, no control character), so every output can hold it."""
    names: dict[Path, str] = {}
    by_name: dict[str, list[Path]] = {}
    for p in paths:
        by_name.setdefault(display_name(p.name), []).append(p)
    for name, group in by_name.items():
        if len(group) == 1:
            names[group[0]] = name
            continue
        depth = 2
        while True:
            labels = {p: display_name("/".join(p.parts[-depth:])) for p in group}
            if len(set(labels.values())) == len(group) or depth > 20:
                names.update(labels)
                break
            depth += 1
    taken: set[str] = set()
    for p in paths:  # two raw names that display alike (a byte and its escape): numbered
        label, n = names[p], 2
        while label in taken:
            label, n = f"{names[p]} ({n})", n + 1
        names[p] = label
        taken.add(label)
    return names

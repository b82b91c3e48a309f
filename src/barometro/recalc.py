"""Recalculate workbooks with LibreOffice headless: one `soffice` call for many files.

LibreOffice keeps the cached values an xlsx carries (stale or not) unless told
otherwise, so every call runs with a private profile whose
`OOXMLRecalcMode` is 0 ("always recalculate on load"). Inputs are never
modified: they are copied to a private folder, converted there, and the
results moved into `outdir` atomically.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from barometro.atomic import atomic_path
from barometro.messages import text
from barometro.xlsx_package import rewrite, sheet_parts

XLSX_FILTER = "xlsx:Calc MS Excel 2007 XML"

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
</oor:items>
"""


class RecalcError(RuntimeError):
    """LibreOffice missing, too slow, or failing; the message says which, in Italian."""


def soffice_path() -> str | None:
    """The LibreOffice executable on PATH (or $BAROMETRO_SOFFICE), or None."""
    override = os.environ.get("BAROMETRO_SOFFICE")
    if override:
        return override if Path(override).exists() or shutil.which(override) else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def soffice_env(home: Path) -> dict[str, str]:
    """The environment LibreOffice runs in: this one with `home` as HOME, the headless display
    plugin, and without the Python of a virtual environment. LibreOffice's own Python (the
    Barometro extension's, and any Python component) looks for `python3` on PATH to find its
    standard library: a virtual environment's, first on PATH when activated, is another
    Python's build, and LibreOffice then fails creating any document (std::bad_alloc)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH")}
    venvs = {os.environ.get("VIRTUAL_ENV", ""), sys.prefix if sys.prefix != sys.base_prefix else ""} - {""}
    skip = {str(Path(v, "bin")) for v in venvs} | {str(Path(v, "Scripts")) for v in venvs}
    env["PATH"] = os.pathsep.join(d for d in env.get("PATH", "").split(os.pathsep) if d.rstrip("/\\") not in skip)
    env.update(SAL_USE_VCLPLUGIN="svp", HOME=str(home))
    return env


def write_profile(profile_dir: Path) -> Path:
    """A LibreOffice user profile that always recalculates xlsx/ods on load."""
    user = profile_dir / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(_REGISTRY, encoding="utf-8")
    return profile_dir


def _kill(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.wait()


_VIEWS = re.compile(rb"<(?:\w+:)?sheetViews\b.*?</(?:\w+:)?sheetViews>|<(?:\w+:)?sheetViews\b[^>]*/>", re.S)


def restore_views(source: Path, produced: Path) -> None:
    """Put back each sheet's view settings (frozen panes, the selected cell, zoom) from `source`:
    LibreOffice writes no view of a document it converted headless. `produced` is our own
    conversion output, rewritten in place; sheets are matched by name."""
    try:
        with zipfile.ZipFile(source) as zf:
            views = {}
            for name, part in sheet_parts(zf).items():
                m = _VIEWS.search(zf.read(part)) if part in zf.NameToInfo else None
                if m:
                    views[name] = m.group(0)
        with zipfile.ZipFile(produced) as zf:
            targets = {part: views[name] for name, part in sheet_parts(zf).items() if name in views}
    except (zipfile.BadZipFile, KeyError, OSError):
        return  # not an xlsx we can read: nothing to restore

    def transform(name: str, data: bytes) -> bytes:
        view = targets.get(name)
        if view is None or not _VIEWS.search(data):
            return data
        return _VIEWS.sub(lambda _m: view, data, count=1)

    rewrite(produced, transform)


def recalculate(paths: list[Path], outdir: Path, *, timeout: float = 120) -> list[Path]:
    """Recalculate `paths` with one LibreOffice run; return `outdir/<name>` for each, in order.

    Two inputs with the same file name cannot go to the same `outdir`
    (ValueError). Raises RecalcError when soffice is missing, times out (it is
    killed) or fails to produce a file.
    """
    paths = [Path(p) for p in paths]
    outdir = Path(outdir)
    if not paths:
        return []
    names = [p.name for p in paths]
    if len(set(names)) != len(names):
        raise ValueError("recalculate: two inputs share a file name; use separate output folders")
    inputs = {p.resolve() for p in paths}
    if any((outdir / (p.stem + ".xlsx")).resolve() in inputs for p in paths):
        raise ValueError("recalculate: the output would overwrite an input; choose another outdir")
    for p in paths:
        if not p.is_file():
            raise RecalcError(text("template.recalc.missing_input", path=p))
    exe = soffice_path()
    if exe is None:
        raise RecalcError(text("template.recalc.missing"))
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="barometro-recalc-") as tmp_name:
        tmp = Path(tmp_name)
        profile = write_profile(tmp / "profile")
        src_dir, conv_dir = tmp / "in", tmp / "out"
        src_dir.mkdir()
        conv_dir.mkdir()
        staged = []
        for i, p in enumerate(paths):
            # ascii, unique names: LibreOffice derives the output name from the input's
            staged_path = src_dir / f"f{i:05d}{p.suffix.lower() or '.xlsx'}"
            shutil.copyfile(p, staged_path)
            staged.append(staged_path)
        cmd = [
            exe, f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless", "--invisible", "--nologo", "--norestore", "--nodefault", "--nolockcheck",
            "--convert-to", XLSX_FILTER, "--outdir", str(conv_dir), *map(str, staged),
        ]
        env = soffice_env(tmp)
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise RecalcError(text("template.recalc.timeout", seconds=float(timeout))) from None
        detail = (err or out or b"").decode("utf-8", "replace").strip()[-500:]
        if proc.returncode != 0:
            raise RecalcError(text("template.recalc.failed", code=proc.returncode, detail=detail))
        results: list[Path] = []
        for original, staged_path in zip(paths, staged, strict=True):
            produced = conv_dir / (staged_path.stem + ".xlsx")
            if not produced.is_file() or produced.stat().st_size == 0:
                raise RecalcError(text("template.recalc.no_output", name=original.name, detail=detail))
            restore_views(original, produced)
            target = outdir / (original.stem + ".xlsx")
            with atomic_path(target) as out_tmp:
                shutil.move(str(produced), out_tmp)
            results.append(target)
    return results

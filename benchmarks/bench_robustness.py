"""Robustness benchmark: a generated corpus of real-software, altered and hostile files.

    python benchmarks/bench_robustness.py [--small] [--no-software] [--keep DIR] [--parallel 1]

Builds the small two-sector plan's templates, fills them and recalculates them with
LibreOffice, writes the corpus of `tests/support/hostile_corpus.py` from the clean
return (LibreOffice, Gnumeric, openpyxl, XlsxWriter, xlwt, msoffcrypto files; altered
copies; hostile files; a FIFO and links), then:

* runs, for every file, `barometro validate FILE --master M --format json --annotate DIR
  --report R.xlsx` in a child process of its own (empty working folder), measuring its
  wall time and its peak memory (RSS high-water mark from wait4), and checks its exit
  code (0 or 1), that stderr holds no traceback, that stdout is one strict JSON document
  (no NaN) reporting that file;
* runs one batch over the whole folder (`validate DIR -j 2` with --annotate and --report,
  in the C locale and in C.UTF-8) and checks that every folder entry is reported
  (validated or skipped), then `consolidate DIR` into a workbook and an HTML page and
  checks that no text from a return became a formula;
* checks that no input changed and nothing was written outside the working folders.

Prints one table: files by group, worst time and worst peak memory of any one file
(targets 10 s and 500 MB), crashes, tracebacks, invalid JSON documents, modified inputs,
unreported entries (targets 0). Exit code 0 when every target holds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

TIME_TARGET = 10.0
MEMORY_TARGET_MB = 500.0


@dataclass
class Outcome:
    name: str
    group: str
    kind: str
    seconds: float
    peak_mb: float
    exit_code: int
    crash: bool
    traceback: bool
    json_ok: bool
    reported: bool
    codes: tuple[str, ...]
    expected_ok: bool
    note: str = ""


def prepare(work: Path) -> tuple[Path, Path]:
    """The master and the clean, recalculated return of sector A."""
    from validator_plans import SECTOR_A, VALUES, small_plan

    from barometro.recalc import recalculate
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    res = build_templates(small_plan(), load_profile("cremona"), work / "modelli")
    src = res.sectors[SECTOR_A]
    filled = fill_workbook(src, work / "compilati" / src.name, VALUES).path
    (clean,) = recalculate([filled], work / "ricalcolati")
    return res.master, clean


def _strict_json(text: str) -> dict | None:
    def bad_constant(name: str) -> None:
        raise ValueError(name)

    try:
        doc = json.loads(text, parse_constant=bad_constant)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


# The child writes its own high-water mark (VmHWM) when it exits: the ru_maxrss that wait4
# reports for a forked child starts from the parent's size at fork time, which would
# measure this benchmark instead of the file.
_BOOT = """
import atexit, os, sys
def _hwm():
    with open('/proc/self/status') as fh:
        kb = next((line.split()[1] for line in fh if line.startswith('VmHWM:')), '0')
    with open(os.environ['BENCH_HWM'], 'w') as out:
        out.write(kb)
atexit.register(_hwm)
from barometro.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def _child(args: list[str], cwd: Path, env: dict[str, str], timeout: float,
           tree: bool = False) -> tuple[int, str, str, float, float]:
    """Run `barometro ARGS` in `cwd`: (exit code, stdout, stderr, seconds, peak MB). The peak is
    the child's own high-water mark, or with `tree` the largest RSS of it and its workers
    together, sampled every 50 ms."""
    from measure import rss_tree_mb

    out_path, err_path, hwm_path = cwd / ".stdout", cwd / ".stderr", cwd / ".hwm"
    start = time.perf_counter()
    sampled = 0.0
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-c", _BOOT, *args], cwd=cwd, env={**env, "BENCH_HWM": str(hwm_path)},
                                stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if tree:
                sampled = max(sampled, rss_tree_mb(proc.pid))
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05 if tree else 0.01)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    stdout = out_path.read_bytes().decode("utf-8", errors="replace")
    stderr = err_path.read_bytes().decode("utf-8", errors="replace")
    try:
        peak = int(hwm_path.read_text() or 0) / 1024
        hwm_path.unlink()
    except (OSError, ValueError):
        peak = usage.ru_maxrss / 1024  # killed before it could say: an upper bound
    out_path.unlink()
    err_path.unlink()
    return code, stdout, stderr, seconds, max(peak, sampled)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("BAROMETRO_DEBUG",)}
    env.update({"BAROMETRO_LANG": "it", "PYTHONPATH": str(REPO / "src"), **extra})
    return env


def run_one(case, corpus: Path, master: Path, scratch: Path, n: int) -> Outcome:
    from barometro.names import display_name

    cwd = scratch / f"w{n:04d}"
    cwd.mkdir()
    path = corpus / case.name
    args = ["validate", os.fspath(path), "--master", os.fspath(master), "--format", "json",
            "--annotate", "annotati", "--report", "esito.xlsx", "--jobs", "1", "--no-progress"]
    code, stdout, stderr, seconds, peak = _child(args, cwd, _env(), timeout=120)
    doc = _strict_json(stdout)
    crash = code not in (0, 1)
    tb = "Traceback" in stderr
    codes: tuple[str, ...] = ()
    reported = False
    if doc is not None:
        files = doc.get("files", [])
        reported = len(files) == 1 and files[0].get("path") == display_name(os.fspath(path))
        if files:
            codes = tuple(f["code"] for f in files[0].get("findings", []))
            serious = [f for f in files[0].get("findings", []) if f["severity"] != "informazione"]
        else:
            serious = []
        expected_ok = (not case.expect) or any(
            (e == "" and not serious) or e in codes for e in case.expect)
    else:
        expected_ok = False
    note = "" if not (crash or tb) else (stderr.strip().splitlines() or ["?"])[-1][:160]
    shutil.rmtree(cwd, ignore_errors=True)
    return Outcome(case.name, case.group, case.kind, seconds, peak, code, crash, tb, doc is not None, reported,
                   codes, expected_ok, note)


def run_batch(corpus: Path, master: Path, scratch: Path, entries: list[str], locale: str) -> dict[str, object]:
    from barometro.names import display_name

    cwd = scratch / f"batch-{locale}"
    cwd.mkdir()
    args = ["validate", os.fspath(corpus), "--master", os.fspath(master), "--format", "json",
            "--annotate", "annotati", "--report", "esito.xlsx", "--jobs", "2", "--no-progress"]
    code, stdout, stderr, seconds, peak = _child(args, cwd, _env(LC_ALL=locale), timeout=1800, tree=True)
    doc = _strict_json(stdout)
    listed: set[str] = set()
    if doc is not None:
        listed = {f["path"] for f in doc["files"]} | {s["path"] for s in doc.get("skipped", [])}
    missing = [e for e in entries if display_name(os.fspath(corpus / e)) not in listed]
    return {"exit": code, "seconds": seconds, "peak": peak, "json_ok": doc is not None,
            "traceback": "Traceback" in stderr, "missing": missing,
            "files": len(doc["files"]) if doc else 0, "skipped": len(doc.get("skipped", [])) if doc else 0,
            "report": (cwd / "esito.xlsx").exists(), "stderr": stderr[-400:] if code not in (0, 1) else ""}


def run_consolidate(corpus: Path, master: Path, scratch: Path, prefer: str) -> dict[str, object]:
    cwd = scratch / "consolidate"
    cwd.mkdir()
    args = ["consolidate", os.fspath(corpus), "--master", os.fspath(master), "-o", "relazione.xlsx",
            "--html", "relazione.html", "--include-errors", "--prefer", prefer, "--jobs", "2"]
    code, stdout, stderr, seconds, peak = _child(args, cwd, _env(), timeout=1800, tree=True)
    formulas_from_text = None
    if (cwd / "relazione.xlsx").exists():
        from openpyxl import load_workbook

        wb = load_workbook(cwd / "relazione.xlsx")
        builder_sheets = [ws for ws in wb.worksheets if ws.title not in ("Settori", "Provenienza", "Verifiche",
                                                                          "Fonti")]
        formulas_from_text = sum(
            1 for ws in wb.worksheets if ws not in builder_sheets
            for row in ws.iter_rows() for c in row if c.data_type == "f")
        note_col = [ws["K"] for ws in builder_sheets if ws.max_row >= 6]
        formulas_from_text += sum(1 for col in note_col for c in col if c.row >= 6 and c.data_type == "f")
    return {"exit": code, "seconds": seconds, "peak": peak, "traceback": "Traceback" in stderr,
            "written": (cwd / "relazione.xlsx").exists() and (cwd / "relazione.html").exists(),
            "formulas_from_text": formulas_from_text, "stderr": stderr[-400:] if code not in (0, 1) else ""}


def _snapshot(folder: Path) -> dict[str, object]:
    from hostile_corpus import file_digest

    out: dict[str, object] = {}
    for entry in sorted(os.listdir(folder)):
        p = folder / entry
        out[entry] = file_digest(p) or ("link" if p.is_symlink() else "other")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true", help="one file of each family, small bombs (a smoke run)")
    ap.add_argument("--no-software", action="store_true", help="skip the LibreOffice/Gnumeric conversions")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and outputs in this folder")
    ap.add_argument("--parallel", type=int, default=1, help="files measured at once (1: cleanest figures)")
    args = ap.parse_args(argv)

    from hostile_corpus import build_corpus, special_entries

    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_robustness_"))
    root.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    master, clean = prepare(root / "base")
    corpus = root / "corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    cases = build_corpus(clean, corpus, small=args.small, software=not args.no_software)
    cases += special_entries(corpus)
    built = time.perf_counter() - t0
    before = _snapshot(corpus)
    outside_before = sorted(os.listdir(root))
    scratch = root / "scratch"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    t1 = time.perf_counter()
    singles = [c for c in cases if not (corpus / c.name).is_dir()]  # a folder is a batch of nothing: see batches
    with ThreadPoolExecutor(max_workers=max(1, args.parallel)) as pool:
        outcomes = list(pool.map(lambda nc: run_one(nc[1], corpus, master, scratch, nc[0]), enumerate(singles)))
    per_file = time.perf_counter() - t1
    entries = sorted(os.listdir(corpus))
    batches = {loc: run_batch(corpus, master, scratch, entries, loc) for loc in ("C", "C.UTF-8")}
    cons = run_consolidate(corpus, master, scratch, "nota-hyperlink.xlsx" if not args.small else "nota-uguale.xlsx")
    after = _snapshot(corpus)
    modified = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    outside = sorted(set(os.listdir(root)) - set(outside_before) - {"scratch"})

    groups = Counter(c.group for c in cases)
    worst_t = max(outcomes, key=lambda o: o.seconds)
    worst_m = max(outcomes, key=lambda o: o.peak_mb)
    crashes = [o for o in outcomes if o.crash]
    tracebacks = [o for o in outcomes if o.traceback]
    bad_json = [o for o in outcomes if not o.json_ok]
    unreported = [o for o in outcomes if not o.reported]
    unexpected = [o for o in outcomes if not o.expected_ok]
    batch_missing = sum(len(b["missing"]) for b in batches.values())
    batch_bad = [loc for loc, b in batches.items() if b["exit"] not in (0, 1) or not b["json_ok"] or b["traceback"]]

    print("## Robustness benchmark")
    print()
    print(f"Corpus: {len(cases)} files ({', '.join(f'{g} {n}' for g, n in sorted(groups.items()))}), "
          f"built in {built:.0f} s; each file validated, annotated and reported by `barometro validate` "
          f"in a child process of its own ({per_file:.0f} s in all).")
    print()
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| worst time of one file | {worst_t.seconds:.2f} s ({worst_t.name}) | ≤ {TIME_TARGET:.0f} s |")
    print(f"| worst peak memory of one file | {worst_m.peak_mb:.0f} MB ({worst_m.name}) | ≤ {MEMORY_TARGET_MB:.0f} MB |")
    median = sorted(o.seconds for o in outcomes)[len(outcomes) // 2]
    print(f"| median time of one file (process start included) | {median:.2f} s | |")
    print(f"| crashes (exit code not 0/1) | {len(crashes)} | 0 |")
    print(f"| tracebacks on stderr | {len(tracebacks)} | 0 |")
    print(f"| invalid JSON documents | {len(bad_json)} | 0 |")
    print(f"| files not reported in their own run | {len(unreported)} | 0 |")
    print(f"| modified inputs | {len(modified)} | 0 |")
    print(f"| entries written outside the working folders | {len(outside)} | 0 |")
    for loc, b in batches.items():
        print(f"| batch over the folder, LC_ALL={loc} (-j 2) | exit {b['exit']}, {b['seconds']:.0f} s, "
              f"{b['files']} validated + {b['skipped']} skipped of {len(entries)} entries, "
              f"{len(b['missing'])} not reported, peak {b['peak']:.0f} MB | every entry reported |")
    print(f"| consolidate over the folder | exit {cons['exit']}, {cons['seconds']:.0f} s, outputs "
          f"{'written' if cons['written'] else 'NOT written'}, formulas from returned text: "
          f"{cons['formulas_from_text']} | 0 |")
    print(f"| files whose findings miss the expected code | {len(unexpected)} | (informative) |")
    for o in (*crashes, *tracebacks, *bad_json, *unreported):
        print(f"  ! {o.name!r}: exit {o.exit_code} json={o.json_ok} reported={o.reported} {o.note}")
    for o in unexpected:
        print(f"  ? {o.name!r} ({o.kind}): {', '.join(o.codes[:6]) or 'no finding'}")
    for loc, b in batches.items():
        for m in b["missing"]:
            print(f"  ! batch {loc}: {m!r} not reported")
        if b["stderr"]:
            print(f"  ! batch {loc}: {b['stderr']}")
    if cons["stderr"]:
        print(f"  ! consolidate: {cons['stderr']}")
    for m in modified:
        print(f"  ! modified: {m!r}")
    print()
    print("| file | group | seconds | peak MB | exit | codes |")
    print("|---|---|---|---|---|---|")
    for o in sorted(outcomes, key=lambda o: -o.seconds)[:12]:
        print(f"| {o.name[:40]!r} | {o.group} | {o.seconds:.2f} | {o.peak_mb:.0f} | {o.exit_code} | "
              f"{' '.join(o.codes[:4])} |")
    ok = (worst_t.seconds <= TIME_TARGET and worst_m.peak_mb <= MEMORY_TARGET_MB and not crashes
          and not tracebacks and not bad_json and not unreported and not modified and not outside
          and not batch_missing and not batch_bad and cons["exit"] in (0, 1) and cons["written"]
          and not cons["formulas_from_text"] and not cons["traceback"])
    if args.keep is None:
        shutil.rmtree(root, ignore_errors=True)
    print()
    print("all targets met" if ok else "TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

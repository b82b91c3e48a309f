"""Benchmark of `barometro validate` on many sector returns of the Cremona 2021 plan.

    python benchmarks/bench_validate.py [--sizes 14,200,2000] [--jobs 2] [--baseline-files 40] [--floor-files 200]
                                        [--instructions 20]

Builds the 14 sector templates from the real plan, fills them with the 2021
actuals, recalculates them with LibreOffice (one soffice call), then makes N
copies with a known mix of defects by editing the XML (cached values kept) and
validates them with `validate_paths(..., jobs=2)`. Peak memory is the largest
sum of RSS over this process and its children, sampled every 20 ms. The
baseline reads each file twice with openpyxl (formulas, then data_only), turns
it into the same Book and runs the same checks; it is timed on a subset and
extrapolated linearly (said in the table).

The floor: per file, in this one process, on the same returns, interleaved
round by round (best round of each kept): python-calamine opening the file and
reading every sheet's values (the fastest xlsx reader there is for Python; it
reads less than the validator needs: no formulas, styles, validations or
protection), Barometro's reader alone (`read_book`), and `validate_file`
(reading and every check). The ratio to calamine is printed. `--instructions N`
counts the same three in instructions under valgrind (a figure the machine's
load does not move, where times here vary by a third from hour to hour).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from measure import PeakSampler

DEFECTS = ("clean", "formula_value", "text_number", "stale", "row_deleted", "hidden", "clean", "clean")


def prepare(work: Path) -> tuple[Path, list[Path]]:
    from barometro.legacy import import_report
    from barometro.recalc import recalculate
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    seed = Path(__file__).resolve().parents[1] / "src/barometro/data/cremona_relazione_performance_2021.txt"
    settings = load_profile("cremona")
    result = import_report(seed, settings)
    plan = result.plan
    res = build_templates(plan, settings, work / "modelli")
    values = {i.id: (i.actual, i.note or "nota") for i in plan.indicators}
    filled = []
    for _sector, path in res.sectors.items():
        out = work / "compilati" / path.name
        out.parent.mkdir(parents=True, exist_ok=True)
        filled.append(fill_workbook(path, out, values).path)
    recalced = recalculate(filled, work / "ricalcolati")
    return res.master, recalced


def make_returns(sources: list[Path], n: int, outdir: Path) -> dict[str, int]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "support"))
    from xlsx_damage import Workbook

    from barometro.validators.reader import read_book

    outdir.mkdir(parents=True, exist_ok=True)
    mix: dict[str, int] = {}
    first_sheet = {}
    for src in sources:
        book = read_book(src)
        first_sheet[src] = next(s.name for s in book.sheets if s.name not in ("Istruzioni", "Riepilogo", "_barometro"))
    for i in range(n):
        src = sources[i % len(sources)]
        defect = DEFECTS[i % len(DEFECTS)]
        mix[defect] = mix.get(defect, 0) + 1
        out = outdir / f"ritorno_{i:05d}.xlsx"
        if defect == "clean":
            shutil.copy(src, out)
            continue
        wb = Workbook.load(src)
        sheet = first_sheet[src]
        if defect == "formula_value":
            wb.set_value(sheet, "M6", 100)
        elif defect == "text_number":
            wb.set_value(sheet, "I6", "4.580")
        elif defect == "stale":
            wb.set_cached(sheet, "J6", 12345)
        elif defect == "row_deleted":
            wb.delete_row(sheet, 6)
        elif defect == "hidden":
            wb.set_sheet_state(sheet, "hidden")
        wb.save(out)
    return mix


def book_via_openpyxl(path: Path):
    """The baseline reader: openpyxl twice (formulas, then cached values)."""
    from openpyxl import load_workbook

    from barometro.validators.book import Book, Cell, Sheet, SheetState, ValueKind

    wf = load_workbook(path)
    wv = load_workbook(path, data_only=True)
    book = Book(str(path))
    for ws in wf.worksheets:
        vs = wv[ws.title]
        sheet = Sheet(ws.title, SheetState(ws.sheet_state), bool(ws.protection.sheet))
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                v = vs.cell(row=c.row, column=c.column).value
                formula = c.value if isinstance(c.value, str) and c.value.startswith("=") else None
                value = v if formula else c.value
                kind = (ValueKind.EMPTY if value is None else ValueKind.NUMBER if isinstance(value, int | float)
                        and not isinstance(value, bool) else ValueKind.BOOL if isinstance(value, bool) else ValueKind.TEXT)
                if kind is ValueKind.NUMBER:
                    value = float(value)
                sheet.cells[(c.row, c.column)] = Cell(c.row, c.column, value, kind, formula)
                sheet.max_row = max(sheet.max_row, c.row)
        book.sheets.append(sheet)
    return book


def baseline(paths: list[Path], master: Path) -> float:
    from barometro.validators.context import CheckContext
    from barometro.validators.identify import expected_for, load_master
    from barometro.validators.registry import run_checks

    minfo = load_master(master)
    start = time.perf_counter()
    for p in paths:
        book = book_via_openpyxl(p)
        exp = expected_for(book, str(p), minfo, None)
        ctx = CheckContext(str(p), book, exp.meta, exp.identity, exp.settings, exp.layout, minfo, exp.protected)
        list(run_checks(ctx))
    return time.perf_counter() - start


def _calamine(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


def floor(paths: list[Path], master: Path, rounds: int = 7) -> dict[str, float]:
    """ms per file (best of `rounds`, interleaved) of calamine, read_book and validate_file."""
    from barometro.validators import load_master, validate_file
    from barometro.validators.reader import read_book

    info = load_master(master)
    runs = {"calamine": _calamine, "read_book": read_book,
            "validate_file": lambda p: validate_file(p, master=info)}
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(rounds):
        for name, fn in runs.items():
            start = time.perf_counter()
            for p in paths:
                fn(p)
            best[name] = min(best[name], (time.perf_counter() - start) / len(paths) * 1000)
    return best


_COUNTED = """
import os
import sys
from pathlib import Path

from python_calamine import CalamineWorkbook

from barometro.validators import load_master, validate_file
from barometro.validators.reader import read_book

paths = [Path(p) for p in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()]
info = load_master(paths.pop(0))


def calamine(p):
    wb = CalamineWorkbook.from_path(str(p))
    for name in wb.sheet_names:
        wb.get_sheet_by_name(name).to_python()


runs = {"calamine": calamine, "read_book": read_book, "validate_file": lambda p: validate_file(p, master=info)}
for run in runs.values():
    run(paths[0])  # imports and first-use caches, set apart with the start-up
os.getppid()  # callgrind dumps its counts after each getppid (and starts again from zero)
for run in runs.values():
    for p in paths[1:]:
        run(p)
    os.getppid()
"""
MODES = ("calamine", "read_book", "validate_file")


def instructions(paths: list[Path], master: Path, tmp: Path) -> dict[str, float]:
    """Instructions per file counted by valgrind's callgrind (which the machine's load does not
    change), the three modes in one process: callgrind dumps its counts after each `getppid`
    the script calls, once past the start-up and once after each mode's files."""
    import os
    import re
    import subprocess

    listing = tmp / "counted.txt"
    listing.write_text("\n".join(map(str, [master, paths[0], *paths])), encoding="utf-8")
    out = tmp / "callgrind"
    out.mkdir(exist_ok=True)
    subprocess.run(["valgrind", "--tool=callgrind", "--dump-after=getppid", f"--callgrind-out-file={out / 'cg'}",
                    sys.executable, "-c", _COUNTED, str(listing)], capture_output=True, check=True,
                   env={**os.environ, "PYTHONHASHSEED": "0"})  # string hashes (and so the counts) fixed
    counts = [int(re.search(r"^summary: (\d+)", (out / f"cg.{n}").read_text(), re.M).group(1))
              for n in range(2, 2 + len(MODES))]  # cg.1 is the start-up
    return {mode: count / len(paths) for mode, count in zip(MODES, counts, strict=True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="14,200,2000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--baseline-files", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3, help="runs per size; the median is reported")
    ap.add_argument("--floor-files", type=int, default=200, help="returns timed against python-calamine")
    ap.add_argument("--instructions", type=int, default=0, metavar="N",
                    help="also count the instructions of N returns under valgrind (0: not counted)")
    args = ap.parse_args()
    from barometro.validators import validate_paths

    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench_validate_") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        master, sources = prepare(work)
        print(f"# prepared {len(sources)} recalculated sector returns in {time.perf_counter() - t0:.1f} s")
        rows = []
        per_file_ours = 0.0
        for n in sizes:
            d = work / f"n{n}"
            mix = make_returns(sources, n, d)
            times = []
            with PeakSampler() as sampler:
                for _ in range(max(1, args.repeat)):
                    start = time.perf_counter()
                    report = validate_paths([d], master=master, jobs=args.jobs)
                    times.append(time.perf_counter() - start)
            secs = statistics.median(times)
            spread = f"{min(times):.2f}–{max(times):.2f} s"
            errors = sum(1 for f in report.files if f.status.value == "errori")
            clean = mix.get("clean", 0)
            # Many copies per sector: R020 (duplicate return) is expected; anything else is not.
            ok = sum(1 for f in report.files if f.status.value in ("ok", "avvisi"))
            # Each injected defect is an error; clean copies carry at most the real data's
            # warnings (962 vs 90 and 878 vs 80 are in the 2021 actuals) and R020.
            assert errors == n - clean, f"{errors} files with errors, {n - clean} damaged copies"
            per_file_ours = secs / n
            rows.append((n, secs, n / secs, sampler.peak, errors, ok, spread))
            print(f"# N={n}: median {secs:.2f} s ({spread}), {n / secs:.0f} returns/s, peak {sampler.peak:.0f} MB, "
                  f"{errors} with errors, {ok} ok (mix {mix})")
        everything = sorted((work / f"n{sizes[-1]}").glob("*.xlsx"))
        ms = floor(everything[: args.floor_files], master)
        print()
        print(f"| per file, one process ({min(args.floor_files, len(everything))} returns, best of 7) | ms | × calamine |")
        print("|---|---:|---:|")
        for name, label in (("calamine", "python-calamine, every sheet's values (the floor)"),
                            ("read_book", "Barometro's reader (`read_book`)"),
                            ("validate_file", "`validate_file` (reading and every check)")):
            print(f"| {label} | {ms[name]:.2f} | {ms[name] / ms['calamine']:.1f}× |")
        print(f"\nvalidate per file / calamine: {ms['validate_file'] / ms['calamine']:.1f}× (target ≤ 3×)")
        if args.instructions:
            counted = instructions(everything[: args.instructions], master, work)
            print(f"\n| per file, instructions (valgrind, {args.instructions} returns) | millions | × calamine |")
            print("|---|---:|---:|")
            for name, label in (("calamine", "python-calamine"), ("read_book", "`read_book`"),
                                ("validate_file", "`validate_file`")):
                print(f"| {label} | {counted[name] / 1e6:.1f} | {counted[name] / counted['calamine']:.1f}× |")
        sub = everything[: args.baseline_files]
        base = baseline(sub, master) / len(sub)
        print()
        print(f"| returns | `validate --jobs {args.jobs}` (median of {args.repeat}) | range | returns/s | peak RSS (tree) | openpyxl ×2 baseline (1 process) | speed-up |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for n, secs, rate, peak, _e, _o, spread in rows:
            b = base * n
            print(f"| {n} | {secs:.2f} s | {spread} | {rate:.0f} | {peak:.0f} MB | {b:.1f} s* | {b / secs:.1f}× |")
        print()
        print(f"*baseline measured on {len(sub)} files ({base * 1000:.1f} ms/file, one process) and "
              f"extrapolated linearly; ours: {per_file_ours * 1000:.2f} ms/file wall with {args.jobs} workers.")


if __name__ == "__main__":
    main()

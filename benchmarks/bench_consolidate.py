"""Benchmark of `consolidate` on many sector returns.

    python benchmarks/bench_consolidate.py [--returns 2000] [--jobs 2] [--repeat 3] [--pdf]

A synthetic plan with one sector per return (10 strategic lines, one objective
of two indicators per sector) is built with the template builder; each sector
file is filled by editing its sheet XML (fast, and it keeps the file exactly as
the builder wrote it). The mix: 1 % of sectors missing, 1 % sent twice (the
second copy preferred), 1 % with a value typed as words (refused). Generated
files are cached in $TMPDIR/barometro-bench-consolidate-<N>.

Timed: `consolidate(...)` writing the workbook and the HTML page (validation
included), `--repeat` times; the median is reported with the range. Peak memory is the largest sum of RSS over this process and its
children (the validator's worker processes), sampled every 20 ms. `--pdf` also
times the PDF of the Cremona 2021 plan (the PDF grows with the plan, not with
the number of returns).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import tempfile
import time
import zipfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from measure import PeakSampler

LINES = 10


def synthetic_plan(sectors: int):
    from barometro.model import Indicator, Kind, Line, Plan, Polarity

    lines = [Line(f"L{i:02d}", f"LINEA STRATEGICA {i + 1}", f"Linea {i + 1}") for i in range(LINES)]
    inds = []
    for s in range(sectors):
        line = lines[s % LINES]
        for k in range(2):
            inds.append(Indicator(
                id=f"S{s:04d}-{k}", line_id=line.id, objective_id=f"O{s:04d}", owner=f"Dirigente {s}",
                sector=f"Settore {s:04d}", objective=f"Obiettivo del settore {s}", definition="",
                indicator=f"Indicatore {k + 1}", formula_text="n/N*100" if k else "1 = fatto 0 = non fatto",
                purpose="", target=100.0 if k else 1.0, weight=50.0,
                kind=Kind.QUANTITY if k else Kind.BINARY, polarity=Polarity.HIGHER,
            ))
    return Plan("Comune Sintetico", 2021, lines, inds)


def _fill_xml(path: Path, values: dict[int, str]) -> None:
    """Put `values[row]` (XML of the cell content) into column I of the line sheet."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet") and b'<c r="O6"' in data:
                text = data.decode()
                for row, content in values.items():
                    text = re.sub(rf'<c r="I{row}"( s="\d+")?[^>]*?(/>|>.*?</c>)',
                                  lambda m, c=content, r=row: f'<c r="I{r}"{m.group(1) or ""}{c}</c>', text, count=1)
                data = text.encode()
            dst.writestr(info, data)
    os.replace(tmp, path)


def _make(args: tuple[int, str, str, str]) -> str:
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_workbook

    s, kind, out, plan_key = args
    plan = _PLANS[plan_key]
    path = Path(out)
    build_workbook(plan, load_profile("cremona"), path, "settore", f"Settore {s:04d}", generated_at="2022-01-10T09:00:00")
    first = ' t="inlineStr"><is><t>fatto</t></is>' if kind == "error" else "><v>1</v>"
    second = "><v>75</v>" if kind == "draft" else f"><v>{60 + s % 41}</v>"
    _fill_xml(path, {6: first, 7: second})
    return out


_PLANS: dict[str, object] = {}


def prepare(n: int, folder: Path, jobs: int) -> tuple[Path, list[Path], list[str]]:
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_workbook

    plan = synthetic_plan(n)
    _PLANS[str(n)] = plan
    master = folder / "master.xlsx"
    returns = folder / "ritorni"
    marker = folder / "ready"
    step = 100
    missing = set(range(5, n, step))
    twice = set(range(7, n, step))
    errors = set(range(9, n, step))
    tasks = []
    for s in range(n):
        if s in missing:
            continue
        kind = "error" if s in errors else "clean"
        tasks.append((s, kind, str(returns / f"settore_{s:04d}.xlsx"), str(n)))
        if s in twice:
            tasks.append((s, "draft", str(returns / f"settore_{s:04d}_bozza.xlsx"), str(n)))
    tasks = tasks[:n]
    prefer = [str(returns / f"settore_{s:04d}.xlsx") for s in sorted(twice)]
    if not marker.exists():
        returns.mkdir(parents=True, exist_ok=True)
        build_workbook(plan, load_profile("cremona"), master, generated_at="2022-01-10T09:00:00")
        start = time.perf_counter()
        with ProcessPoolExecutor(max_workers=jobs, initializer=_PLANS.update, initargs=({str(n): plan},)) as pool:
            list(pool.map(_make, tasks, chunksize=20))
        print(f"generated {len(tasks)} returns in {time.perf_counter() - start:.1f} s")
        marker.write_text("ok")
    return master, sorted(returns.glob("*.xlsx")), prefer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--returns", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="runs; the median is reported")
    parser.add_argument("--pdf", action="store_true", help="also time the PDF of the Cremona plan")
    args = parser.parse_args()

    from barometro.consolidation import consolidate

    folder = Path(tempfile.gettempdir()) / f"barometro-bench-consolidate-{args.returns}"
    master, files, prefer = prepare(args.returns, folder, args.jobs)
    out = folder / "out"
    out.mkdir(exist_ok=True)
    times = []
    with PeakSampler() as sampler:
        for _ in range(max(1, args.repeat)):
            result = None  # the previous run's result is not held while the next one runs
            gc.collect()
            start = time.perf_counter()
            result = consolidate(files, master=master, output=out / "relazione.xlsx", html=out / "relazione.html",
                                 prefer=prefer, jobs=args.jobs)
            times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    used = sum(1 for f in result.merge.files if f.decision.used)
    missing = sum(1 for r in result.merge.rows if not r.state.returned)
    rows = [
        ("returns consolidated (files)", f"{len(files)}"),
        ("plan: sectors / indicators", f"{len(result.plan.sectors())} / {len(result.plan.indicators)}"),
        ("files used / refused or superseded", f"{used} / {len(files) - used}"),
        ("indicators non pervenuti", f"{missing}"),
        (f"validate + merge + workbook + HTML (median of {len(times)})",
         f"{seconds:.1f} s ({seconds / len(files) * 1000:.1f} ms per return; range {min(times):.1f}–{max(times):.1f} s)"),
        ("peak memory (process + workers)", f"{sampler.peak:.0f} MB"),
        ("workbook size", f"{(out / 'relazione.xlsx').stat().st_size / 1e6:.1f} MB"),
    ]
    if args.pdf:
        rows.append(("PDF of the Cremona 2021 plan", f"{_time_cremona_pdf(folder):.1f} s"))
    print(f"\nbarometro consolidate, {os.cpu_count()} cores, jobs={args.jobs}\n")
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    if seconds > 15:
        print("\nSLOWER than the 15 s target")
    if sampler.peak > 300:
        print("\nABOVE the 300 MB memory target")


def _time_cremona_pdf(folder: Path) -> float:
    """Seconds of the Relazione PDF of the Cremona 2021 year (templates filled with the 2021
    actuals and consolidated; only the PDF is timed)."""
    from importlib import resources

    from barometro.consolidation import consolidate, write_outputs
    from barometro.legacy import import_report
    from barometro.settings import load_profile
    from barometro.workbook_templates.builder import build_templates
    from barometro.workbook_templates.fill import fill_workbook

    settings = load_profile("cremona")
    plan = import_report(resources.files("barometro") / "data" / "cremona_relazione_performance_2021.txt",
                         settings).plan
    root = folder / "cremona"
    built = build_templates(plan, settings, root / "modelli")
    values = {i.id: (i.actual, i.note) for i in plan.indicators}
    for path in built.sectors.values():
        fill_workbook(path, root / "ritorni" / path.name, values)
    result = consolidate([root / "ritorni"], master=built.master, jobs=1)
    start = time.perf_counter()
    write_outputs(result, pdf=root / "relazione.pdf")
    return time.perf_counter() - start


if __name__ == "__main__":
    main()

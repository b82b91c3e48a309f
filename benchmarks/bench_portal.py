"""Benchmark of the portal (`barometro serve`, a real uvicorn process on this machine).

    python benchmarks/bench_portal.py [--concurrent 20] [--rounds 3] [--sectors 200] [--versions 2000]

1. Upload to result: the 14 Cremona sector files (built by the library from the
   2021 report, filled with the 2021 actuals, recalculated by LibreOffice unless
   --no-recalc) are uploaded N at a time (default 20, some sectors twice) to their
   private links; each sample is the time from sending the upload to having the
   validator's JSON back. Baselines in the same run: `barometro validate FILE
   --format json` in a fresh process, and `validate_file` called directly.
2. The dashboard: a second campaign with S sectors and V versions (rows written
   straight into the portal's database, each version carrying a real report),
   timed as the office's HTML page and as `GET /api/v1/campaigns/{id}`.
3. The server's peak memory (process and its worker processes), sampled every 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from measure import rss_tree_mb

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "portal"))

from portal_helpers import (  # noqa: E402
    PASSWORD,
    Server,
    add_user,
    api_token,
    create_cremona_campaign,
    csrf_of,
    fill,
)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    k = max(0, min(len(s) - 1, round(q * (len(s) - 1))))
    return s[k]


class Peak:
    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_tree_mb(self.pid))
            time.sleep(0.02)

    def __enter__(self) -> Peak:
        self._t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._t.join()


def prepare_files(client, campaign: dict, work: Path, recalc: bool) -> dict[str, Path]:  # noqa: ANN001
    work.mkdir(parents=True, exist_ok=True)
    filled = {}
    for i, s in enumerate(campaign["sectors"]):
        blank = work / f"modello_{i:02d}.xlsx"
        blank.write_bytes(client.get(s["template_url"]).content)
        filled[s["sector"]] = fill(blank, work / "compilati" / f"settore_{i:02d}.xlsx")
    if recalc:
        from barometro.recalc import recalculate

        paths = recalculate(list(filled.values()), work / "ricalcolati")
        filled = dict(zip(filled, paths, strict=True))
    return filled


def upload_round(campaign: dict, files: dict[str, Path], n: int) -> list[float]:
    import httpx

    sectors = campaign["sectors"]
    jobs = [sectors[i % len(sectors)] for i in range(n)]
    barrier = threading.Barrier(n)

    def one(s: dict) -> float:
        path = files[s["sector"]]
        data = path.read_bytes()
        with httpx.Client(timeout=120) as c:
            barrier.wait()
            t0 = time.perf_counter()
            r = c.post(s["upload_url"], files={"file": (path.name, data)})
            dt = time.perf_counter() - t0
        assert r.status_code == 200 and r.json()["status"] in ("ok", "avvisi"), r.text[:300]
        return dt

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, jobs))


def baselines(master: Path, sample: Path, repeat: int = 5) -> tuple[float, float]:
    cli = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "barometro.cli.main", "validate", str(sample), "--master", str(master),
                        "--format", "json"], capture_output=True, check=False, timeout=120)
        cli.append(time.perf_counter() - t0)
    from barometro.validators import load_master, validate_file

    m = load_master(master)
    direct = []
    for _ in range(repeat * 4):
        t0 = time.perf_counter()
        validate_file(sample, master=m)
        direct.append(time.perf_counter() - t0)
    return statistics.median(cli), statistics.median(direct)


def big_campaign(data: Path, sectors: int, versions: int, report: dict) -> int:
    """A campaign of `sectors` sectors and `versions` versions written straight into the database."""
    import sqlalchemy as sa

    from barometro.portal import schema as t
    from barometro.portal.config import PortalConfig
    from barometro.portal.storage import Storage, now_iso

    store = Storage(PortalConfig(data_dir=data))
    try:
        dummy = store.blobs.put_bytes(b"benchmark placeholder")
        cid = store.add_campaign(ente="Comune di Prova", year=2021, deadline="2031-03-31", settings_name="cremona",
                                 source=dummy, source_name="piano.xlsx", source_kind="plan", master=dummy,
                                 problems=[], actor="bench",
                                 sectors=[{"name": f"Settore {i:03d}", "slug": f"settore-{i:03d}", "owners": "R",
                                           "indicators": 12, "template_sha": dummy.sha256} for i in range(sectors)],
                                 blobs=[dummy])
        rows = store.sectors(cid)
        text = json.dumps(report, ensure_ascii=False)
        per = max(1, versions // sectors)
        statuses = ("errori", "avvisi", "ok")
        with store.write() as conn:
            batch = []
            for i, s in enumerate(rows):
                for v in range(1, per + 1):
                    batch.append({"sector_id": s.id, "version": v, "sha256": dummy.sha256, "original_name": "r.xlsx",
                                  "size": 1, "uploaded_at": now_iso(), "status": statuses[(i + v) % 3],
                                  "errors": (i + v) % 3 == 0, "warnings": 1, "infos": 0, "report_it": text,
                                  "report_en": text, "seconds": 0.01})
            conn.execute(sa.insert(t.versions), batch)
        return cid
    finally:
        store.close()


def timed_get(client, url: str, n: int = 20) -> float:  # noqa: ANN001
    client.get(url)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append(time.perf_counter() - t0)
        assert r.status_code == 200, r.status_code
    return statistics.median(samples)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--concurrent", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--sectors", type=int, default=200)
    ap.add_argument("--versions", type=int, default=2000)
    ap.add_argument("--no-recalc", action="store_true", help="skip LibreOffice (files then carry warnings)")
    args = ap.parse_args()

    import httpx

    with tempfile.TemporaryDirectory(prefix="barometro-bench-portal-") as tmp:
        root = Path(tmp)
        data = root / "dati"
        add_user(data)
        srv = Server(data)
        try:
            token = api_token(srv.url)
            with httpx.Client(timeout=120) as c:
                campaign = create_cremona_campaign(c, srv.url, token)
                files = prepare_files(c, campaign, root / "file", recalc=not args.no_recalc)
            idle = rss_tree_mb(srv.proc.pid)
            samples: list[float] = []
            with Peak(srv.proc.pid) as peak:
                upload_round(campaign, files, min(args.concurrent, 4))  # warm-up, not counted
                for _ in range(args.rounds):
                    samples += upload_round(campaign, files, args.concurrent)
                # the dashboard
                with httpx.Client(base_url=srv.url, timeout=60) as c:
                    first = next(iter(files.values()))
                    report = c.post(campaign["sectors"][0]["upload_url"],
                                    files={"file": (first.name, first.read_bytes())}).json()
                    cid = big_campaign(data, args.sectors, args.versions, report)
                    page = c.get("/accesso")
                    c.post("/accesso", data={"username": "ufficio", "password": PASSWORD,
                                             "csrf_token": csrf_of(page.text)})
                    html_t = timed_get(c, f"/ufficio/campagne/{cid}")
                    api_t = timed_get(c, f"/api/v1/campaigns/{cid}")
                    rows = c.get(f"/api/v1/campaigns/{cid}").json()["sectors"]
                    assert len(rows) == args.sectors and sum(r["versions"] for r in rows) == \
                        (args.versions // args.sectors) * args.sectors
            master = srv.data / "cache"
            master_file = next(master.glob("master-*.xlsx"))
            cli_t, direct_t = baselines(master_file, next(iter(files.values())))
        finally:
            srv.stop()

    med, p95 = statistics.median(samples), pct(samples, 0.95)
    print(f"Portal benchmark ({os.cpu_count()} cores; {len(samples)} uploads in {args.rounds} rounds of "
          f"{args.concurrent} concurrent; {'recalculated by LibreOffice' if not args.no_recalc else 'not recalculated'})")
    print()
    print("| measure | value | target |")
    print("|---|---:|---:|")
    print(f"| upload to result, median | {med * 1000:.0f} ms | < 1000 ms |")
    print(f"| upload to result, 95th percentile | {p95 * 1000:.0f} ms | < 2000 ms |")
    print(f"| upload to result, max | {max(samples) * 1000:.0f} ms | |")
    print(f"| baseline: `barometro validate FILE --format json`, fresh process (one file) | {cli_t * 1000:.0f} ms | |")
    print(f"| baseline: `validate_file` called directly (one file) | {direct_t * 1000:.1f} ms | |")
    print(f"| dashboard page, {args.sectors} sectors / {args.versions} versions (median of 20) | {html_t * 1000:.0f} ms | < 200 ms |")
    print(f"| `GET /api/v1/campaigns/{{id}}`, same campaign (median of 20) | {api_t * 1000:.0f} ms | |")
    print(f"| server memory, idle (process + workers) | {idle:.0f} MB | |")
    print(f"| server memory, peak during the run | {peak.peak:.0f} MB | < 300 MB |")


if __name__ == "__main__":
    main()

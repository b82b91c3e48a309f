"""Peak memory of a process tree, sampled in a thread (shared by the benchmarks)."""

from __future__ import annotations

import os
import threading
import time


def children_of(pid: int) -> list[int]:
    """The direct children of `pid` (a scan of /proc: Linux)."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    return out


def rss_mb(pids: list[int]) -> float:
    """Sum of the resident memory of `pids`, in MB (a process gone counts 0)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(x.split()[1]) for x in fh if x.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total / 1024


def rss_tree_mb(pid: int) -> float:
    """Resident memory of `pid` and its direct children, in MB (Linux /proc)."""
    return rss_mb([pid, *children_of(pid)])


class PeakSampler:
    """`with PeakSampler() as s: ...` then `s.peak`: the largest tree RSS seen, every 20 ms.

    The children are looked up every 0.2 s (a scan of /proc), their memory read every
    20 ms: the sampler stays a small fraction of one core (the benchmarks run on two)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = os.getpid()
        pids, looked = [me], 0.0
        while not self._stop.is_set():
            now = time.monotonic()
            if now - looked >= 0.2:
                pids, looked = [me, *children_of(me)], now
            self.peak = max(self.peak, rss_mb(pids))
            time.sleep(0.02)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

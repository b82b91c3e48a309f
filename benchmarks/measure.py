"""Peak memory of a process tree, sampled in a thread (shared by the benchmarks)."""

from __future__ import annotations

import os
import threading
import time


def rss_tree_mb(pid: int) -> float:
    """Resident memory of `pid` and its direct children, in MB (Linux /proc)."""
    pids = [pid]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    if int(fh.read().rsplit(")", 1)[1].split()[1]) == pid:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/status") as fh:
                total += next((int(x.split()[1]) for x in fh if x.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total / 1024


class PeakSampler:
    """`with PeakSampler() as s: ...` then `s.peak`: the largest tree RSS seen, every 20 ms."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_tree_mb(os.getpid()))
            time.sleep(0.02)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

"""Helpers of the portal tests: Cremona workbooks built by the library, a PostgreSQL
cluster of our own, a real uvicorn process, and small HTTP conveniences."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from functools import lru_cache
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "src" / "barometro" / "data" / "cremona_relazione_performance_2021.txt"
PASSWORD = "una-password-lunga-2021"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@lru_cache(maxsize=1)
def cremona_plan():  # noqa: ANN201 - barometro.model.Plan
    from barometro.legacy import import_report

    return import_report(SEED).plan


def actuals() -> dict[str, tuple[object, str | None]]:
    """The 2021 actuals and notes of the Cremona report, by indicator id."""
    return {i.id: (i.actual, i.note or None) for i in cremona_plan().indicators}


def fill(template: Path, dst: Path, overrides: dict[str, tuple[object, str | None]] | None = None) -> Path:
    """The template filled with the 2021 actuals (and `overrides`), as a sector would."""
    from barometro.workbook_templates.fill import fill_workbook

    values = {**actuals(), **(overrides or {})}
    return fill_workbook(template, dst, values).path


def indicator_ids(sector: str) -> list[str]:
    return [i.id for i in cremona_plan().indicators if i.sector == sector]


def csrf_of(html: str) -> str:
    m = CSRF_RE.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- PostgreSQL


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


@contextlib.contextmanager
def postgres_cluster():
    """A throw-away PostgreSQL cluster in a temporary folder; yields its URL.

    As root (CI) the cluster runs as the `postgres` system user (the server refuses
    root); otherwise as the current user.
    """
    bindir = _pg_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL server not installed: run `bash scripts/install.sh --test`")
    root = Path(tempfile.mkdtemp(prefix="barometro-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd

        pw = pwd.getpwnam("postgres")
        os.chown(root, pw.pw_uid, pw.pw_gid)
        os.chown(sock, pw.pw_uid, pw.pw_gid)
        prefix = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}", "--init-groups"]
    port = free_port()
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "barometro", "--auth=trust",
                    "-E", "UTF8"], check=True, capture_output=True, env=env, cwd=root, timeout=120)
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log.txt"), "-w",
                    "-o", f"-p {port} -k {sock} -c listen_addresses='' -c fsync=off", "start"],
                   check=True, capture_output=True, env=env, cwd=root, timeout=120)
    try:
        subprocess.run([str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", "barometro", "portale"],
                       check=True, capture_output=True, timeout=60)
        yield f"postgresql://barometro@/portale?host={sock}&port={port}"
    finally:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, env=env, cwd=root, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


# --------------------------------------------------------------------------- a real server


class Server:
    """`barometro serve` in its own process (real uvicorn), on a free port."""

    def __init__(self, data: Path, *, port: int | None = None, extra: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.data = data
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data.parent / f"server-{self.port}.log"
        cmd = [sys.executable, "-m", "barometro.cli.main", "serve", "--data", str(data), "--port", str(self.port),
               *(extra or [])]
        self.proc = subprocess.Popen(cmd, stdout=open(self.log, "wb"), stderr=subprocess.STDOUT,  # noqa: SIM115
                                     env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                if httpx.get(self.url + "/accesso", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        """SIGKILL the server and its workers (the whole process group), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        """Resident memory of the server and its worker processes, in MB."""
        total = 0
        pids = [self.proc.pid]
        with contextlib.suppress(FileNotFoundError):
            out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True,
                                 text=True).stdout
            pids += [int(x) for x in out.split()]
        for pid in pids:
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024


def add_user(data: Path, name: str = "ufficio", password: str = PASSWORD) -> None:
    subprocess.run([sys.executable, "-m", "barometro.cli.main", "users", "add", name, "--data", str(data)],
                   check=True, capture_output=True, env={**os.environ, "BAROMETRO_PASSWORD": password}, timeout=60)


def api_token(base: str, name: str = "ufficio", password: str = PASSWORD) -> str:
    r = httpx.post(base + "/api/v1/login", json={"username": name, "password": password}, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def create_cremona_campaign(client, base: str = "", token: str | None = None, deadline: str = "2031-03-31") -> dict:  # noqa: ANN001
    headers = {"authorization": f"Bearer {token}"} if token else {}
    with open(SEED, "rb") as fh:
        r = client.post(base + "/api/v1/campaigns", headers=headers,
                        data={"year": "2021", "settings": "cremona", "deadline": deadline},
                        files={"plan": (SEED.name, fh, "text/plain")}, timeout=120)
    assert r.status_code == 201, r.text
    return r.json()

"""`barometro users` and `barometro serve --check`, as the comune's IT runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from click.testing import CliRunner
from portal_helpers import REPO

from barometro.cli.main import cli
from barometro.portal.auth import check_password
from barometro.portal.config import PortalConfig
from barometro.portal.storage import Storage


def test_users_add_from_the_environment_and_from_a_prompt(tmp_path):
    data = tmp_path / "dati"
    runner = CliRunner()
    r = runner.invoke(cli, ["users", "add", "segreteria", "--data", str(data)],
                      env={"BAROMETRO_PASSWORD": "password-di-prova-1"})
    assert r.exit_code == 0, r.output
    assert "Utente «segreteria» creato." in r.output
    r = runner.invoke(cli, ["users", "add", "ufficio", "--data", str(data)],
                      input="password-di-prova-2\npassword-di-prova-2\n", env={"BAROMETRO_PASSWORD": None})
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli, ["users", "add", "ufficio", "--data", str(data)], env={"BAROMETRO_PASSWORD": "xxxxxxxxxxxx"})
    assert r.exit_code == 1 and "esiste già" in r.output
    r = runner.invoke(cli, ["users", "add", "corto", "--data", str(data)], env={"BAROMETRO_PASSWORD": "corta"})
    assert r.exit_code == 2
    s = Storage(PortalConfig(data_dir=data))
    try:
        stored = s.user_by_name("ufficio")["password_hash"]
        assert stored.startswith("$argon2id$") and check_password(stored, "password-di-prova-2")
        assert s.user_by_name("corto") is None
    finally:
        s.close()
    listed = runner.invoke(cli, ["users", "list", "--data", str(data)])
    assert "segreteria" in listed.output and "ufficio" in listed.output


def test_serve_check_on_a_clean_and_a_damaged_folder(tmp_path):
    data = tmp_path / "dati"
    s = Storage(PortalConfig(data_dir=data))
    blob = s.store_bytes(b"un file conservato")
    s.close()
    runner = CliRunner()
    r = runner.invoke(cli, ["serve", "--check", "--data", str(data)])
    assert r.exit_code == 0 and "1 file verificati" in r.output
    s.blobs.path(blob.sha256).write_bytes(b"alterato")
    r = runner.invoke(cli, ["serve", "--check", "--data", str(data)])
    assert r.exit_code == 1 and blob.sha256 in r.output
    s.blobs.path(blob.sha256).unlink()
    r = runner.invoke(cli, ["serve", "--check", "--data", str(data)])
    assert r.exit_code == 1 and "assente" in r.output


def test_help_of_the_portal_commands_has_examples():
    runner = CliRunner()
    for args in (["serve", "--help"], ["users", "--help"], ["users", "add", "--help"]):
        out = runner.invoke(cli, args).output
        assert "Example:" in out, args
    assert "barometro serve --demo" in runner.invoke(cli, ["serve", "--help"]).output


@pytest.mark.slow
def test_the_wheel_ships_templates_bootstrap_italia_and_the_catalogue(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True, timeout=300, env={**os.environ})
    wheel = next(tmp_path.glob("barometro-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("barometro/portal/templates/base.html", "barometro/portal/static/portal.css",
                   "barometro/portal/static/upload.js",
                   "barometro/portal/static/bootstrap-italia/css/bootstrap-italia.min.css",
                   "barometro/portal/static/bootstrap-italia/svg/sprites.svg",
                   "barometro/portal/static/bootstrap-italia/LICENSE",
                   "barometro/portal/static/bootstrap-italia/fonts/Titillium_Web/titillium-web-v10-latin-ext_latin-600.woff2",
                   "barometro/locale/portal.toml"):
        assert needed in names, needed
    size = sum(i.file_size for i in zipfile.ZipFile(wheel).infolist() if "/static/" in i.filename)
    assert size < 3 * 1024 * 1024, size


@pytest.mark.slow  # end to end on the whole Cremona plan: the slow tier
def test_demo_loads_cremona_an_office_account_and_sector_links(tmp_path):
    from barometro.portal import auth
    from barometro.portal.server import load_demo

    cfg = PortalConfig(data_dir=tmp_path / "demo")
    info = load_demo(cfg, "http://127.0.0.1:8765")
    assert len(info["links"]) == 14
    assert all(link.startswith("http://127.0.0.1:8765/s/") for _, link in info["links"])
    s = Storage(cfg)
    try:
        c = s.campaign(info["campaign_id"])
        assert (c["ente"], c["year"], c["settings_name"]) == ("Comune di Cremona", 2021, "cremona")
        assert check_password(s.user_by_name("ufficio")["password_hash"], info["password"])
        token = info["links"][0][1].rsplit("/", 1)[-1]
        assert s.sector_by_link(auth.token_hash(token)).name == info["links"][0][0]
    finally:
        s.close()


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_serve_demo_answers_and_removes_its_folder_when_stopped(tmp_path, stop):
    """`barometro serve --demo` as in the README: the login page answers; stopped with SIGTERM
    (a service manager) or Ctrl+C, the temporary data folder is gone."""
    import re
    import signal
    import time
    import urllib.request

    from portal_helpers import free_port

    port = free_port()
    env = dict(os.environ, BAROMETRO_LANG="it", TMPDIR=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-m", "barometro.cli.main", "serve", "--demo", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if "Barometro in ascolto" in line:
                break
        folder = next(re.search(r": (\S+barometro-demo-\S+)$", ln.strip()).group(1)
                      for ln in lines if "Cartella dei dati" in ln)
        assert os.path.isdir(folder)
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accesso", timeout=2) as page:
                    assert page.status == 200 and "Barometro" in page.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the demo portal did not answer")
        proc.send_signal(getattr(signal, stop))
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not os.path.exists(folder), lines
